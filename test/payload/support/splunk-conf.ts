/**
 * Reading a Splunk add-on the way Splunk does at search time, for the
 * add-on test: .conf files (stanzas of `key = value`), KV_MODE = json field
 * extraction, FIELDALIAS then EVAL (every EVAL on the extracted and aliased
 * fields), event types (their `key="value"` searches) and their tags.
 */
import { readFileSync } from 'node:fs';
import { evalSpl, parseSpl, type SplFields } from './spl-eval.js';

export type Conf = Map<string, Map<string, string>>;

export function parseConf(text: string): Conf {
  const conf: Conf = new Map();
  let stanza: Map<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const header = /^\[(.*)\]$/.exec(trimmed);
    if (header !== null) {
      stanza = new Map();
      conf.set(header[1] as string, stanza);
      continue;
    }
    const eq = trimmed.indexOf('=');
    if (eq <= 0 || stanza === undefined) throw new Error(`not a conf line: ${line}`);
    stanza.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
  }
  return conf;
}

export function readConf(path: string): Conf {
  return parseConf(readFileSync(path, 'utf8'));
}

/** KV_MODE = json: nested objects as dotted names, arrays as `name{}` (multivalue), scalars as their text. */
export function extractJson(value: unknown, prefix = '', out: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  if (Array.isArray(value)) {
    out[`${prefix}{}`] = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) extractJson(v, prefix === '' ? key : `${prefix}.${key}`, out);
  } else {
    out[prefix] = typeof value === 'string' ? value : String(value);
  }
  return out;
}

export interface SearchTime {
  readonly fields: Record<string, string | readonly string[]>;
  readonly eventtypes: readonly string[];
  readonly tags: readonly string[];
}

export function createSearchTime(props: Map<string, string>, eventtypes: Conf, tags: Conf, sourcetype: string): (event: unknown) => SearchTime {
  const aliases: [string, string][] = [];
  const evals: [string, ReturnType<typeof parseSpl>][] = [];
  for (const [key, value] of props) {
    if (key.startsWith('FIELDALIAS-')) {
      for (const m of value.matchAll(/(\S+)\s+AS\s+(\S+)/gi)) aliases.push([m[1] as string, m[2] as string]);
    } else if (key.startsWith('EVAL-')) {
      evals.push([key.slice('EVAL-'.length), parseSpl(value)]);
    }
  }
  const types = [...eventtypes].map(([name, stanza]) => ({ name, terms: searchTerms(stanza.get('search') ?? '') }));
  return (event) => {
    const extracted: Record<string, string | readonly string[]> = { ...extractJson(event), sourcetype };
    const aliased: Record<string, string | readonly string[]> = { ...extracted };
    for (const [from, to] of aliases) {
      const v = extracted[from];
      if (v !== undefined) aliased[to] = v;
    }
    const fields: Record<string, string | readonly string[]> = { ...aliased };
    for (const [name, node] of evals) {
      const v = evalSpl(node, aliased as SplFields);
      if (typeof v === 'boolean') throw new Error(`EVAL-${name} gives a boolean`);
      if (v === null) delete fields[name];
      else fields[name] = typeof v === 'number' ? String(v) : v;
    }
    const matched = types.filter((t) => t.terms.every(([k, v]) => fields[k] === v)).map((t) => t.name);
    const tagSet = new Set<string>();
    for (const name of matched) for (const [tag, state] of tags.get(`eventtype=${name}`) ?? []) if (state === 'enabled') tagSet.add(tag);
    return { fields, eventtypes: matched, tags: [...tagSet].sort() };
  };
}

/** An event type search of `key="value"` terms (all must hold): the only form the add-on uses. */
function searchTerms(search: string): [string, string][] {
  const terms = [...search.matchAll(/(\w+)="([^"]*)"/g)].map((m): [string, string] => [m[1] as string, m[2] as string]);
  if (search.replace(/(\w+)="([^"]*)"/g, '').trim() !== '') throw new Error(`event type search not of key="value" terms: ${search}`);
  return terms;
}

/**
 * @module config/flags
 * `serve`'s command line: `--name value` or `--name=value` for every setting
 * that has a flag (settings.ts), bare `--name` for booleans (`--name=false`
 * too), `--sink` repeatable, `--config FILE`, `--help`. Parsed by cli/args
 * like every command: an unknown option, a missing value or a value that
 * cannot be read as its setting's kind is one KAR_ERR_USAGE line (exit 2).
 * A value that reads but is wrong (`--port 70000`) is the loader's: it lists
 * every problem of the configuration at once (KAR_ERR_CONFIG_INVALID).
 */
import type { ParseArgsConfig } from 'node:util';
import { parseOptionArgs, usageError } from '../cli/args.js';
import { CONFIG_FILE_FLAG, FALSE_WORDS, settings, TRUE_WORDS, type Setting, type SettingKind } from './settings.js';

export interface ParsedFlags {
  readonly help: boolean;
  readonly configFile: string | undefined;
  /** Raw values by setting key, in command-line order. */
  readonly values: ReadonlyMap<string, readonly string[]>;
}

const nameOf = (flag: string): string => flag.slice('--'.length);
const CONFIG = nameOf(CONFIG_FILE_FLAG);

const byName = new Map<string, Setting>(settings.flatMap((s) => (s.flag === undefined ? [] : [[nameOf(s.flag), s] as const])));
const booleanFlags = new Set(settings.filter((s) => s.kind === 'boolean').map((s) => s.flag));

// Every setting is a string to parseArgs, repeatable (the loader takes the last one, or all for --sink):
// its booleans refuse `--insecure-http=false`, so a bare boolean flag is read as `=true` instead.
const options: NonNullable<ParseArgsConfig['options']> = {
  help: { type: 'boolean', short: 'h' },
  [CONFIG]: { type: 'string' },
  ...Object.fromEntries([...byName.keys()].map((name) => [name, { type: 'string', multiple: true } as const])),
};

/** The same words the loader reads from the environment (config/load.ts). */
const BOOLEAN_WORDS = TRUE_WORDS.flatMap((word, i) => [word, FALSE_WORDS[i] as string]); // in pairs: true, false, 1, 0, ...

/** What a value must look like to be read as its kind; whether it is in range is the loader's to say. */
const readable: Partial<Record<SettingKind, { readonly reads: (value: string) => boolean; readonly wants: string }>> = {
  integer: { reads: (value) => /^-?\d+$/.test(value.trim()), wants: 'a whole number' },
  boolean: { reads: (value) => BOOLEAN_WORDS.includes(value.trim().toLowerCase()), wants: `no value, or one of ${BOOLEAN_WORDS.join(', ')}` },
};

/** Authorization values have no flag: a command line is visible to every user of the host (`ps`). */
const SECRET_FLAG = '--authorization';

export function parseServeFlags(argv: readonly string[]): ParsedFlags {
  // After `--` every argument is a stray one (cli/args says so): nothing there is an option.
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  const named = argv.slice(0, end);
  if (named.some((arg) => arg === SECRET_FLAG || arg.startsWith(`${SECRET_FLAG}=`))) {
    throw usageError(`Unknown option '${SECRET_FLAG}' (Authorization values are secrets: use KONNECT_AUDIT_AUTHORIZATION or --authorization-file)`);
  }
  const parsed = parseOptionArgs([...named.map((arg) => (booleanFlags.has(arg) ? `${arg}=true` : arg)), ...argv.slice(end)], options);

  const values = new Map<string, readonly string[]>();
  for (const [name, given] of Object.entries(parsed)) {
    const setting = byName.get(name);
    if (setting === undefined) continue;
    const list = given as string[];
    const shape = readable[setting.kind];
    const unread = list.find((value) => shape?.reads(value) === false);
    if (shape !== undefined && unread !== undefined) throw usageError(`Option '--${name}' takes ${shape.wants} (got '${unread}')`);
    values.set(setting.key, list);
  }
  return { help: parsed['help'] === true, configFile: parsed[CONFIG] as string | undefined, values };
}

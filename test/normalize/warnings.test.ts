/**
 * SPEC 4: CEF text between the header and the first `key=` is kept in the
 * event (`extension_preamble`) and counted as a warning, never dropped
 * silently; duplicate keys are counted the same way.
 */
import { describe, expect, it } from 'vitest';
import { createLineParser, isLineError } from '../../src/lines/parse-line.js';
import { normalizeLine, serializeEvent, type NormalizedEvent, type NormalizeWarning } from '../../src/normalize/index.js';
import { metricsRegistry } from '../../src/observability/metrics.js';

const HEADER = 'CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|';
const parser = createLineParser();

function normalize(line: string): NormalizedEvent {
  const buf = Buffer.from(line);
  const view = parser.parse(buf, 0, buf.length);
  if (isLineError(view)) throw new Error(view.message);
  return normalizeLine(view, { receivedAt: '2025-06-23T14:28:48.001Z', signature: { status: 'unverified' } });
}

async function warningCount(warning: NormalizeWarning): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('konnect_audit_normalize_warnings_total')?.get();
  return metric?.values.find((v) => v.labels['warning'] === warning)?.value ?? 0;
}

async function counted<T>(run: () => T): Promise<{ result: T; preamble: number; duplicates: number }> {
  const before = [await warningCount('extension_preamble'), await warningCount('duplicate_key')] as const;
  const result = run();
  return { result, preamble: (await warningCount('extension_preamble')) - before[0], duplicates: (await warningCount('duplicate_key')) - before[1] };
}

describe('normalizeLine: text before the first key (SPEC 4)', () => {
  it('the issue\'s line: the text is kept as extension_preamble, right before fields, and counted', async () => {
    const { result: event, preamble } = await counted(() => normalize(`${HEADER}garbage text msg=hi`));
    expect(event.extension_preamble).toBe('garbage text');
    expect(event.fields).toEqual({ msg: 'hi' });
    const keys = Object.keys(event);
    expect(keys.indexOf('extension_preamble')).toBe(keys.indexOf('fields') - 1);
    expect(JSON.parse(serializeEvent(event))).toMatchObject({ extension_preamble: 'garbage text', fields: { msg: 'hi' } });
    expect(preamble).toBe(1);
  });

  it.each([
    ['no key at all', `${HEADER}just some text`, 'just some text', {}],
    ['before sig', `${HEADER}junk rt=1681450748406 sig=${'A'.repeat(86)}`, 'junk', { rt: '1681450748406' }],
    ['with a prefix', `Apr 14 05:39:08 konghq.com ${HEADER}junk a=1`, 'junk', { a: '1' }],
  ])('%s', async (_quirk, line, preamble, fields) => {
    const { result: event, preamble: count } = await counted(() => normalize(line));
    expect(event.extension_preamble).toBe(preamble);
    expect(event.fields).toEqual(fields);
    expect(count).toBe(1);
  });

  it.each([
    ['a CEF line that starts with a key', `${HEADER}a=1 b=2`],
    ['a JSON line', '{"rt":1,"a":"x y"}'],
  ])('%s: no extension_preamble key, nothing counted', async (_quirk, line) => {
    const { result: event, preamble, duplicates } = await counted(() => normalize(line));
    expect(Object.hasOwn(event, 'extension_preamble')).toBe(false);
    expect([preamble, duplicates]).toEqual([0, 0]);
  });
});

describe('normalizeLine: duplicate keys are the other warning (last one wins)', () => {
  it.each([
    ['CEF', `${HEADER}a=1 b=2 a=3 a=4`, { a: '4', b: '2' }],
    ['JSON', '{"a":"1","b":2,"a":"3"}', { a: '3', b: '2' }],
  ])('%s: one count per line', async (_format, line, fields) => {
    const { result: event, duplicates, preamble } = await counted(() => normalize(line));
    expect(event.fields).toEqual(fields);
    expect([duplicates, preamble]).toEqual([1, 0]);
  });
});

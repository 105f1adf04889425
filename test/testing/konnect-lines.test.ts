import { describe, expect, it } from 'vitest';
import { createLineParser, isLineError } from '../../src/lines/parse-line.js';
import { normalizeLine } from '../../src/normalize/index.js';
import { loadTestKey, makeKonnectLines, makeSignedKonnectLines, mulberry32 } from '../../src/testing/index.js';

const parser = createLineParser({});
const normalize = (line: string) => {
  const buf = Buffer.from(line, 'utf8');
  const view = parser.parse(buf, 0, buf.length);
  if (isLineError(view)) throw new Error(`${view.code}: ${view.message}: ${line}`);
  return normalizeLine(view, { receivedAt: '2025-06-24T00:00:00.000Z', signature: { status: 'unverified' } });
};

describe('makeKonnectLines', () => {
  it.each(['cef', 'json'] as const)('%s: same seed, same lines; another seed, other lines', (format) => {
    const a = makeKonnectLines({ format, count: 20, seed: 7 });
    expect(a).toHaveLength(20);
    expect(makeKonnectLines({ format, count: 20, seed: 7 })).toEqual(a);
    expect(makeKonnectLines({ format, count: 20, seed: 8 })).not.toEqual(a);
  });

  it.each(['cef', 'json'] as const)('%s: every line parses, covers the three families, and has no sig', (format) => {
    const events = makeKonnectLines({ format, count: 200, seed: 3 }).map(normalize);
    expect(new Set(events.map((e) => e.category))).toEqual(new Set(['authentication', 'authorization', 'access']));
    expect(events.every((e) => e.signature.status === 'unverified' && !('sig' in e.fields))).toBe(true);
    expect(events.some((e) => e.portal_id !== undefined)).toBe(true);
    expect(events.some((e) => e.user_agent === '')).toBe(true);
  });

  it.each(['cef', 'json'] as const)('%s: 64-bit trace ids survive as exact digits, most beyond 2^53', (format) => {
    const lines = makeKonnectLines({ format, count: 100, seed: 11 });
    const events = lines.map(normalize);
    const beyond = events.filter((e) => BigInt(e.trace_id ?? '0') > 2n ** 53n);
    expect(beyond.length).toBeGreaterThan(50);
    events.forEach((e, i) => expect(lines[i]).toContain(e.trace_id));
  });

  it('CEF uses both prefixes, and time comes from rt', () => {
    const events = makeKonnectLines({ format: 'cef', count: 8, seed: 1, startMs: Date.UTC(2025, 0, 2) }).map(normalize);
    expect(events.some((e) => e.raw.startsWith('Jan  2 '))).toBe(true);
    expect(events.some((e) => e.raw.startsWith('2025-01-02T'))).toBe(true);
    expect(events[0]?.time).toBe('2025-01-02T00:00:00.000Z');
  });

  it('JSON members are typed as in Kong docs (numbers, booleans) and sorted', () => {
    const [line] = makeKonnectLines({ format: 'json', count: 1, seed: 5 });
    expect(line).toMatch(/"rt":\d+,/);
    expect(line).toMatch(/"severity":\d+/);
    const keys = [...(line as string).matchAll(/"([a-z_]+)":/g)].map((m) => m[1]);
    expect(keys).toEqual([...keys].sort());
  });

  it('makeSignedKonnectLines signs every line', () => {
    const lines = makeSignedKonnectLines({ format: 'json', count: 3, seed: 1, key: loadTestKey('primary').privateKey, sigPosition: 'first' });
    expect(lines.every((l) => l.startsWith('{"sig":"'))).toBe(true);
  });
});

describe('mulberry32', () => {
  it('is deterministic and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

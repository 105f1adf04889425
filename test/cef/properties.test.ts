/** Property tests (fast-check) for the invariants of SPEC 4: never throw, never leave the line, same result at any offset. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCefTokens, decodeUtf8, tokenizeCef, unescapeCefValue, type CefTokens } from '../../src/cef/index.js';
import { HEADER, SIG, bytes, signedMessage } from './helpers.js';

// Pieces that hit every branch of the grammar: markers, escapes, separators,
// key bytes, multi-byte UTF-8.
const piece = fc.constantFrom(
  'CEF:0|', 'CEF:1|', 'CEF:', '|', '\\', '\\|', '\\\\', '\\=', '=', ' ', '  ', '\t', 'a', 'k1', 'sig', 'sig=', ' sig=',
  'x=', ' y=', 'é', '日', '😀', '"', '.', '[0]', '-', '\n', 'Apr 14 05:39:08 ', '2025-06-23T14:28:47Z ', SIG,
);
const cefish = fc.oneof(
  fc.array(piece, { maxLength: 40 }).map((parts) => parts.join('')),
  fc.array(piece, { maxLength: 40 }).map((parts) => HEADER + parts.join('')),
);
const line = fc.oneof(cefish.map(bytes), fc.uint8Array({ maxLength: 300 }));

/** Everything a reader can observe about a tokenized line, with offsets relative to its start. */
function snapshot(tokens: CefTokens, base: number): unknown {
  const rel = (n: number): number => (n < 0 ? n : n - base);
  return {
    header: tokens.header(),
    fields: Object.entries(tokens.fields()),
    prefix: tokens.prefix(),
    count: tokens.count,
    duplicateKeys: tokens.duplicateKeys,
    preamble: [rel(tokens.preambleStart), rel(tokens.preambleEnd), tokens.extensionPreamble()],
    sig: [rel(tokens.sigStart), rel(tokens.sigEnd), rel(tokens.cutStart), rel(tokens.cutEnd)],
    signed: signedMessage(tokens),
  };
}

function within(n: number, start: number, end: number): boolean {
  return n >= start && n <= end;
}

describe('tokenizeCef properties', () => {
  it('never throws, on arbitrary bytes and on CEF-shaped noise', () => {
    const tokens = createCefTokens();
    fc.assert(
      fc.property(line, (buf) => {
        const error = tokenizeCef(buf, 0, buf.length, tokens);
        if (error === undefined) {
          tokens.header();
          tokens.fields();
          tokens.prefix();
        } else {
          expect(error.ok).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every span lies within [start, end) and is well ordered', () => {
    const tokens = createCefTokens();
    fc.assert(
      fc.property(line, fc.nat(20), fc.nat(20), (inner, before, after) => {
        const buf = new Uint8Array(before + inner.length + after).fill(0x3d);
        buf.set(inner, before);
        const start = before;
        const end = before + inner.length;
        if (tokenizeCef(buf, start, end, tokens) !== undefined) return;
        const ok = (a: number, b: number): boolean => within(a, start, end) && within(b, start, end) && a <= b;
        expect(ok(start, tokens.prefixEnd)).toBe(true);
        for (let f = 0; f < 7; f++) expect(ok(tokens.headerStart[f]!, tokens.headerEnd[f]!)).toBe(true);
        expect(ok(tokens.headerEnd[6]!, tokens.extensionStart)).toBe(true);
        for (let i = 0; i < tokens.count; i++) {
          expect(ok(tokens.keyStart[i]!, tokens.keyEnd[i]!)).toBe(true);
          expect(tokens.keyEnd[i]! + 1).toBe(tokens.valueStart[i]);
          expect(ok(tokens.valueStart[i]!, tokens.valueEnd[i]!)).toBe(true);
          if (i > 0) expect(tokens.keyStart[i]!).toBeGreaterThan(tokens.valueEnd[i - 1]!);
        }
        if (tokens.preambleStart >= 0) {
          expect(ok(tokens.preambleStart, tokens.preambleEnd)).toBe(true);
          expect(tokens.preambleStart).toBeGreaterThanOrEqual(tokens.extensionStart);
          expect(tokens.preambleEnd).toBeGreaterThan(tokens.preambleStart);
          if (tokens.count > 0) expect(tokens.preambleEnd).toBeLessThan(tokens.keyStart[0]!);
        } else {
          expect(tokens.preambleEnd).toBe(-1);
        }
        if (tokens.sigStart >= 0) {
          expect(ok(tokens.sigStart, tokens.sigEnd)).toBe(true);
          expect(ok(tokens.cutStart, tokens.cutEnd)).toBe(true);
          expect(tokens.cutStart).toBeLessThan(tokens.sigStart);
          expect(tokens.cutEnd).toBeGreaterThanOrEqual(tokens.sigEnd);
        } else {
          expect([tokens.sigEnd, tokens.cutStart, tokens.cutEnd]).toEqual([-1, -1, -1]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  // SPEC 4: text between the header and the first key is kept, never dropped silently.
  it('no extension text is lost: every byte after the header but separator whitespace is in the preamble, a key, its = or a value', () => {
    const tokens = createCefTokens();
    fc.assert(
      fc.property(line, (buf) => {
        if (tokenizeCef(buf, 0, buf.length, tokens) !== undefined) return;
        const covered = new Uint8Array(buf.length);
        const cover = (a: number, b: number): void => {
          covered.fill(1, a, b);
        };
        if (tokens.preambleStart >= 0) cover(tokens.preambleStart, tokens.preambleEnd);
        for (let i = 0; i < tokens.count; i++) cover(tokens.keyStart[i]!, tokens.valueEnd[i]!);
        for (let p = tokens.extensionStart; p < buf.length; p++) {
          if (covered[p] === 0) expect([0x20, 0x09]).toContain(buf[p]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never reads a byte outside [start, end)', () => {
    const tokens = createCefTokens();
    fc.assert(
      fc.property(line, fc.nat(8), fc.nat(8), (inner, before, after) => {
        const buf = new Uint8Array(before + inner.length + after);
        buf.set(inner, before);
        const start = before;
        const end = before + inner.length;
        const outside: number[] = [];
        const guarded = new Proxy(buf, {
          get(target, prop) {
            if (typeof prop === 'string' && /^\d+$/.test(prop) && (Number(prop) < start || Number(prop) >= end)) outside.push(Number(prop));
            const value: unknown = Reflect.get(target, prop, target);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
        tokenizeCef(guarded, start, end, tokens);
        expect(outside).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('strings equal a direct decode of each span (the whole-line text shortcut is exact)', () => {
    const tokens = createCefTokens();
    fc.assert(
      fc.property(fc.oneof(line, fc.uint8Array({ maxLength: 60 }).map((tail) => new Uint8Array([...bytes(HEADER + 'a='), ...tail]))), (buf) => {
        if (tokenizeCef(buf, 0, buf.length, tokens) !== undefined) return;
        for (let i = 0; i < tokens.count; i++) {
          const direct = tokens.valueEscaped[i] === 1
            ? unescapeCefValue(buf, tokens.valueStart[i]!, tokens.valueEnd[i]!)
            : decodeUtf8(buf, tokens.valueStart[i]!, tokens.valueEnd[i]!);
          expect(tokens.value(i)).toBe(direct);
          expect(tokens.key(i)).toBe(decodeUtf8(buf, tokens.keyStart[i]!, tokens.keyEnd[i]!));
        }
        expect(tokens.prefix().text).toBe(decodeUtf8(buf, 0, tokens.prefixEnd));
        // An ASCII line is decoded as Latin-1: only right if no byte >= 0x80 was missed.
        expect(tokens.rawText()).toBe(decodeUtf8(buf, 0, buf.length));
      }),
      { numRuns: 1000 },
    );
  });

  it('a line embedded in a larger buffer at an offset gives the same result as alone', () => {
    const alone = createCefTokens();
    const embedded = createCefTokens();
    fc.assert(
      fc.property(line, fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (inner, before, after) => {
        const buf = new Uint8Array(before.length + inner.length + after.length);
        buf.set(before, 0);
        buf.set(inner, before.length);
        buf.set(after, before.length + inner.length);
        const errorAlone = tokenizeCef(inner, 0, inner.length, alone);
        const errorEmbedded = tokenizeCef(buf, before.length, before.length + inner.length, embedded);
        expect(errorEmbedded?.code).toBe(errorAlone?.code);
        expect(errorEmbedded?.offset).toBe(errorAlone?.offset);
        if (errorAlone === undefined) expect(snapshot(embedded, before.length)).toEqual(snapshot(alone, 0));
      }),
      { numRuns: 2000 },
    );
  });

  // Serialize fields the way a producer escapes them, then read them back.
  const key = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.,[\]-]{0,8}$/).filter((k) => k !== 'sig');
  const valueChar = fc.constantFrom('a', 'Z', '0', ' ', '=', '\\', '\n', '\r', '\t', '|', 'é', '日', '😀', '"', '&', '/');
  // Leading/trailing whitespace is covered by the table tests: a space run at
  // a value's edge is a separator by rule.
  const value = fc.array(valueChar, { maxLength: 20 }).map((cs) => cs.join('')).filter((v) => v === v.replace(/^[ \t]+|[ \t]+$/g, ''));
  const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

  it('escaped fields round-trip, and appending ` sig=` is exactly what the cut removes', () => {
    const tokens = createCefTokens();
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, minLength: 1, maxLength: 8 }), (pairs) => {
        const unsigned = HEADER + pairs.map(([k, v]) => `${k}=${escape(v)}`).join(' ');
        const line = bytes(`${unsigned} sig=${SIG}`);
        expect(tokenizeCef(line, 0, line.length, tokens)).toBeUndefined();
        // Compared as a record: JS orders integer-like keys (`0`) first whatever the source order.
        expect(tokens.fields()).toEqual(Object.fromEntries(pairs));
        for (const [k, v] of pairs) expect(tokens.field(k)).toBe(v);
        expect(signedMessage(tokens)).toBe(unsigned);
        expect(tokens.duplicateKeys).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('duplicates: counted, last wins, the same below and above the hash-table threshold', () => {
    const tokens = createCefTokens();
    const smallKey = fc.constantFrom('a', 'b', 'c', 'rt', 'src', 'org_id', 'x.y', 'k[0]', 'sig');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(smallKey, key), fc.stringMatching(/^[a-z0-9]{0,6}$/)), { minLength: 1, maxLength: 80 }), (pairs) => {
        const line = bytes(HEADER + pairs.map(([k, v]) => `${k}=${v}`).join(' '));
        expect(tokenizeCef(line, 0, line.length, tokens)).toBeUndefined();
        const expected = new Map<string, string>();
        for (const [k, v] of pairs) expected.set(k, v);
        expect(tokens.duplicateKeys).toBe(pairs.length - expected.size);
        for (const [k, v] of expected) expect(tokens.field(k)).toBe(k === 'sig' ? undefined : v);
        expected.delete('sig');
        expect(tokens.fields()).toEqual(Object.fromEntries(expected));
      }),
      { numRuns: 500 },
    );
  });
});

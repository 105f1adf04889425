import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJsonLine } from '../../src/json/index.js';
import { isLineError } from '../../src/lines/parse-line.js';

function scanText(text: string): ReturnType<typeof scanJsonLine> {
  const buf = Buffer.from(text);
  return scanJsonLine(buf, 0, buf.length);
}

/** Is `text` a JSON object for JSON.parse (the reference)? */
function parsesAsObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** JSON text with some damage: a character inserted, deleted or replaced somewhere. */
const damagedJson = fc
  .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...'{}[]",:0-1e.tn \\x'.split('')))
  .map(([json, at, how, ch]) => {
    const i = json.length === 0 ? 0 : at % json.length;
    if (how === 'insert') return json.slice(0, i) + ch + json.slice(i);
    if (how === 'delete') return json.slice(0, i) + json.slice(i + 1);
    return json.slice(0, i) + ch + json.slice(i + 1);
  });

describe('scanJsonLine properties', () => {
  it('never throws and never leaves the line, on arbitrary bytes inside a larger buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), fc.nat(8), (bytes, before, after) => {
        const buf = new Uint8Array(before + bytes.length + after).fill(0x7b);
        buf.set(bytes, before);
        const start = before;
        const end = before + bytes.length;
        const result = scanJsonLine(buf, start, end);
        if (isLineError(result)) {
          expect(result.offset).toBeGreaterThanOrEqual(0);
          expect(result.offset).toBeLessThanOrEqual(bytes.length);
          return;
        }
        for (const at of [result.sigStart, result.sigEnd, result.cutStart, result.cutEnd]) {
          if (at !== -1) expect(at >= start && at <= end).toBe(true);
        }
        result.fields();
        result.header();
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on byte strings made of JSON punctuation (the likeliest to reach deep states)', () => {
    const alphabet = fc.constantFrom(...'{}[]":,\\u0a1e-. tfn'.split('').map((c) => c.charCodeAt(0)));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), (codes) => {
        const buf = Uint8Array.from([0x7b, ...codes]);
        const result = scanJsonLine(buf, 0, buf.length);
        if (!isLineError(result)) result.fields();
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts exactly what JSON.parse accepts as an object (valid and damaged JSON)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json({ maxDepth: 4 }), damagedJson), (text) => {
        const result = scanText(text);
        expect(!isLineError(result)).toBe(parsesAsObject(text));
        if (isLineError(result) && result.code === 'KAR_ERR_JSON_NOT_OBJECT') {
          // Either valid JSON of another kind, or a valid object followed by more bytes.
          expect(parsesAsObject(text)).toBe(false);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('fields: strings equal JSON.parse, other values are their exact source text', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { noNullPrototype: false }), (object) => {
        const text = JSON.stringify(object);
        const result = scanText(text);
        if (isLineError(result)) throw new Error(result.message);
        // fromEntries defines own properties, so a `__proto__` key is data here too.
        const expected: Record<string, string> = Object.fromEntries(
          Object.entries(object)
            .filter(([key]) => key !== 'sig')
            .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
        );
        expect(result.fields()).toEqual(expected);
        for (const [key, value] of Object.entries(expected)) expect(result.field(key)).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it('the cut span removes exactly the sig member and one comma, wherever sig is', () => {
    const member = fc.tuple(fc.string().filter((k) => k !== 'sig'), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(fc.uniqueArray(member, { selector: ([k]) => k, maxLength: 6 }), fc.nat(), fc.string(), (members, at, sig) => {
        const others = members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        const i = at % (others.length + 1);
        const all = [...others.slice(0, i), `"sig":${JSON.stringify(sig)}`, ...others.slice(i)];
        const line = `{${all.join(',')}}`;
        const result = scanText(line);
        if (isLineError(result)) throw new Error(result.message);
        const b = Buffer.from(line);
        const signed = b.toString('utf8', 0, result.cutStart) + b.toString('utf8', result.cutEnd);
        expect(signed).toBe(`{${others.join(',')}}`);
        expect(JSON.parse(`"${b.toString('utf8', result.sigStart, result.sigEnd)}"`)).toBe(sig);
      }),
      { numRuns: 500 },
    );
  });
});

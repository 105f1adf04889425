import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isKarError } from '../../src/errors/index.js';
import { buildBatches, tamperIndexes, tamperLine } from '../../src/sender/index.js';

const SIG = 'A'.repeat(86);
const cef = (i: number): string =>
  `2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=16814507484${String(i).padStart(2, '0')} src=127.0.0.6 user_agent= sig=${SIG}`;
const lines = Array.from({ length: 25 }, (_, i) => cef(i));

describe('buildBatches', () => {
  it('cuts the lines into gzip bodies of --batch lines, each line newline-terminated', () => {
    const batches = buildBatches({ lines, batchSize: 10 });
    expect(batches.map((b) => b.lines.length)).toEqual([10, 10, 5]);
    expect(batches.map((b) => b.index)).toEqual([0, 1, 2]);
    const inflated = batches.map((b) => gunzipSync(b.body).toString('utf8')).join('');
    expect(inflated).toBe(lines.map((l) => `${l}\n`).join(''));
    expect(batches[0]?.inflatedBytes).toBe(Buffer.byteLength(lines.slice(0, 10).map((l) => `${l}\n`).join('')));
  });

  it.each([0, 1, 3, 25])('--tamper %i alters exactly that many lines over the whole run', (n) => {
    const batches = buildBatches({ lines, batchSize: 10, tamper: n });
    const sent = batches.flatMap((b) => b.lines);
    expect(sent.filter((line, i) => line !== lines[i])).toHaveLength(n);
    expect(batches.reduce((sum, b) => sum + b.tampered, 0)).toBe(n);
  });

  it.each<{ quirk: string; batchSize: number; tamper: number }>([
    { quirk: 'batch size 0', batchSize: 0, tamper: 0 },
    { quirk: 'fractional batch size', batchSize: 1.5, tamper: 0 },
    { quirk: 'more tampered lines than lines', batchSize: 10, tamper: 26 },
    { quirk: 'negative tamper', batchSize: 10, tamper: -1 },
  ])('refuses $quirk as a usage error', ({ batchSize, tamper }) => {
    let thrown: unknown;
    try {
      buildBatches({ lines, batchSize, tamper });
    } catch (error) {
      thrown = error;
    }
    expect(isKarError(thrown) && thrown.code).toBe('KAR_ERR_USAGE');
  });
});

describe('tamperLine', () => {
  it.each<{ quirk: string; line: string; expected: string }>([
    { quirk: 'CEF: the last digit before ` sig=` changes, the sig stays', line: `p CEF:0|a|b|1|c|d|1|rt=17 sig=A9B`, expected: `p CEF:0|a|b|1|c|d|1|rt=18 sig=A9B` },
    { quirk: 'a 9 becomes 8, never 0 (no leading zero in a JSON number)', line: `{"rt":9,"sig":"A1"}`, expected: `{"rt":8,"sig":"A1"}` },
    { quirk: 'JSON with sig first: a digit after it changes', line: `{"sig":"A1","rt":15}`, expected: `{"sig":"A1","rt":16}` },
    { quirk: 'a line with no digit outside its sig is left alone', line: `{"a":"b","sig":"A1"}`, expected: `{"a":"b","sig":"A1"}` },
  ])('$quirk', ({ line, expected }) => {
    expect(tamperLine(line)).toBe(expected);
  });

  it('spreads tampered lines over the run, all distinct', () => {
    expect(tamperIndexes(10, 3)).toEqual([0, 3, 6]);
    expect(new Set(tamperIndexes(7, 7)).size).toBe(7);
  });
});

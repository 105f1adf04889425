/**
 * SPEC 4: linear time on hostile lines. Each row is a 1 MB line built to hit
 * one loop of the tokenizer; a quadratic loop would need ~10^12 steps here and
 * never finish within the test timeout. Nothing is timed (machines are shared).
 */
import { describe, expect, it } from 'vitest';
import { HEADER, tokenize } from './helpers.js';

const MB = 1 << 20;
/** ~1 MB of `k<i>=1 ` pairs. */
const DISTINCT = 100_000;

describe('tokenizeCef on 1 MB hostile lines completes (linear time)', () => {
  it.each([
    ['backslashes in a value', `${HEADER}msg=${'\\'.repeat(MB)}`, 1, 0],
    ['backslashes in the header', `CEF:0|${'\\'.repeat(MB)}`, undefined, undefined],
    ['= in a value', `${HEADER}msg=${'='.repeat(MB)}`, 1, 0],
    ['= where the extension starts', `${HEADER}${'='.repeat(MB)}`, 0, 0],
    ['spaces inside the extension', `${HEADER}a=1${' '.repeat(MB)}b`, 1, 0],
    ['spaces after the header', `${HEADER}${' '.repeat(MB)}a=1`, 1, 0],
    ['space + key-like word without =', `${HEADER}msg=${' abcdefgh'.repeat(MB / 9)}`, 1, 0],
    ['key characters without = where the extension starts', `${HEADER}${'k'.repeat(MB)} a=1`, 1, 0],
    ['words without = where the extension starts', `${HEADER}${'k '.repeat(MB / 2)}a=1`, 1, 0],
    ['the same key over and over', `${HEADER}${'a=1 '.repeat(MB / 4)}`, MB / 4, MB / 4 - 1],
    ['distinct keys', `${HEADER}${Array.from({ length: DISTINCT }, (_, i) => `k${i}=1`).join(' ')}`, DISTINCT, 0],
    ['escaped = pairs', `${HEADER}a=${'\\= '.repeat(MB / 3)}`, 1, 0],
    ['pipes and backslashes', `${HEADER}a=${'\\|'.repeat(MB / 2)}`, 1, 0],
    ['C without EF:', 'C'.repeat(MB), undefined, undefined],
    ['CEF without :', 'CEF'.repeat(MB / 3), undefined, undefined],
  ])('%s', (_quirk, line, count, duplicates) => {
    const { error, tokens } = tokenize(line);
    if (count === undefined) {
      expect(error?.ok).toBe(false);
      return;
    }
    expect(error).toBeUndefined();
    expect(tokens.count).toBe(count);
    expect(tokens.duplicateKeys).toBe(duplicates);
    expect(Object.keys(tokens.fields()).length).toBe(count - (duplicates ?? 0));
  });
});

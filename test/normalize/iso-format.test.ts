import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoMillis } from '../../src/normalize/iso-format.js';
import { epochMillisToIso } from '../../src/normalize/time.js';

/** ECMAScript's time value range (ECMA-262 §21.4.1.1). */
const MAX_TIME_MS = 8.64e15;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('formatIsoMillis: the text of Date#toISOString', () => {
  it.each([
    ['the epoch', 0],
    ['negative zero', -0],
    ['one millisecond before the epoch', -1],
    ['the SPEC 6 example', 1750688927556],
    ['the last millisecond of a day', Date.UTC(2025, 5, 23, 23, 59, 59, 999)],
    ['February 29 of a year divisible by 400', Date.UTC(2000, 1, 29, 12)],
    ['March 1 of a century year that is not a leap year', Date.UTC(1900, 2, 1)],
    ['December 31 of a leap year (day 366)', Date.UTC(2024, 11, 31, 23, 59, 59, 999)],
    ['the first millisecond of year 0000', -62167219200000],
    ['one millisecond before year 0000 (extended year)', -62167219200001],
    ['the last millisecond of year 9999', 253402300799999],
    ['the first millisecond of year 10000 (extended year)', 253402300800000],
    ['the end of the range', MAX_TIME_MS],
    ['the start of the range', -MAX_TIME_MS],
    ['a fraction of a millisecond', 1750688927556.7],
  ])('%s', (_quirk, ms) => {
    expect(formatIsoMillis(ms)).toBe(iso(ms));
  });

  it.each([
    ['beyond the range', MAX_TIME_MS + 1],
    ['NaN', Number.NaN],
    ['infinity', Number.POSITIVE_INFINITY],
  ])('throws a RangeError like toISOString: %s', (_quirk, ms) => {
    expect(() => iso(ms)).toThrow(RangeError);
    expect(() => formatIsoMillis(ms)).toThrow(RangeError);
  });

  it('matches toISOString across the whole range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_TIME_MS, max: MAX_TIME_MS }), (ms) => formatIsoMillis(ms) === iso(ms)),
      { numRuns: 20_000 },
    );
  });

  it('matches toISOString for years 0000-9999, where its own formatter is used', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62167219200000, max: 253402300799999 }), (ms) => formatIsoMillis(ms) === iso(ms)),
      { numRuns: 20_000 },
    );
  });

  it('stays right whatever order the times come in (its minute and day caches)', () => {
    // Runs of nearby times (a batch), jumps back and forth, and repeats.
    const nearby = fc.tuple(fc.integer({ min: 0, max: 253402300799999 }), fc.array(fc.integer({ min: -200_000, max: 200_000 }), { maxLength: 20 }));
    fc.assert(
      fc.property(fc.array(nearby, { maxLength: 10 }), (runs) =>
        runs.every(([base, steps]) => {
          let ms = base;
          return steps.every((step) => {
            ms = Math.max(0, ms + step);
            return formatIsoMillis(ms) === iso(ms);
          });
        }),
      ),
      { numRuns: 500 },
    );
  });
});

describe('epochMillisToIso: rt text', () => {
  it('matches toISOString for the digits of any time value from the epoch on', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_TIME_MS }), (ms) => epochMillisToIso(String(ms)) === iso(ms)),
      { numRuns: 10_000 },
    );
  });

  it.each([
    ['leading zeros', '0001750688927556', '2025-06-23T14:28:47.556Z'],
    ['the end of the range', '8640000000000000', '+275760-09-13T00:00:00.000Z'],
    ['one past the end of the range', '8640000000000001', undefined],
    ['16 digits above 2^53', '9007199254740993', undefined],
    ['17 digits', '00000000000000001', undefined],
    ['a sign', '+1750688927556', undefined],
    ['a space', ' 1750688927556', undefined],
  ])('%s', (_quirk, text, expected) => {
    expect(epochMillisToIso(text)).toBe(expected);
  });
});

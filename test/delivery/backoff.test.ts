import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/delivery/index.js';

const opts = { baseMs: 100, maxMs: 1000 };

describe('retryDelayMs', () => {
  it.each([
    { quirk: 'first retry, top of the jitter range', attempt: 1, random: 0.999, expected: 99 },
    { quirk: 'full jitter can retry at once', attempt: 3, random: 0, expected: 0 },
    { quirk: 'doubles per attempt', attempt: 3, random: 0.5, expected: 200 },
    { quirk: 'capped at maxMs', attempt: 10, random: 0.5, expected: 500 },
    { quirk: 'a huge attempt count does not overflow', attempt: 10_000, random: 0.5, expected: 500 },
    { quirk: 'random() = 1 stays within the cap', attempt: 10, random: 1, expected: 1000 },
  ])('$quirk', ({ attempt, random, expected }) => {
    expect(retryDelayMs(attempt, opts, () => random)).toBe(expected);
  });

  it.each([
    { quirk: 'Retry-After wins over the backoff', retryAfter: 7000, expected: 7000 },
    { quirk: 'Retry-After 0 retries at once', retryAfter: 0, expected: 0 },
    { quirk: 'a day-long Retry-After is capped', retryAfter: 86_400_000, expected: 300_000 },
    { quirk: 'a negative Retry-After is ignored', retryAfter: -5, expected: 50 },
  ])('$quirk', ({ retryAfter, expected }) => {
    expect(retryDelayMs(1, opts, () => 0.5, retryAfter)).toBe(expected);
  });
});

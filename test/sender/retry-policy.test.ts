import { describe, expect, it } from 'vitest';
import { createRetryPolicy, konnectRetryPolicy, parseRetryAfterMs, retryDelayMs } from '../../src/sender/index.js';

const now = Date.parse('2025-06-23T14:28:47Z');

describe('retryDelayMs', () => {
  it.each<{ quirk: string; retry: number; retryAfter?: string; ms: number }>([
    { quirk: 'first retry waits the 1 s minimum', retry: 1, ms: 1000 },
    { quirk: 'exponential: fourth retry waits 8 s', retry: 4, ms: 8000 },
    { quirk: 'exponential is capped at 30 s', retry: 10, ms: 30000 },
    { quirk: 'Retry-After in seconds is honoured', retry: 1, retryAfter: '12', ms: 12000 },
    { quirk: 'Retry-After as an HTTP date is honoured', retry: 1, retryAfter: 'Mon, 23 Jun 2025 14:28:57 GMT', ms: 10000 },
    { quirk: 'Retry-After in the past is raised to 1 s', retry: 3, retryAfter: 'Mon, 23 Jun 2025 14:00:00 GMT', ms: 1000 },
    { quirk: 'garbage Retry-After falls back to exponential', retry: 2, retryAfter: 'soon', ms: 2000 },
    { quirk: 'Retry-After above 30 s is clamped', retry: 1, retryAfter: '3600', ms: 30000 },
  ])('$quirk', ({ retry, retryAfter, ms }) => {
    expect(retryDelayMs(konnectRetryPolicy, retry, retryAfter, now)).toBe(ms);
  });

  it('parses negative or fractional Retry-After as not usable', () => {
    expect(parseRetryAfterMs('-5', now)).toBeUndefined();
    expect(parseRetryAfterMs('1.5', now)).toBeUndefined();
  });

  it('Konnect policy: 4 retries between 1 s and 30 s', () => {
    expect(konnectRetryPolicy).toMatchObject({ maxRetries: 4, minDelayMs: 1000, maxDelayMs: 30000 });
  });

  it('refuses an inconsistent policy with one error listing every problem', () => {
    expect(() => createRetryPolicy({ maxRetries: -1, minDelayMs: 10, maxDelayMs: 5 })).toThrow(/maxRetries.*; maxDelayMs/);
  });
});

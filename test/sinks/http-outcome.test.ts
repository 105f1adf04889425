import { describe, expect, it } from 'vitest';
import { excerpt, outcomeForStatus, parseRetryAfter } from '../../src/sinks/http-outcome.js';

describe('Retry-After', () => {
  const now = Date.parse('2025-06-23T14:28:47Z');
  it.each([
    ['delta-seconds', '120', 120_000],
    ['zero', '0', 0],
    ['with spaces', ' 5 ', 5000],
    ['an HTTP-date', 'Mon, 23 Jun 2025 14:29:47 GMT', 60_000],
    ['an HTTP-date in the past is now', 'Mon, 23 Jun 2025 14:00:00 GMT', 0],
    ['the first of repeated headers', ['3', '9'], 3000],
    ['garbage', 'soon', undefined],
    ['a negative number', '-5', undefined],
    ['absent', undefined, undefined],
  ])('%s', (_quirk, value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('HTTP status → outcome', () => {
  it.each([
    [200, 'delivered', undefined],
    [202, 'delivered', undefined],
    [301, 'retryable', 'KAR_ERR_SINK_UNREACHABLE'],
    [400, 'rejected', 'KAR_ERR_SINK_REJECTED'],
    [401, 'retryable', 'KAR_ERR_SINK_AUTH'],
    [403, 'retryable', 'KAR_ERR_SINK_AUTH'],
    [404, 'retryable', 'KAR_ERR_SINK_UNREACHABLE'],
    [405, 'retryable', 'KAR_ERR_SINK_UNREACHABLE'],
    [407, 'retryable', 'KAR_ERR_SINK_AUTH'],
    [408, 'retryable', 'KAR_ERR_SINK_SERVER'],
    [409, 'rejected', 'KAR_ERR_SINK_REJECTED'],
    [413, 'rejected', 'KAR_ERR_SINK_REJECTED'],
    [415, 'rejected', 'KAR_ERR_SINK_REJECTED'],
    [429, 'retryable', 'KAR_ERR_SINK_THROTTLED'],
    [500, 'retryable', 'KAR_ERR_SINK_SERVER'],
    [502, 'retryable', 'KAR_ERR_SINK_SERVER'],
    [503, 'retryable', 'KAR_ERR_SINK_SERVER'],
  ])('%i → %s %s', (status, kind, code) => {
    const outcome = outcomeForStatus(status, {}, '');
    expect(outcome.kind).toBe(kind);
    if (outcome.kind !== 'delivered') expect(outcome.code).toBe(code);
  });

  it('quotes a short, single-line excerpt of the answer', () => {
    expect(excerpt('  line one\n  line two ')).toBe(': line one line two');
    expect(excerpt('x'.repeat(500))).toHaveLength(2 + 200 + 1);
    expect(excerpt('')).toBe('');
  });
});

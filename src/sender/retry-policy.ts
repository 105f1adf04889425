/**
 * @module sender/retry-policy
 * Konnect's retry rules for one batch, as Kong documents them for audit-log
 * webhooks (docs.konghq.com/konnect/org-management/audit-logging/webhook):
 * "A retry is performed on connection error, server error (500 HTTP status
 * code), or too many requests (429 HTTP status code)"; minimum wait 1 s,
 * maximum wait 30 s, at most 4 retries. Any other status ends the delivery.
 *
 * The waits are exponential from the minimum (1, 2, 4, 8 s) and a
 * `Retry-After` is honoured within [min, max]. `sleep` is injectable so tests
 * (and the benchmark) never wait for real.
 */
import { KarError } from '../errors/index.js';

export interface RetryPolicy {
  readonly maxRetries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Waits before a retry; tests inject one that records and resolves at once. */
  readonly sleep: (ms: number) => Promise<void>;
}

/** Statuses Konnect retries; every other status ends the delivery of the batch. */
export const retryableStatuses: ReadonlySet<number> = new Set([429, 500]);

export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const konnectRetryPolicy: RetryPolicy = Object.freeze({ maxRetries: 4, minDelayMs: 1_000, maxDelayMs: 30_000, sleep: realSleep });

/** Konnect's policy with some parts replaced (validated once). */
export function createRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...konnectRetryPolicy, ...overrides };
  const bad: string[] = [];
  if (!Number.isInteger(policy.maxRetries) || policy.maxRetries < 0) bad.push(`maxRetries must be an integer >= 0 (got ${policy.maxRetries})`);
  if (!(policy.minDelayMs >= 0)) bad.push(`minDelayMs must be >= 0 (got ${policy.minDelayMs})`);
  if (!(policy.maxDelayMs >= policy.minDelayMs)) bad.push(`maxDelayMs must be >= minDelayMs (got ${policy.maxDelayMs})`);
  if (bad.length > 0) throw new KarError('KAR_ERR_CONFIG_INVALID', `invalid retry policy: ${bad.join('; ')}`);
  return Object.freeze(policy);
}

export function isRetryableStatus(status: number): boolean {
  return retryableStatuses.has(status);
}

/**
 * The wait before retry number `retry` (1-based): `Retry-After` (delta-seconds
 * or an HTTP date, RFC 9110 §10.2.3) when the answer carried a usable one,
 * otherwise exponential from the minimum; always clamped to [min, max].
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, retryAfter?: string, now: number = Date.now()): number {
  const fromHeader = retryAfter === undefined ? undefined : parseRetryAfterMs(retryAfter, now);
  const wanted = fromHeader ?? policy.minDelayMs * 2 ** Math.max(0, retry - 1);
  return Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, wanted));
}

/** Milliseconds from a `Retry-After` value; `undefined` when it is neither form. */
export function parseRetryAfterMs(value: string, now: number = Date.now()): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // An HTTP date names its day and month; without a letter, Date.parse would read `-5` as a year.
  const date = /[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

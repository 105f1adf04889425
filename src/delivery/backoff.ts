/**
 * @module delivery/backoff
 * Retry delays: exponential backoff with FULL jitter (a uniformly random wait
 * between 0 and the exponential cap), which spreads retries of many
 * receivers best (aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter).
 * A sink's Retry-After wins when it gives one, capped so that a misbehaving
 * server cannot park a sink for a day.
 */

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 60_000 };
export const DEFAULT_MAX_RETRY_AFTER_MS = 5 * 60_000;

/** The wait before retry number `attempt` (1 for the first retry). */
export function retryDelayMs(attempt: number, options: BackoffOptions, random: () => number, retryAfterMs?: number, maxRetryAfterMs = DEFAULT_MAX_RETRY_AFTER_MS): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) return Math.min(retryAfterMs, maxRetryAfterMs);
  // 2 ** 30 already dwarfs any sane maxMs; clamping the exponent avoids Infinity.
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * cap);
}

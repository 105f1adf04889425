/**
 * @module sender/post-batch
 * Delivers one batch the way Konnect does: POST, and retry only on a
 * connection error, 500 or 429, waiting per the policy, at most
 * `maxRetries` times. Any other answer ends the delivery of the batch
 * (SPEC 2). Never throws for the receiver's behaviour: the result says it.
 */
import type { BatchSummary } from '../store/types.js';
import type { Batch } from './build-batches.js';
import { isRetryableStatus, konnectRetryPolicy, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import type { AttemptOutcome, SendTarget } from './target.js';

export interface AttemptRecord {
  /** 1 for the first attempt; attempt n + 1 is retry n. */
  readonly attempt: number;
  /** The HTTP status, when an answer came. */
  readonly status: number | undefined;
  /** The connection error, when no answer came. */
  readonly error: string | undefined;
  /** The wait before the next attempt; undefined for the last attempt. */
  readonly waitMs: number | undefined;
}

export interface BatchResult {
  readonly index: number;
  readonly lines: number;
  readonly tampered: number;
  /** The last attempt got a 2xx. */
  readonly accepted: boolean;
  /** The last attempt's status (undefined when it was a connection error). */
  readonly status: number | undefined;
  /** The last attempt's connection error. */
  readonly error: string | undefined;
  /** The receiver's 200 summary, when it sent one (SPEC 5.2). */
  readonly summary: BatchSummary | undefined;
  /** The start of the last answer's body when it was not accepted (the receiver's error). */
  readonly answer: string | undefined;
  readonly attempts: readonly AttemptRecord[];
}

export interface PostBatchOptions {
  readonly policy?: RetryPolicy;
  /** Called after every attempt (progress output). */
  readonly onAttempt?: (batch: Batch, attempt: AttemptRecord) => void;
}

export async function postBatch(batch: Batch, target: SendTarget, options: PostBatchOptions = {}): Promise<BatchResult> {
  const policy = options.policy ?? konnectRetryPolicy;
  const attempts: AttemptRecord[] = [];
  for (;;) {
    const outcome = await target.attempt(batch.body);
    const retry = attempts.length + 1;
    const retryable = outcome.kind === 'connection-error' || isRetryableStatus(outcome.status);
    const waitMs = retryable && retry <= policy.maxRetries ? retryDelayMs(policy, retry, outcome.kind === 'answer' ? outcome.retryAfter : undefined) : undefined;
    const record: AttemptRecord = {
      attempt: retry,
      status: outcome.kind === 'answer' ? outcome.status : undefined,
      error: outcome.kind === 'connection-error' ? outcome.message : undefined,
      waitMs,
    };
    attempts.push(record);
    options.onAttempt?.(batch, record);
    if (waitMs === undefined) return resultOf(batch, outcome, attempts);
    await policy.sleep(waitMs);
  }
}

function resultOf(batch: Batch, outcome: AttemptOutcome, attempts: AttemptRecord[]): BatchResult {
  const base = { index: batch.index, lines: batch.lines.length, tampered: batch.tampered, attempts };
  if (outcome.kind === 'connection-error') {
    return { ...base, accepted: false, status: undefined, error: outcome.message, summary: undefined, answer: undefined };
  }
  const accepted = outcome.status >= 200 && outcome.status < 300;
  return {
    ...base,
    accepted,
    status: outcome.status,
    error: undefined,
    summary: accepted ? parseSummary(outcome.body) : undefined,
    answer: accepted ? undefined : outcome.body.slice(0, 300).trim(),
  };
}

/** The receiver's `{accepted, duplicates, quarantined, rejected}`; undefined for any other body. */
export function parseSummary(body: string): BatchSummary | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const { accepted, duplicates, quarantined, rejected } = v;
  if (typeof accepted !== 'number' || typeof duplicates !== 'number' || typeof quarantined !== 'number' || typeof rejected !== 'number') return undefined;
  return { accepted, duplicates, quarantined, rejected };
}

/**
 * @module sender/send-batches
 * Sends a run of batches with a bounded number in flight and adds up what the
 * receiver answered. Konnect delivers batches independently, so one batch
 * that is not accepted does not stop the others.
 */
import type { Batch } from './build-batches.js';
import { postBatch, type BatchResult, type PostBatchOptions } from './post-batch.js';
import type { SendTarget } from './target.js';

export interface SendOptions extends PostBatchOptions {
  /** Batches in flight at once (default 1: Konnect's order). */
  readonly concurrency?: number;
  readonly onResult?: (result: BatchResult) => void;
}

export interface SendTotals {
  readonly batches: number;
  readonly acceptedBatches: number;
  readonly failedBatches: number;
  readonly lines: number;
  readonly tampered: number;
  readonly attempts: number;
  readonly retries: number;
  /** Sums of the receiver's 200 summaries. */
  readonly accepted: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly rejected: number;
}

/** Results in batch order. */
export async function sendBatches(batches: readonly Batch[], target: SendTarget, options: SendOptions = {}): Promise<BatchResult[]> {
  const results: BatchResult[] = new Array<BatchResult>(batches.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const position = next++;
      const result = await postBatch(batches[position] as Batch, target, options);
      results[position] = result;
      options.onResult?.(result);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, batches.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

export function totalsOf(results: readonly BatchResult[]): SendTotals {
  const totals = { batches: 0, acceptedBatches: 0, failedBatches: 0, lines: 0, tampered: 0, attempts: 0, retries: 0, accepted: 0, duplicates: 0, quarantined: 0, rejected: 0 };
  for (const r of results) {
    totals.batches++;
    if (r.accepted) totals.acceptedBatches++;
    else totals.failedBatches++;
    totals.lines += r.lines;
    totals.tampered += r.tampered;
    totals.attempts += r.attempts.length;
    totals.retries += r.attempts.length - 1;
    totals.accepted += r.summary?.accepted ?? 0;
    totals.duplicates += r.summary?.duplicates ?? 0;
    totals.quarantined += r.summary?.quarantined ?? 0;
    totals.rejected += r.summary?.rejected ?? 0;
  }
  return totals;
}

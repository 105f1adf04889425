/**
 * @module sender/report
 * What a person reads after a send: one line per batch (what the receiver
 * answered, after how many attempts) and a total. Never includes the
 * Authorization value: nothing here receives it.
 */
import type { AttemptRecord, BatchResult } from './post-batch.js';
import type { SendTotals } from './send-batches.js';

export function formatBatchResult(result: BatchResult, of: number, label = 'batch'): string {
  const head = `${label} ${result.index + 1}/${of}`;
  const attempts = `${result.attempts.length} attempt${result.attempts.length === 1 ? '' : 's'}`;
  const tampered = result.tampered > 0 ? `, ${result.tampered} tampered` : '';
  if (result.accepted) {
    const s = result.summary;
    const counts = s === undefined ? 'no summary in the answer' : `accepted ${s.accepted}, duplicates ${s.duplicates}, quarantined ${s.quarantined}, rejected ${s.rejected}`;
    return `${head}: ${result.status} (${result.lines} lines${tampered}) ${counts} [${attempts}]`;
  }
  const why = result.status === undefined ? `no answer: ${result.error ?? 'connection error'}` : `${result.status}${result.answer ? ` ${result.answer}` : ''}`;
  return `${head}: NOT ACCEPTED (${result.lines} lines${tampered}) ${why} [${attempts}]`;
}

/** A retry about to happen (progress on stderr). */
export function formatRetry(index: number, of: number, attempt: AttemptRecord, maxRetries: number): string {
  const what = attempt.status === undefined ? `no answer (${attempt.error ?? 'connection error'})` : `${attempt.status}`;
  return `batch ${index + 1}/${of}: ${what}; retry ${attempt.attempt} of ${maxRetries} in ${((attempt.waitMs ?? 0) / 1000).toFixed(1)} s`;
}

export function formatTotals(totals: SendTotals): string {
  const batches = `${totals.batches} batch${totals.batches === 1 ? '' : 'es'} (${totals.acceptedBatches} accepted, ${totals.failedBatches} not accepted, ${totals.retries} retries)`;
  const lines = `${totals.lines} lines${totals.tampered > 0 ? ` (${totals.tampered} tampered)` : ''}`;
  return `total: ${batches}; ${lines}: accepted ${totals.accepted}, duplicates ${totals.duplicates}, quarantined ${totals.quarantined}, rejected ${totals.rejected}`;
}

/**
 * @module sender
 * Konnect's side of the webhook, for `konnect-audit send`, `demo` and the
 * receiver benchmark: build gzip batches up front, POST them with Konnect's
 * headers, retry with Konnect's rules (injectable, so tests never sleep).
 */
export { buildBatches, encodeBatch, type Batch, type BuildBatchesOptions } from './build-batches.js';
export { postBatch, parseSummary, type AttemptRecord, type BatchResult, type PostBatchOptions } from './post-batch.js';
export { createRetryPolicy, isRetryableStatus, konnectRetryPolicy, parseRetryAfterMs, realSleep, retryableStatuses, retryDelayMs, type RetryPolicy } from './retry-policy.js';
export { formatBatchResult, formatRetry, formatTotals } from './report.js';
export { generateSignedLines, readSigningKey, signingKeyOf, type SignedLinesOptions } from './signed-lines.js';
export { sendBatches, totalsOf, type SendOptions, type SendTotals } from './send-batches.js';
export { createTarget, konnectHeaders, konnectUserAgent, type AttemptOutcome, type SendTarget, type TargetOptions } from './target.js';
export { tamperIndexes, tamperLine } from './tamper.js';

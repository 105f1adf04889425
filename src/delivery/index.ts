/**
 * @module delivery
 * Store → sinks: per-sink batching, retry with backoff and full jitter,
 * dead letters, graceful stop (docs/DELIVERY.md).
 */
export { createDispatcher, DEFAULT_FLUSH_TIMEOUT_MS, type Dispatcher, type DispatcherOptions, type DispatcherStats, type StopOptions } from './dispatcher.js';
export type { SinkWorkerStats, WorkerState } from './sink-worker.js';
export { retryDelayMs, DEFAULT_BACKOFF, DEFAULT_MAX_RETRY_AFTER_MS, type BackoffOptions } from './backoff.js';

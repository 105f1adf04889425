/**
 * @module delivery/dispatcher
 * Store → sinks (SPEC 5.3): one worker per sink, fed from the durable store,
 * woken when the store commits new events (and polling, for events another
 * process queued, e.g. `konnect-audit dead-letter retry`).
 *
 * The dispatcher owns the sinks' lifecycle: `start()` starts every worker,
 * each worker starts its sink (retrying with backoff when that fails, without
 * holding the other sinks), and `stop()` closes them.
 */
import { KarError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import type { Sink } from '../sinks/types.js';
import type { DeliveryStore } from '../store/types.js';
import { DEFAULT_BACKOFF, DEFAULT_MAX_RETRY_AFTER_MS, type BackoffOptions } from './backoff.js';
import { createSinkWorker, type SinkWorker, type SinkWorkerStats } from './sink-worker.js';

export interface DispatcherOptions {
  readonly store: DeliveryStore;
  readonly sinks: readonly Sink[];
  readonly logger: Logger;
  /** How long a batch may wait to fill up to the sink's maxBatchBytes (default 1000 ms). */
  readonly batchMaxAgeMs?: number;
  /** How often an idle sink looks for events committed by another process (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** Most events per write, whatever their size (default 10,000). */
  readonly maxBatchEvents?: number;
  /** Exponential backoff with full jitter (default 500 ms doubling to 60 s). */
  readonly backoff?: BackoffOptions;
  /** Cap of a sink's Retry-After (default 5 min). */
  readonly maxRetryAfterMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface StopOptions {
  /**
   * Time to deliver what is stored before stopping (default 10 s). After it,
   * no new write starts; writes in flight get as long again to finish, then
   * the sinks are closed anyway (their events stay stored and are sent again
   * at the next start).
   */
  readonly flushTimeoutMs?: number;
}

export interface DispatcherStats {
  readonly running: boolean;
  readonly sinks: readonly SinkWorkerStats[];
}

export interface Dispatcher {
  start(): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  stats(): DispatcherStats;
}

export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new KarError('KAR_ERR_CONFIG_INVALID', `dispatcher option ${name} must be a non-negative number, got ${value}`);
  return value;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const names = options.sinks.map((s) => s.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new KarError('KAR_ERR_CONFIG_INVALID', `two sinks are named '${duplicate}'; sink names must be unique`);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  if (!(backoff.baseMs > 0) || !(backoff.maxMs >= backoff.baseMs)) {
    throw new KarError('KAR_ERR_CONFIG_INVALID', `dispatcher backoff needs 0 < baseMs <= maxMs, got ${backoff.baseMs} and ${backoff.maxMs}`);
  }
  const settings = {
    store: options.store,
    logger: options.logger,
    batchMaxAgeMs: nonNegative('batchMaxAgeMs', options.batchMaxAgeMs, 1000),
    pollIntervalMs: nonNegative('pollIntervalMs', options.pollIntervalMs, 1000),
    maxBatchEvents: Math.max(1, Math.floor(nonNegative('maxBatchEvents', options.maxBatchEvents, 10_000))),
    backoff,
    maxRetryAfterMs: nonNegative('maxRetryAfterMs', options.maxRetryAfterMs, DEFAULT_MAX_RETRY_AFTER_MS),
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
  };

  let run: { workers: SinkWorker[]; loops: Promise<void>[]; drain: AbortController; halt: AbortController; unsubscribe: () => void } | undefined;
  let stopping: Promise<void> | undefined;
  let lastStats: SinkWorkerStats[] = [];

  async function stopRun(current: NonNullable<typeof run>, flushTimeoutMs: number): Promise<void> {
    const log = options.logger;
    current.drain.abort();
    const flushTimer = setTimeout(() => current.halt.abort(), flushTimeoutMs);
    flushTimer.unref();
    const all = Promise.all(current.loops);
    let graceTimer: NodeJS.Timeout | undefined;
    // After the flush time, a write in flight gets as long again; a sink
    // must time out its own I/O, this only keeps a hung one from hanging shutdown.
    const grace = new Promise<'grace'>((resolve) => {
      current.halt.signal.addEventListener('abort', () => {
        graceTimer = setTimeout(() => resolve('grace'), flushTimeoutMs);
        graceTimer.unref();
      }, { once: true });
    });
    const ended = await Promise.race([all.then(() => 'done' as const), grace]);
    clearTimeout(flushTimer);
    if (graceTimer !== undefined) clearTimeout(graceTimer);
    current.halt.abort();
    current.unsubscribe();
    lastStats = current.workers.map((w) => w.stats());
    if (ended === 'grace') {
      const busy = lastStats.filter((s) => s.state === 'writing').map((s) => s.name);
      log.warn({ sinks: busy }, 'sink writes still in flight at shutdown; their events stay stored and are sent again at the next start');
    }
    await Promise.all(
      options.sinks.map(async (sink) => {
        try {
          await sink.close();
        } catch (error) {
          log.error({ err: error, sink: sink.name }, 'sink failed to close');
        }
      }),
    );
  }

  return {
    async start() {
      if (run !== undefined) return;
      if (stopping !== undefined) await stopping;
      const drain = new AbortController();
      const halt = new AbortController();
      // Halting implies draining: every wait that ends on drain ends on halt too.
      halt.signal.addEventListener('abort', () => drain.abort(), { once: true });
      const workers = options.sinks.map((sink) => createSinkWorker(sink, { ...settings, draining: drain.signal, halted: halt.signal }));
      const unsubscribe = options.store.onCommit(() => {
        for (const worker of workers) worker.wake();
      });
      const loops = workers.map((worker) =>
        worker.run().catch((error: unknown) => {
          options.logger.error({ err: error, sink: worker.stats().name }, 'sink worker stopped on an unexpected error');
        }),
      );
      run = { workers, loops, drain, halt, unsubscribe };
      options.logger.info({ sinks: names }, 'delivery started');
    },
    async stop(stopOptions = {}) {
      const current = run;
      if (current === undefined) return stopping;
      run = undefined;
      const flushTimeoutMs = nonNegative('flushTimeoutMs', stopOptions.flushTimeoutMs, DEFAULT_FLUSH_TIMEOUT_MS);
      stopping = stopRun(current, flushTimeoutMs).finally(() => {
        stopping = undefined;
      });
      await stopping;
      options.logger.info('delivery stopped');
    },
    stats() {
      return run === undefined ? { running: false, sinks: lastStats } : { running: true, sinks: run.workers.map((w) => w.stats()) };
    },
  };
}

/**
 * @module store/sqlite-store
 * `openStore`: the durable spool in `KONNECT_AUDIT_DATA_DIR` (SPEC 5.3). One
 * SQLite file in WAL mode with synchronous = FULL: a resolved commitBatch is
 * fsync'd, which is what the receiver's 200 promises. Safe to open from a
 * second process (the CLI) while `serve` runs: WAL lets readers and one
 * writer work together, and busy_timeout makes writers wait their turn.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { KarError } from '../../errors/index.js';
import { createSilentLogger, type Logger } from '../../observability/logger.js';
import { firstRecordAfter } from '../record-codec.js';
import { createBallast } from './ballast.js';
import { createQueueCounters } from './counters.js';
import { createDedupTable } from './dedup.js';
import { toStoreError } from './errors.js';
import { createGroupCommit } from './group-commit.js';
import { registerStoreGauges } from '../metrics.js';
import { createProgress, type SinkCursor } from './progress.js';
import { createRecords, type DeadLetterEntry, type PageOptions, type QuarantineEntry } from './records.js';
import { configureConnection, migrate } from './schema.js';
import type { DeliveryStore, EventToStore, Store } from '../types.js';

export const STORE_FILE_NAME = 'konnect-audit.db';
export const DEFAULT_MAX_BYTES = 1024 ** 3;
/** Konnect replays up to 7 days back; one more day of margin. */
export const DEFAULT_DEDUP_WINDOW_MS = 8 * 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_DEDUP_IDS = 10_000_000;
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** How long a failed commit keeps health() red without a later success. */
const HEALTH_ERROR_MS = 30_000;

export interface StoreOptions {
  readonly dataDir: string;
  /** Bytes of undelivered records (lines as received and their verdicts) beyond which commitBatch answers STORE_FULL. */
  readonly maxBytes?: number;
  readonly dedupWindowMs?: number;
  /** Bound of the dedup table; the oldest ids are evicted first. */
  readonly maxDedupIds?: number;
  /**
   * The configured sinks (serve). Omitted: the sink registration in the file
   * is left as it is (the CLI, which does not know serve's configuration).
   */
  readonly sinkNames?: readonly string[];
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly busyTimeoutMs?: number;
  /** false: the store must already exist (the CLI must not create an empty one). Default true. */
  readonly create?: boolean;
}

export interface StoreStats {
  readonly pendingEvents: number;
  readonly pendingBytes: number;
  readonly maxBytes: number;
  /** Seconds since the oldest undelivered event was stored; 0 when none. */
  readonly oldestPendingAgeSeconds: number;
  readonly dedupIds: number;
  readonly quarantineRecords: number;
  readonly deadLetterRecords: number;
  readonly sinks: readonly SinkCursor[];
  /** This process: transactions written and batches committed (group commit makes the first smaller). */
  readonly commitTransactions: number;
  readonly committedBatches: number;
}

export interface SqliteStore extends Store, DeliveryStore {
  readonly path: string;
  readonly maxBytes: number;
  sinks(): SinkCursor[];
  stats(): StoreStats;
  /** Removes delivered events and expired dedup ids now (also done as part of commits and acks). */
  prune(): { events: number; dedupIds: number };
  listQuarantine(page: PageOptions): QuarantineEntry[];
  /** Moves re-verified lines into the delivery queue (dedup applies) and out of the quarantine. */
  releaseQuarantine(items: readonly { readonly qid: number; readonly event: EventToStore }[]): { accepted: number; duplicates: number };
  listDeadLetters(page: PageOptions & { readonly sink?: string }): DeadLetterEntry[];
  /** Queues dead letters again, each for the sink that refused it; those of inactive sinks stay. */
  requeueDeadLetters(options?: { readonly sink?: string; readonly limit?: number }): { requeued: number; inactiveSinks: string[] };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new KarError('KAR_ERR_CONFIG_INVALID', `store option ${name} must be a positive number, got ${value}`);
  return value;
}

function openDatabase(path: string, dataDir: string, create: boolean, busyTimeoutMs: number): Database.Database {
  const existed = existsSync(path);
  if (!existed && !create) throw new KarError('KAR_ERR_IO_READ', `no store in ${dataDir} (expected ${path}); check --data-dir or KONNECT_AUDIT_DATA_DIR`);
  try {
    // Audit events are sensitive: the directory is private to the service user.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = new Database(path);
    if (!existed) chmodSync(path, 0o600);
    configureConnection(db, busyTimeoutMs);
    migrate(db);
    return db;
  } catch (error) {
    throw toStoreError(error, `open the store ${path}`);
  }
}

export function openStore(options: StoreOptions): SqliteStore {
  const maxBytes = positive('maxBytes', options.maxBytes, DEFAULT_MAX_BYTES);
  const windowMs = positive('dedupWindowMs', options.dedupWindowMs, DEFAULT_DEDUP_WINDOW_MS);
  const maxIds = Math.floor(positive('maxDedupIds', options.maxDedupIds, DEFAULT_MAX_DEDUP_IDS));
  const logger = options.logger ?? createSilentLogger();
  const now = options.now ?? Date.now;
  const path = join(options.dataDir, STORE_FILE_NAME);
  const db = openDatabase(path, options.dataDir, options.create ?? true, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);

  const counters = createQueueCounters(db);
  const dedup = createDedupTable(db, { windowMs, maxIds });
  const progress = createProgress(db, counters);
  const records = createRecords(db, dedup, counters);
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        logger.error({ err: error }, 'commit listener failed');
      }
    }
  };
  const group = createGroupCommit({ db, dedup, counters, maxBytes, now, logger, onStored: notify });
  const oldestStoredAt = db.prepare<[], number>('SELECT stored_at FROM records ORDER BY seq LIMIT 1').pluck();
  // A sink's oldest undelivered event: the first after its cursor meant for every sink or for it alone (progress.ts).
  const oldestPendingFor = db.prepare<[number, string], number>('SELECT stored_at FROM records WHERE seq >= ? AND (target IS NULL OR target = ?) ORDER BY seq LIMIT 1').pluck();
  let closed = false;
  const ageSeconds = (storedAt: number | undefined): number => (storedAt === undefined ? 0 : Math.max(0, (now() - storedAt) / 1000));

  /** Runs a write transaction (BEGIN IMMEDIATE: takes the write lock first, so another process cannot make it fail halfway). */
  function write<T>(action: string, fn: () => T): T {
    if (closed) throw new KarError('KAR_ERR_STORE_UNAVAILABLE', `cannot ${action}: the store is closed`);
    try {
      return db.transaction(fn).immediate();
    } catch (error) {
      const storeError = toStoreError(error, action);
      // A full disk: use the room kept for this (ballast.ts), once.
      if (storeError.details?.['sqlite'] !== 'SQLITE_FULL' || ballast?.release() !== true) throw storeError;
    }
    try {
      return db.transaction(fn).immediate();
    } catch (error) {
      throw toStoreError(error, action);
    }
  }

  function read<T>(action: string, fn: () => T): T {
    if (closed) throw new KarError('KAR_ERR_STORE_UNAVAILABLE', `cannot ${action}: the store is closed`);
    try {
      return fn();
    } catch (error) {
      throw toStoreError(error, action);
    }
  }

  // Only serve keeps room for delivery progress (the CLI opens an existing store).
  const ballast = options.sinkNames === undefined ? undefined : createBallast(options.dataDir, logger);
  ballast?.restore();
  if (options.sinkNames !== undefined) {
    const names = options.sinkNames;
    write('register the sinks', () => {
      progress.registerSinks(names);
      progress.pruneDelivered();
    });
  }

  const store: SqliteStore = {
    path,
    maxBytes,
    commitBatch(batch) {
      if (closed) return Promise.reject(new KarError('KAR_ERR_STORE_UNAVAILABLE', 'the store is closed'));
      return group.commit(batch);
    },
    health() {
      if (closed) return { ok: false, reason: 'the store is closed' };
      // Full is still ready: the receiver answers 429 and Konnect retries, whereas a
      // load balancer that took a "not ready" receiver out would answer 503 and
      // Konnect would drop the batch (SPEC 5.2: never 502/503/504 for a retry).
      // That holds for a full disk (SQLITE_FULL) as for the configured limit.
      const failure = group.stats().lastError;
      if (failure !== undefined && now() - failure.atMs < HEALTH_ERROR_MS) {
        const reason = `${failure.error.code}: ${failure.error.message}`;
        return failure.error.code === 'KAR_ERR_STORE_FULL' ? { ok: true, reason: `${reason}; answering 429` } : { ok: false, reason };
      }
      try {
        const { bytes } = counters.read();
        return bytes >= maxBytes ? { ok: true, reason: `full (KAR_ERR_STORE_FULL): ${bytes} bytes undelivered, limit ${maxBytes}; answering 429` } : { ok: true };
      } catch (error) {
        return { ok: false, reason: toStoreError(error, 'read the store').message };
      }
    },
    depth() {
      return read('read the store depth', () => counters.read().events);
    },
    readPending(sink, limits) {
      return read('read pending events', () => progress.readPending(sink, limits));
    },
    completeDelivery(sink, uptoSeq, deadLetters) {
      const failedAt = new Date(now()).toISOString();
      write('record delivery progress', () => {
        progress.advance(sink, uptoSeq, deadLetters, failedAt);
        progress.pruneDelivered();
      });
      if (counters.read().events === 0) ballast?.restore();
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    sinks() {
      return read('read the sinks', () => progress.sinks());
    },
    stats() {
      return read('read store statistics', () => {
        const queue = counters.read();
        const oldest = oldestStoredAt.get();
        const counts = records.counts();
        const commits = group.stats();
        return {
          pendingEvents: queue.events,
          pendingBytes: queue.bytes,
          maxBytes,
          oldestPendingAgeSeconds: ageSeconds(oldest),
          dedupIds: dedup.size(),
          quarantineRecords: counts.quarantine,
          deadLetterRecords: counts.deadLetters,
          sinks: progress.sinks(),
          commitTransactions: commits.transactions,
          committedBatches: commits.batches,
        };
      });
    },
    prune() {
      return write('prune the store', () => {
        const events = progress.pruneDelivered();
        let dedupIds = 0;
        for (let n = dedup.pruneExpired(now(), 10_000); n > 0; n = dedup.pruneExpired(now(), 10_000)) dedupIds += n;
        return { events, dedupIds };
      });
    },
    listQuarantine(page) {
      return read('list the quarantine', () => records.listQuarantine(page));
    },
    releaseQuarantine(items) {
      const result = write('move lines out of the quarantine', () => records.releaseQuarantine(items, now()));
      if (result.accepted > 0) notify();
      return result;
    },
    listDeadLetters(page) {
      return read('list the dead letters', () => records.listDeadLetters(page));
    },
    requeueDeadLetters(opts = {}) {
      const limit = opts.limit ?? Number.POSITIVE_INFINITY;
      const inactive = new Set<string>();
      let requeued = 0;
      let after = 0;
      for (;;) {
        const pageSize = Math.min(1000, limit - requeued);
        if (pageSize <= 0) break;
        const moved = write('re-queue dead letters', () => {
          const active = new Set(progress.sinks().filter((s) => s.active).map((s) => s.name));
          const page = records.listDeadLetters({ after, limit: pageSize, ...(opts.sink === undefined ? {} : { sink: opts.sink }) });
          const last = page.at(-1);
          if (last !== undefined) after = last.dlid;
          for (const entry of page) if (!active.has(entry.sink)) inactive.add(entry.sink);
          return { seen: page.length, count: records.requeueDeadLetters(page.filter((e) => active.has(e.sink)), now()) };
        });
        requeued += moved.count;
        if (moved.seen < pageSize) break;
      }
      if (requeued > 0) notify();
      return { requeued, inactiveSinks: [...inactive].sort() };
    },
    async close() {
      if (closed) return;
      group.flushNow();
      closed = true;
      unregister();
      listeners.clear();
      db.close();
    },
  };

  const unregister = registerStoreGauges({
    gauges() {
      const s = store.stats();
      return {
        pendingEvents: s.pendingEvents,
        pendingBytes: s.pendingBytes,
        oldestPendingAgeSeconds: s.oldestPendingAgeSeconds,
        quarantineRecords: s.quarantineRecords,
        deadLetterRecords: s.deadLetterRecords,
        maxBytes: s.maxBytes,
        sinkOldestPendingAgeSeconds: Object.fromEntries(
          s.sinks.filter((sink) => sink.active).map((sink) => [sink.name, ageSeconds(oldestPendingFor.get(firstRecordAfter(sink.cursor), sink.name))]),
        ),
      };
    },
  });
  return store;
}

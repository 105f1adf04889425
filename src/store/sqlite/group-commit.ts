/**
 * @module store/group-commit
 * commitBatch with group commit. Each commit costs one fsync (synchronous =
 * FULL), and an fsync costs milliseconds on real disks: one transaction per
 * HTTP request would cap the receiver at a few hundred requests per second.
 *
 * better-sqlite3 is synchronous, so while a transaction is written the event
 * loop is blocked and new requests pile up in the socket buffers; their
 * handlers run afterwards and each calls commitBatch. Those calls only queue
 * their batch and schedule one `setImmediate`, which runs after the I/O phase
 * of the loop: by then every request that became ready in the same turn has
 * queued its batch, and one transaction (one fsync) commits them all. Nothing
 * is acknowledged before that transaction returns, i.e. before it is on disk.
 *
 * Each batch stays all-or-nothing inside the group: it runs in its own
 * savepoint, so a batch that would overflow the store is rolled back alone
 * (STORE_FULL) while the others commit. A failure of the transaction itself
 * (disk full, I/O error, lock timeout) fails every batch of the group.
 */
import type { Database } from 'better-sqlite3';
import type { Logger } from '../../observability/logger.js';
import { KarError, isKarError } from '../../errors/index.js';
import { quarantineKey } from '../dedup-key.js';
import type { DedupTable } from './dedup.js';
import type { QueueCounters } from './counters.js';
import { toStoreError } from './errors.js';
import { storeMetrics } from '../metrics.js';
import { DEDUP_KEY_BYTES, type BatchSummary, type IncomingBatch } from '../types.js';

/** A record's skipped lines as stored: u32 little-endian indices (NULL for none). */
export function encodeSkip(skip: readonly number[]): Buffer | null {
  if (skip.length === 0) return null;
  const out = Buffer.allocUnsafe(4 * skip.length);
  skip.forEach((line, i) => out.writeUInt32LE(line, 4 * i));
  return out;
}

export function decodeSkip(skip: Buffer | null): number[] {
  if (skip === null) return [];
  const out: number[] = [];
  for (let at = 0; at + 4 <= skip.length; at += 4) out.push(skip.readUInt32LE(at));
  return out;
}

/** How many expired dedup ids one commit removes at most (keeps every commit short). */
const DEDUP_PRUNE_CHUNK = 5000;

export interface GroupCommitOptions {
  readonly db: Database;
  readonly dedup: DedupTable;
  readonly counters: QueueCounters;
  readonly maxBytes: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** Called after a transaction that stored events for delivery. */
  readonly onStored: () => void;
}

export interface GroupCommit {
  commit(batch: IncomingBatch): Promise<BatchSummary>;
  /** Commits whatever is queued now (close path). */
  flushNow(): void;
  stats(): { transactions: number; batches: number; lastError?: { readonly error: KarError; readonly atMs: number } };
}

interface Waiting {
  readonly batch: IncomingBatch;
  readonly resolve: (summary: BatchSummary) => void;
  readonly reject: (error: KarError) => void;
}

export function createGroupCommit(options: GroupCommitOptions): GroupCommit {
  const { db, dedup, counters, maxBytes, now, logger } = options;
  const insertRecord = db.prepare<[Buffer, Buffer | null, number, number, number]>('INSERT INTO records(payload, skip, events, bytes, stored_at) VALUES (?, ?, ?, ?, ?)');
  const insertQuarantine = db.prepare<[string, Buffer, string, string, string, string, string | null, string]>(
    'INSERT OR IGNORE INTO quarantine(id, raw_key, kind, code, reason, raw, json, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );

  let queue: Waiting[] = [];
  let scheduled = false;
  let transactions = 0;
  let batches = 0;
  let lastError: { error: KarError; atMs: number } | undefined;
  let full = false;

  /** One batch inside its own savepoint (a nested better-sqlite3 transaction). */
  const commitOne = db.transaction((batch: IncomingBatch, nowMs: number): BatchSummary => {
    const summary: BatchSummary = { accepted: 0, duplicates: batch.duplicates, quarantined: 0, rejected: 0 };
    let bytes = 0;
    for (const record of batch.records) {
      const keys = Buffer.from(record.keys.buffer, record.keys.byteOffset, record.keys.byteLength);
      const lines = Math.floor(keys.length / DEDUP_KEY_BYTES);
      const skip: number[] = [];
      for (let i = 0; i < lines; i++) if (!dedup.claim(keys.subarray(i * DEDUP_KEY_BYTES, (i + 1) * DEDUP_KEY_BYTES), nowMs)) skip.push(i);
      summary.duplicates += skip.length;
      if (skip.length === lines) continue;
      const payload = Buffer.from(record.payload.buffer, record.payload.byteOffset, record.payload.byteLength);
      insertRecord.run(payload, encodeSkip(skip), lines - skip.length, payload.length, nowMs);
      summary.accepted += lines - skip.length;
      bytes += payload.length;
    }
    if (bytes > 0) {
      const queued = counters.read().bytes;
      if (queued + bytes > maxBytes) {
        throw new KarError('KAR_ERR_STORE_FULL', `the store holds ${queued} bytes of undelivered records; this batch (${bytes} bytes) would pass the ${maxBytes}-byte limit`, {
          details: { queuedBytes: queued, batchBytes: bytes, maxBytes },
        });
      }
      counters.add(summary.accepted, bytes);
    }
    for (const record of batch.quarantine) {
      const added = insertQuarantine.run(record.id, quarantineKey(record.raw), record.kind, record.code, record.reason, record.raw, record.json ?? null, batch.receivedAt).changes === 1;
      if (!added) summary.duplicates++;
      else if (record.kind === 'quarantined') summary.quarantined++;
      else summary.rejected++;
    }
    return summary;
  });

  const commitGroup = db.transaction((group: readonly Waiting[], results: (BatchSummary | KarError)[], nowMs: number): void => {
    dedup.pruneExpired(nowMs, DEDUP_PRUNE_CHUNK);
    group.forEach((waiting, i) => {
      try {
        results[i] = commitOne(waiting.batch, nowMs);
      } catch (error) {
        if (!isKarError(error) || error.code !== 'KAR_ERR_STORE_FULL') throw error;
        results[i] = error;
      }
    });
    dedup.enforceBound();
  });

  function count(summary: BatchSummary, dropped: number): void {
    storeMetrics.lines.inc({ outcome: 'accepted' }, summary.accepted);
    storeMetrics.lines.inc({ outcome: 'duplicate' }, summary.duplicates);
    storeMetrics.lines.inc({ outcome: 'quarantined' }, summary.quarantined);
    storeMetrics.lines.inc({ outcome: 'rejected' }, summary.rejected);
    storeMetrics.lines.inc({ outcome: 'dropped' }, dropped);
  }

  function noteFull(isFull: boolean, error?: KarError): void {
    if (isFull && !full) logger.warn({ code: 'KAR_ERR_STORE_FULL', ...error?.details }, 'store full: answering 429 until the sinks drain it');
    if (!isFull && full) logger.info('store no longer full');
    full = isFull;
  }

  function flushNow(): void {
    scheduled = false;
    const group = queue;
    queue = [];
    if (group.length === 0) return;
    const results: (BatchSummary | KarError)[] = new Array<BatchSummary | KarError>(group.length);
    try {
      commitGroup.immediate(group, results, now());
    } catch (error) {
      const storeError = toStoreError(error, 'commit the batch');
      lastError = { error: storeError, atMs: now() };
      logger.error({ code: storeError.code, ...storeError.details, batches: group.length }, `store commit failed: ${storeError.message}`);
      storeMetrics.batches.inc({ result: storeError.code === 'KAR_ERR_STORE_FULL' ? 'full' : 'unavailable' }, group.length);
      for (const waiting of group) waiting.reject(storeError);
      return;
    }
    transactions++;
    lastError = undefined;
    storeMetrics.transactions.inc();
    let stored = false;
    let sawFull = false;
    group.forEach((waiting, i) => {
      const result = results[i];
      if (result === undefined || isKarError(result)) {
        sawFull = true;
        storeMetrics.batches.inc({ result: 'full' });
        noteFull(true, result);
        waiting.reject(result ?? new KarError('KAR_ERR_STORE_UNAVAILABLE', 'the batch was not committed'));
        return;
      }
      batches++;
      storeMetrics.batches.inc({ result: 'committed' });
      count(result, waiting.batch.dropped);
      if (result.accepted > 0) stored = true;
      waiting.resolve(result);
    });
    if (!sawFull && stored) noteFull(false);
    if (stored) options.onStored();
  }

  return {
    commit(batch) {
      return new Promise<BatchSummary>((resolve, reject) => {
        queue.push({ batch, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flushNow);
        }
      });
    },
    flushNow,
    stats() {
      return lastError === undefined ? { transactions, batches } : { transactions, batches, lastError };
    },
  };
}

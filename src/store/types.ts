/**
 * @module store/types
 * The durable store's contract, as the receiver and the dispatcher see it.
 * Two implementations: SQLite (store/sqlite/, the default) and NATS
 * JetStream (store/jetstream/, cluster mode, SPEC 10).
 *
 * The durable record of a batch (SPEC 5.3 allows it): its accepted lines as
 * received plus one compact verdict per line, in records of at most
 * `MAX_RECORD_LINES` lines, built by the pipeline with `encodeLinesRecord`
 * (store/record-codec.ts). Normalized events are made from a record at
 * delivery (`eventsOfRecord`), the same for every sink. A store keeps records
 * as opaque bytes; it reads only their dedup keys.
 */
import type { ErrorCode } from '../errors/index.js';
import type { NormalizedEvent, SignatureStatus } from '../normalize/event.js';

/** Bytes of one dedup key (store/dedup-key.ts: 6 bytes of event time, 10 of SHA-256 of the id). */
export const DEDUP_KEY_BYTES = 16;

/** One record of a batch's lines to forward, as the pipeline hands it to `commitBatch`. */
export interface RecordToStore {
  /** The encoded record (`encodeLinesRecord`): opaque to the store, kept byte for byte. */
  readonly payload: Uint8Array;
  /**
   * One `DEDUP_KEY_BYTES`-byte dedup key per line of the record, in the
   * record's order (`keys.length / DEDUP_KEY_BYTES` lines). A line whose key
   * the store already holds within the window is a duplicate: the store keeps
   * its index in the record's `skip` list and counts it in `duplicates`.
   */
  readonly keys: Uint8Array;
}

/**
 * An event to forward given as normalized JSON: lines released from the
 * quarantine by the CLI (SQLite store only). The pipeline sends records.
 */
export interface EventToStore {
  readonly id: string;
  readonly json: string;
  readonly status: SignatureStatus;
  /**
   * The event's time from the line (ms since the epoch; 0 when the line has
   * none): it orders the dedup index (store/dedup-key.ts). When absent, the
   * store reads `time` from `json`.
   */
  readonly timeMs?: number;
}

/** A line kept aside: failed verification (quarantine) or could not be parsed (rejected). */
export interface QuarantineRecord {
  /** Event id when the line parsed (sig or hash of raw); a hash of raw otherwise. */
  readonly id: string;
  readonly kind: 'quarantined' | 'rejected';
  readonly code: ErrorCode;
  readonly reason: string;
  readonly raw: string;
  /** The normalized event, when the caller has it (the pipeline no longer sends it: memory per batch). */
  readonly json?: string;
}

export interface IncomingBatch {
  readonly receivedAt: string;
  /** The lines to forward, in order, in records of at most MAX_RECORD_LINES lines. */
  readonly records: readonly RecordToStore[];
  readonly quarantine: readonly QuarantineRecord[];
  /** Lines dropped by policy (`drop`): counted only. */
  readonly dropped: number;
  /** Lines the pipeline found twice within this batch (same dedup key): not in `records`; the store adds them to `duplicates`. */
  readonly duplicates: number;
}

/** The 200 summary Konnect receives (SPEC 5.2). */
export interface BatchSummary {
  accepted: number;
  duplicates: number;
  quarantined: number;
  rejected: number;
}

/** A stored event as the dispatcher reads it. */
export interface StoredEvent {
  /**
   * Its position, increasing in delivery order: `positionOf(recordSeq, line)`
   * (store/record-codec.ts); the last event read from a record has the
   * record's end position, so a cursor at it means "the record is done".
   * Sink cursors are positions.
   */
  readonly seq: number;
  readonly id: string;
  readonly json: string;
}

/** A record as a store keeps it, read back for delivery (`eventsOfRecord`). */
export interface StoredRecord {
  /** The record's sequence number (a positive integer, increasing, never reused). */
  readonly seq: number;
  readonly payload: Uint8Array;
  /** Indices of its lines found to be duplicates at commit (not delivered). */
  readonly skip: readonly number[];
  /** When the store committed it (ms since epoch, store clock). */
  readonly storedAtMs: number;
}

export interface Store {
  /**
   * Dedups by key, commits and fsyncs; resolves only once the batch is durable.
   * Throws KarError KAR_ERR_STORE_FULL (429) or KAR_ERR_STORE_UNAVAILABLE (500).
   */
  commitBatch(batch: IncomingBatch): Promise<BatchSummary>;
  /** Writable and not full: for /readyz. */
  health(): { ok: boolean; reason?: string };
  /** Events not yet delivered to every sink: for metrics. */
  depth(): number;
  close(): Promise<void>;
}

// ── What the dispatcher and the CLI need beyond the receiver's view ────────

/** An event waiting for one sink, as the dispatcher reads it. */
export interface PendingEvent extends StoredEvent {
  /** UTF-8 bytes of `json` (what batches are sized by). */
  readonly bytes: number;
  /** When the store committed it (ms since epoch, store clock): batch age. */
  readonly storedAtMs: number;
  /** The event object `json` was made from, when the reader has it (saves a JSON.parse at delivery). */
  readonly event?: NormalizedEvent;
}

/** An event a sink refused for good, to keep in the dead-letter store. */
export interface DeadLetterInput {
  readonly seq: number;
  readonly id: string;
  readonly json: string;
  readonly code: ErrorCode;
  readonly reason: string;
}

/** The store as the dispatcher uses it: per-sink reading and progress. */
export interface DeliveryStore {
  /**
   * Events after the sink's cursor, oldest first, up to `maxBytes` of JSON
   * (always at least one event when any is waiting) and `maxEvents`.
   */
  readPending(sink: string, limits: { readonly maxBytes: number; readonly maxEvents: number }): PendingEvent[];
  /**
   * One durable step of a sink's progress: keeps `deadLetters`, moves the
   * sink's cursor to `uptoSeq` and removes what every sink has delivered.
   */
  completeDelivery(sink: string, uptoSeq: number, deadLetters: readonly DeadLetterInput[]): void;
  /** Called after each commit that stored events for delivery; returns the unsubscribe function. */
  onCommit(listener: () => void): () => void;
}

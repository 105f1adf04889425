/**
 * @module store/types
 * The durable store's contract, as the receiver and the dispatcher see it.
 */
import type { ErrorCode } from '../errors/index.js';
import type { SignatureStatus } from '../normalize/event.js';

/** An event to forward: its id and its normalized JSON (one NDJSON line, no newline). */
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
  /** The normalized event when the line parsed. */
  readonly json?: string;
}

export interface IncomingBatch {
  readonly receivedAt: string;
  readonly events: readonly EventToStore[];
  readonly quarantine: readonly QuarantineRecord[];
  /** Lines dropped by policy (`drop`): counted only. */
  readonly dropped: number;
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
  /** Monotonic sequence number in the store. */
  readonly seq: number;
  readonly id: string;
  readonly json: string;
}

export interface Store {
  /**
   * Dedups by id, commits and fsyncs; resolves only once the batch is durable.
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

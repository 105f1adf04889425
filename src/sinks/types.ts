/**
 * @module sinks/types
 * The sink contract (STYLE 5): `create(config)` is pure, I/O starts in
 * `start()`, `write(batch)` answers delivered | retryable | rejected.
 */
import type { ErrorCode } from '../errors/index.js';
import type { NormalizedEvent } from '../normalize/event.js';

export interface SinkRecord {
  readonly id: string;
  /** The normalized event serialized once (NDJSON line, no newline). */
  readonly json: string;
  /**
   * `json` parsed. Parsed eagerly only for a sink that sets `usesEvent`
   * (a corrupt stored event is then dead-lettered before the write); for the
   * others it is parsed on first access, as most never read it.
   */
  readonly event: NormalizedEvent;
}

export type WriteOutcome =
  | {
      readonly kind: 'delivered';
      /** Records (by index in the batch) the sink refused for good while taking the rest (Splunk `invalid-event-number`). */
      readonly rejected?: readonly { readonly index: number; readonly reason: string }[];
    }
  | {
      readonly kind: 'retryable';
      readonly code: ErrorCode;
      readonly reason: string;
      readonly retryAfterMs?: number;
      /**
       * Records of this batch that were settled before the failure (a write may take several requests:
       * size-split chunks, the Splunk partial-failure resend). Retry only the others; a dispatcher that
       * ignores this resends them too, which is a duplicate, never a loss.
       */
      readonly settled?: SettledRecords;
    }
  | { readonly kind: 'rejected'; readonly code: ErrorCode; readonly reason: string };

/** Records (by index in the batch) that a failed write settled anyway. */
export interface SettledRecords {
  /** Taken by the sink: do not send again. */
  readonly delivered: readonly number[];
  /** Refused for good (dead-letter them). */
  readonly rejected: readonly { readonly index: number; readonly reason: string }[];
}

export interface SinkHealth {
  readonly ok: boolean;
  readonly detail?: string;
}

export interface Sink {
  /** The configured name (unique per process); metrics label. */
  readonly name: string;
  /** The sink kind: folder name = config `type` = registry key. */
  readonly type: string;
  /** Preferred batch size in bytes of JSON (the dispatcher batches by this and by age). */
  readonly maxBatchBytes: number;
  /** The sink reads `record.event` (it formats fields itself, e.g. syslog); the others only send `record.json`. */
  readonly usesEvent?: boolean;
  start(): Promise<void>;
  write(batch: readonly SinkRecord[]): Promise<WriteOutcome>;
  health(): SinkHealth;
  close(): Promise<void>;
}

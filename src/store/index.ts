/**
 * @module store
 * The durable spool: dedup, the delivery queue with per-sink cursors,
 * quarantine and dead letters, in one SQLite file (docs/DELIVERY.md).
 */
export {
  openStore,
  STORE_FILE_NAME,
  DEFAULT_MAX_BYTES,
  DEFAULT_DEDUP_WINDOW_MS,
  DEFAULT_MAX_DEDUP_IDS,
  DEFAULT_BUSY_TIMEOUT_MS,
  type SqliteStore,
  type StoreOptions,
  type StoreStats,
} from './sqlite/sqlite-store.js';
export type { SinkCursor } from './sqlite/progress.js';
export type { QuarantineEntry, DeadLetterEntry, PageOptions } from './sqlite/records.js';
export { eventDedupKey } from './dedup-key.js';
export type * from './types.js';
export {
  createRecordReader,
  eventsOfRecords,
  encodeEventsRecord,
  encodeLinesRecord,
  firstRecordAfter,
  MAX_RECORD_LINES,
  POSITIONS_PER_RECORD,
  positionOf,
  recordEndPosition,
  recordLineCount,
  recordSeqOf,
  type LinesToEncode,
  type RecordReader,
} from './record-codec.js';
export { DEDUP_KEY_BYTES } from './types.js';

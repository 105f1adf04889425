/**
 * @module sinks/file/encode
 * One buffer per line (newline included; the record's payload, NDJSON by
 * default): rotation happens between lines, never inside one.
 */
import type { RecordFormatter } from '../payload.js';
import type { SinkRecord } from '../types.js';

export function encodeFileLines(batch: readonly SinkRecord[], format: RecordFormatter = (record) => record.json): Buffer[] {
  return batch.map((record) => Buffer.from(`${format(record)}\n`, 'utf8'));
}

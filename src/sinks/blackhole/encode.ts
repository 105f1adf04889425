/**
 * @module sinks/blackhole/encode
 * The blackhole sends nothing; it formats each record's payload and counts
 * the bytes a real sink would have written, so that benchmarks report
 * comparable throughput (and the cost of a SIEM mapping).
 */
import { lineBytes } from '../ndjson.js';
import type { RecordFormatter } from '../payload.js';
import type { SinkRecord } from '../types.js';

export function measureBatch(batch: readonly SinkRecord[], format: RecordFormatter = (record) => record.json): number {
  let bytes = 0;
  for (const record of batch) bytes += lineBytes(format(record));
  return bytes;
}

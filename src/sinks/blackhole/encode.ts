/**
 * @module sinks/blackhole/encode
 * The blackhole encodes nothing; it counts the NDJSON bytes a real sink
 * would have written, so that benchmarks report comparable throughput.
 */
import { ndjsonLineBytes } from '../ndjson.js';
import type { SinkRecord } from '../types.js';

export function measureBatch(batch: readonly SinkRecord[]): number {
  let bytes = 0;
  for (const record of batch) bytes += ndjsonLineBytes(record);
  return bytes;
}

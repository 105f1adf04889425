/**
 * @module sinks/file/encode
 * One buffer per NDJSON line (newline included): rotation happens between
 * lines, never inside one.
 */
import type { SinkRecord } from '../types.js';

export function encodeFileLines(batch: readonly SinkRecord[]): Buffer[] {
  return batch.map((record) => Buffer.from(`${record.json}\n`, 'utf8'));
}

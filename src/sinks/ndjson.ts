/**
 * @module sinks/ndjson
 * Normalized events as NDJSON (SPEC 6): one serialized event per line, `\n`
 * after each, in batch order. Records arrive serialized once (`record.json`);
 * nothing is re-serialized here.
 */
import type { SinkRecord } from './types.js';

export function encodeNdjson(batch: readonly SinkRecord[]): Buffer {
  let text = '';
  for (const record of batch) text += `${record.json}\n`;
  return Buffer.from(text, 'utf8');
}

/** Bytes one record takes as an NDJSON line, newline included. */
export function ndjsonLineBytes(record: SinkRecord): number {
  return Buffer.byteLength(record.json, 'utf8') + 1;
}

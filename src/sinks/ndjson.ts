/**
 * @module sinks/ndjson
 * A batch as lines: each record's payload (sinks/payload: the stored v1 JSON
 * by default, nothing re-serialized), `\n` after each, in batch order.
 */
import type { RecordFormatter } from './payload.js';
import type { SinkRecord } from './types.js';

const storedJson: RecordFormatter = (record) => record.json;

export function encodeNdjson(batch: readonly SinkRecord[], format: RecordFormatter = storedJson): Buffer {
  return joinLines(batch.map(format));
}

/** Lines already formatted → one buffer, `\n` after each. */
export function joinLines(texts: readonly string[]): Buffer {
  let text = '';
  for (const line of texts) text += `${line}\n`;
  return Buffer.from(text, 'utf8');
}

/** Bytes a payload text takes as a line, newline included. */
export function lineBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8') + 1;
}

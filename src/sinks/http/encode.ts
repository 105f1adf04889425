/**
 * @module sinks/http/encode
 * The request a batch becomes: one payload per line (NDJSON by default) and
 * its headers. Pure; compression (sinks/gzip) happens in the I/O step, off
 * the event loop.
 */
import { encodeNdjson } from '../ndjson.js';
import type { RecordFormatter } from '../payload.js';
import type { SinkRecord } from '../types.js';

export interface EncodedRequest {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export function encodeHttpRequest(batch: readonly SinkRecord[], options: { readonly contentType: string }, format?: RecordFormatter): EncodedRequest {
  return { body: encodeNdjson(batch, format), headers: { 'content-type': options.contentType } };
}

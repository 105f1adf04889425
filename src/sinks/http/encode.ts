/**
 * @module sinks/http/encode
 * The request a batch becomes: NDJSON and its headers. Pure; compression
 * (sinks/gzip) happens in the I/O step, off the event loop.
 */
import { encodeNdjson } from '../ndjson.js';
import type { SinkRecord } from '../types.js';

export interface EncodedRequest {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export function encodeHttpRequest(batch: readonly SinkRecord[], options: { readonly contentType: string }): EncodedRequest {
  return { body: encodeNdjson(batch), headers: { 'content-type': options.contentType } };
}

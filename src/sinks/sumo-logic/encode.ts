/**
 * @module sinks/sumo-logic/encode
 * A Sumo Logic HTTP source takes one log message per line: the batch is
 * NDJSON, and the metadata travels in X-Sumo-* headers (Sumo Logic "Upload
 * Logs to an HTTP Source"). Pure: compression happens in the I/O step.
 */
import { encodeNdjson } from '../ndjson.js';
import type { SinkRecord } from '../types.js';

export interface SumoMeta {
  readonly category?: string | undefined;
  readonly sourceName?: string | undefined;
  readonly sourceHost: string;
  readonly fields: Readonly<Record<string, string>>;
}

export function sumoHeaders(meta: SumoMeta): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    'x-sumo-client': 'konnect-audit-receiver',
    'x-sumo-host': meta.sourceHost,
  };
  if (meta.category !== undefined) headers['x-sumo-category'] = meta.category;
  if (meta.sourceName !== undefined) headers['x-sumo-name'] = meta.sourceName;
  const fields = Object.entries(meta.fields).map(([key, value]) => `${key}=${value}`);
  if (fields.length > 0) headers['x-sumo-fields'] = fields.join(',');
  return headers;
}

export function encodeSumoBody(batch: readonly SinkRecord[]): Buffer {
  return encodeNdjson(batch);
}

/**
 * @module sinks/sumo-logic/encode
 * A Sumo Logic HTTP source takes one log message per line: the batch is one
 * payload per line (NDJSON by default), and the metadata travels in X-Sumo-*
 * headers (Sumo Logic "Upload Logs to an HTTP Source"). A `raw` payload has
 * no room for the signature verdict in the message, so it travels in
 * X-Sumo-Fields: a request then carries only lines of one verdict. Pure:
 * compression happens in the I/O step.
 */
import { chunkBySize, type Chunk } from '../chunks.js';
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
  const fields = sumoFieldsHeader(meta.fields);
  if (fields !== '') headers['x-sumo-fields'] = fields;
  return headers;
}

/** X-Sumo-Fields: `key=value,key=value` ('' when there are none). */
export function sumoFieldsHeader(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** X-Sumo-Fields values may not hold `,`, `=` or line breaks (they separate the pairs). */
function fieldValue(text: string): string {
  return text.replace(/[,=\r\n]/g, '_');
}

/** The signature verdict as Sumo fields (`signature_status`, `signature_kid`). */
export function verdictFields(record: SinkRecord): Record<string, string> {
  const { status, kid } = record.event.signature;
  return kid === undefined ? { signature_status: status } : { signature_status: status, signature_kid: fieldValue(kid) };
}

/**
 * Requests of at most `maxBytes` (sizes: the bytes each record's line takes),
 * cut also where the verdict changes when `byVerdict` (a raw payload): every
 * request's X-Sumo-Fields then holds for all its lines.
 */
export function sumoChunks(batch: readonly SinkRecord[], sizes: readonly number[], maxBytes: number, byVerdict: boolean): Chunk[] {
  if (!byVerdict) return chunkBySize(sizes, maxBytes);
  const chunks: Chunk[] = [];
  let start = 0;
  for (let i = 1; i <= batch.length; i++) {
    if (i < batch.length && sameVerdict(batch[i - 1] as SinkRecord, batch[i] as SinkRecord)) continue;
    for (const c of chunkBySize(sizes.slice(start, i), maxBytes)) chunks.push({ start: start + c.start, end: start + c.end });
    start = i;
  }
  return chunks;
}

function sameVerdict(a: SinkRecord, b: SinkRecord): boolean {
  return a.event.signature.status === b.event.signature.status && a.event.signature.kid === b.event.signature.kid;
}

/**
 * @module sinks/splunk-hec/encode
 * HEC event objects (Splunk "Format events for HTTP Event Collector"):
 * `{"time","host","source","sourcetype","index","event","fields"}`, one per
 * record, concatenated with no separator in a request to
 * /services/collector/event. `event` is the record's payload
 * (sinks/payload): the normalized event as serialized once by the store
 * (`record.json`, not re-serialized), an OCSF or ECS object, or for `raw`
 * the original line as a JSON string; the signature verdict then travels in
 * the indexed `fields` (`signature_status`, `signature_kid`), the one place
 * HEC has for metadata.
 */
import type { PayloadSchema, RecordFormatter } from '../payload.js';
import type { SinkRecord } from '../types.js';

export interface HecEventMeta {
  readonly host: string;
  readonly source: string;
  readonly sourcetype: string;
  readonly index?: string | undefined;
  readonly indexedFields: boolean;
  readonly fields: Readonly<Record<string, string>>;
  /** The payload schema; default v1. */
  readonly payload?: PayloadSchema;
  /** The record's payload text (sinks/payload); default the stored JSON. */
  readonly format?: RecordFormatter;
}

export function encodeHecEvent(record: SinkRecord, meta: HecEventMeta): string {
  const { event } = record;
  const epoch = toEpochSeconds(event.time ?? event.received_at);
  let out = '{';
  if (epoch !== undefined) out += `"time":${epoch},`;
  out += `"host":${JSON.stringify(meta.host)},"source":${JSON.stringify(meta.source)},"sourcetype":${JSON.stringify(meta.sourcetype)}`;
  if (meta.index !== undefined) out += `,"index":${JSON.stringify(meta.index)}`;
  const payload = meta.format === undefined ? record.json : meta.format(record);
  out += `,"event":${meta.payload === 'raw' ? JSON.stringify(payload) : payload}`;
  const fields: Record<string, string> = { ...meta.fields };
  if (meta.indexedFields || meta.payload === 'raw') {
    fields.signature_status = event.signature.status;
    fields.category = event.category;
  }
  if (meta.payload === 'raw' && event.signature.kid !== undefined) fields.signature_kid = event.signature.kid;
  if (Object.keys(fields).length > 0) out += `,"fields":${JSON.stringify(fields)}`;
  return `${out}}`;
}

/** Encodes every record once; the I/O step concatenates the ones a request carries. */
export function encodeHecEvents(batch: readonly SinkRecord[], meta: HecEventMeta): Buffer[] {
  return batch.map((record) => Buffer.from(encodeHecEvent(record, meta), 'utf8'));
}

/**
 * ISO-8601 → epoch seconds with the milliseconds as three decimals
 * (`1750688927.556`), built from integers so no binary-float digits appear.
 */
export function toEpochSeconds(iso: string): string | undefined {
  // Only ISO-8601 with a zone: Date.parse also guesses at other shapes (and at the local zone).
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(iso)) return undefined;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}

/**
 * @module normalize/normalize-line
 * One parsed line (CEF or JSON, as a `LineView`) → the `konnect-audit/v1`
 * event of SPEC 6. Property order is the serialization order:
 *
 *   schema, id, time?, received_at, format, category, header,
 *   org_id?, portal_id?, principal_id?, actor_id?, trace_id?, src?,
 *   user_agent?, request?, query?, action?, act?, success?, granted?,
 *   kong_initiated?, status?, fields, signature, raw
 *
 * (the typed keys in the order of the one field-map table). Pure apart from
 * hashing: no I/O, never throws on any view the line parsers produce. Reads
 * everything it needs from the view at once (the view may be a reusable
 * structure that the next line overwrites).
 */
import type { LineView } from '../lines/types.js';
import { categoryOf } from './category.js';
import { eventIdOf } from './event-id.js';
import { SCHEMA_V1, type NormalizedEvent, type SignatureResult } from './event.js';
import { fieldMap, typedValue } from './field-map.js';
import { epochMillisToIso, eventTimeOf } from './time.js';

export interface NormalizeContext {
  /** When the batch was received, ISO-8601 with milliseconds (also the reference year of RFC 3164 prefixes). */
  readonly receivedAt: string;
  /** The line's signature status (`unverified` until checked; may be replaced on the event later). */
  readonly signature: SignatureResult;
}

export function normalizeLine(view: LineView, ctx: NormalizeContext): NormalizedEvent {
  const source = view.header();
  const fields = view.fields();
  // A fresh object in a fixed property order: the view's header may be reused.
  const header = {
    version: source.version,
    vendor: source.vendor,
    product: source.product,
    product_version: source.product_version,
    event_class_id: source.event_class_id,
    name: source.name,
    severity: source.severity,
  };
  const event: Record<string, unknown> = { schema: SCHEMA_V1, id: eventIdOf(view) };
  const time = timeOf(view, fields, ctx.receivedAt);
  if (time !== undefined) event['time'] = time;
  event['received_at'] = ctx.receivedAt;
  event['format'] = view.format;
  event['category'] = categoryOf(header, fields);
  event['header'] = header;
  for (const mapping of fieldMap) {
    const value = typedValue(mapping, ownField(fields, mapping.source));
    if (value !== undefined) event[mapping.key] = value;
  }
  event['fields'] = fields;
  event['signature'] = ctx.signature;
  event['raw'] = rawText(view);
  return event as unknown as NormalizedEvent;
}

/** `rt` first; the prefix is read only when `rt` does not give the time (it costs a parse, and Konnect lines carry `rt`). */
function timeOf(view: LineView, fields: Readonly<Record<string, string>>, receivedAt: string): string | undefined {
  const rt = ownField(fields, 'rt');
  const fromRt = rt === undefined ? undefined : epochMillisToIso(rt);
  if (fromRt !== undefined) return fromRt;
  const prefix = view.prefix();
  return eventTimeOf({ prefixTimestamp: prefix.timestamp, prefixTimestampKind: prefix.timestampKind, eventTs: ownField(fields, 'event_ts') }, receivedAt);
}

/** A field only if the record has it as its own property (never an inherited `constructor`...). */
function ownField(fields: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** The exact original line, UTF-8 decoded (lines that are not UTF-8 are rejected before normalization). */
function rawText(view: LineView): string {
  const { buf, start, end } = view;
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
}

/**
 * @module normalize/normalize-line
 * One parsed line (CEF or JSON, as a `LineView`) → the `konnect-audit/v1`
 * event of SPEC 6. Property order is the serialization order:
 *
 *   schema, id, time?, received_at, format, category, header,
 *   org_id?, portal_id?, principal_id?, actor_id?, trace_id?, src?,
 *   user_agent?, request?, query?, action?, act?, success?, granted?,
 *   kong_initiated?, status?, extension_preamble?, fields, signature, raw
 *
 * (the typed keys in the order of the one field-map table). A typed key is
 * present only when the source has a value for it: a JSON `null` is none.
 * Pure apart from hashing: no I/O, never throws on any view the line parsers
 * produce. Reads everything it needs from the view at once (the view may be a
 * reusable structure that the next line overwrites).
 *
 * This runs for every line the receiver takes in (SPEC 9: tokenize +
 * normalize >= 300,000 lines/s on one core), hence: the line is decoded once
 * (`rawText()`, shared with the field reads), times are formatted without a
 * Date (iso-format.ts), and the table's rows are written out.
 */
import type { CefHeader, LineView } from '../lines/types.js';
import { categoryOf } from './category.js';
import { eventIdOf } from './event-id.js';
import { SCHEMA_V1, type NormalizedEvent, type SignatureResult } from './event.js';
import { toBoolean, toInteger } from './field-map.js';
import { countNormalizeWarning } from './metrics.js';
import { epochMillisToIso, eventTimeOf } from './time.js';

export interface NormalizeContext {
  /** When the batch was received, ISO-8601 with milliseconds (also the reference year of RFC 3164 prefixes). */
  readonly receivedAt: string;
  /** The line's signature status (`unverified` until checked; may be replaced on the event later). */
  readonly signature: SignatureResult;
}

type Fields = Readonly<Record<string, string>>;

export function normalizeLine(view: LineView, ctx: NormalizeContext): NormalizedEvent {
  const source = view.header();
  const fields = view.fields();
  // The line decoded once: `raw`, and the sig for the id.
  const raw = view.rawText();
  // A fresh object in a fixed property order: the view's header may be reused.
  const header: CefHeader = {
    version: source.version,
    vendor: source.vendor,
    product: source.product,
    product_version: source.product_version,
    event_class_id: source.event_class_id,
    name: source.name,
    severity: source.severity,
  };
  const id = eventIdOf(view, raw);
  const time = timeOf(view, fields, ctx.receivedAt);
  const category = categoryOf(header, fields);
  // The keys every event has (time nearly always) laid out at once.
  const event: Partial<NormalizedEvent> =
    time === undefined
      ? { schema: SCHEMA_V1, id, received_at: ctx.receivedAt, format: view.format, category, header }
      : { schema: SCHEMA_V1, id, time, received_at: ctx.receivedAt, format: view.format, category, header };
  addTypedKeys(event, view, fields);
  // SPEC 4: text before the first key is kept and reported, never dropped silently.
  const preamble = view.extensionPreamble();
  if (preamble !== undefined) {
    event.extension_preamble = preamble;
    countNormalizeWarning('extension_preamble');
  }
  if (view.duplicateKeys > 0) countNormalizeWarning('duplicate_key');
  event.fields = fields;
  event.signature = ctx.signature;
  event.raw = raw;
  return event as NormalizedEvent;
}

/**
 * The rows of the field-map table (field-map.ts), in its order, written out:
 * a loop over the table with computed keys cost ~1.3 µs a line (megamorphic
 * keyed loads and stores), a third of normalizing it.
 * test/normalize/field-map.test.ts checks every row against this code.
 */
function addTypedKeys(event: Partial<NormalizedEvent>, view: LineView, fields: Fields): void {
  let text: string | undefined;
  if ((text = stringValue(view, fields, fields.org_id, 'org_id')) !== undefined) event.org_id = text;
  if ((text = stringValue(view, fields, fields.portal_id, 'portal_id')) !== undefined) event.portal_id = text;
  if ((text = stringValue(view, fields, fields.principal_id, 'principal_id')) !== undefined) event.principal_id = text;
  if ((text = stringValue(view, fields, fields.actor_id, 'actor_id')) !== undefined) event.actor_id = text;
  if ((text = stringValue(view, fields, fields.trace_id, 'trace_id')) !== undefined) event.trace_id = text;
  if ((text = stringValue(view, fields, fields.src, 'src')) !== undefined) event.src = text;
  if ((text = stringValue(view, fields, fields.user_agent, 'user_agent')) !== undefined) event.user_agent = text;
  if ((text = stringValue(view, fields, fields.request, 'request')) !== undefined) event.request = text;
  if ((text = stringValue(view, fields, fields.query, 'query')) !== undefined) event.query = text;
  if ((text = stringValue(view, fields, fields.action, 'action')) !== undefined) event.action = text;
  if ((text = stringValue(view, fields, fields.act, 'act')) !== undefined) event.act = text;
  let flag: boolean | undefined;
  if ((flag = booleanValue(fields, fields.success, 'success')) !== undefined) event.success = flag;
  if ((flag = booleanValue(fields, fields.granted, 'granted')) !== undefined) event.granted = flag;
  if ((flag = booleanValue(fields, fields.kong_initiated, 'kong_initiated')) !== undefined) event.kong_initiated = flag;
  let status: number | undefined;
  if ((status = integerValue(fields, fields.status, 'status')) !== undefined) event.status = status;
}

// Each row's source is read at its call site (`fields.org_id`: a named
// property load the JIT can cache), then checked here.

/** A field text only if it is the record's own property (never an inherited `constructor`, nor a polluted prototype's). */
function own(fields: Fields, text: string | undefined, name: string): string | undefined {
  return text !== undefined && Object.hasOwn(fields, name) ? text : undefined;
}

/**
 * A `string` row: the field text, except a JSON `null`, which means "no
 * value" and gives no top-level key (it stays in `fields` as `null`, its
 * exact source text). Only a text of `null` asks the view what it was.
 */
function stringValue(view: LineView, fields: Fields, text: string | undefined, name: string): string | undefined {
  const value = own(fields, text, name);
  return value === 'null' && view.fieldKind(name) === 'null' ? undefined : value;
}

function booleanValue(fields: Fields, text: string | undefined, name: string): boolean | undefined {
  const value = own(fields, text, name);
  return value === undefined ? undefined : toBoolean(value);
}

function integerValue(fields: Fields, text: string | undefined, name: string): number | undefined {
  const value = own(fields, text, name);
  return value === undefined ? undefined : toInteger(value);
}

/** `rt` first; the prefix is read only when `rt` does not give the time (it costs a parse, and Konnect lines carry `rt`). */
function timeOf(view: LineView, fields: Fields, receivedAt: string): string | undefined {
  const rt = own(fields, fields.rt, 'rt');
  const fromRt = rt === undefined ? undefined : epochMillisToIso(rt);
  if (fromRt !== undefined) return fromRt;
  const prefix = view.prefix();
  return eventTimeOf({ prefixTimestamp: prefix.timestamp, prefixTimestampKind: prefix.timestampKind, eventTs: own(fields, fields.event_ts, 'event_ts') }, receivedAt);
}

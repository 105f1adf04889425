/**
 * @module store/record-codec
 * The durable record of a batch's lines (store/types.ts) and how events are
 * made from it at delivery. Every store keeps these bytes as they are; the
 * pipeline encodes them, delivery decodes them, the same for every sink.
 *
 * Why lines and verdicts, not normalized JSON: the JSON of an event is about
 * 1.6 KB against about 480 bytes for its line, and writing, fsync'ing,
 * reading back and deleting it was the receiver's largest cost after the
 * signature check (docs/BENCHMARKS.md, bench/support/spool-probe.ts); and a
 * batch no longer has to hold every line's event object and JSON at once.
 *
 * Layout (little-endian):
 *
 *   u8  kind            1 = lines (raw lines + verdicts), 2 = events (normalized JSON lines)
 *   u32 count           lines in the record
 *   u32 headerBytes     then that many bytes of JSON:
 *                         lines:  {"receivedAt": "...", "kids": ["kid", ...]}
 *                         events: {"ids": ["id", ...]}
 *   lines only: count × u8 status (index in signatureStatuses), count × u16 kid (index in kids, 0xffff none)
 *   count × u32 byte length of each line, then the lines' bytes one after the other
 */
import { KarError } from '../errors/index.js';
import { createLineParser, isLineError, type LineParser } from '../lines/parse-line.js';
import { signatureStatuses, type NormalizedEvent, type SignatureResult, type SignatureStatus } from '../normalize/event.js';
import { normalizeLine, rawLineId, serializeEvent } from '../normalize/index.js';
import type { PendingEvent, RecordToStore, StoredRecord } from './types.js';

/** Lines per record at most: bounds what one record costs to decode at delivery (about 1.6 MB of JSON). */
export const MAX_RECORD_LINES = 1000;
/** Positions per record: `seq * POSITIONS_PER_RECORD + line`. Larger than any record's line count. */
export const POSITIONS_PER_RECORD = 2 ** 16;

export const KIND_LINES = 1;
export const KIND_EVENTS = 2;
const NO_KID = 0xffff;

export const statusCode: Readonly<Record<SignatureStatus, number>> = { valid: 0, invalid: 1, missing: 2, malformed: 3, unverified: 4 };

/** The position of line `line` of record `seq`. */
export function positionOf(seq: number, line: number): number {
  return seq * POSITIONS_PER_RECORD + line;
}

/** The last position of record `seq`: a cursor there (or past it) has delivered the whole record. */
export function recordEndPosition(seq: number): number {
  return seq * POSITIONS_PER_RECORD + POSITIONS_PER_RECORD - 1;
}

/** The record a position belongs to. */
export function recordSeqOf(position: number): number {
  return Math.floor(position / POSITIONS_PER_RECORD);
}

/** The first record that may hold events after `cursor` (every record before it is delivered). */
export function firstRecordAfter(cursor: number): number {
  return Math.floor((cursor + 1) / POSITIONS_PER_RECORD);
}

/** The lines of a record, as spans of one buffer (the batch as received). */
export interface LinesToEncode {
  readonly receivedAt: string;
  readonly buf: Uint8Array;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  /** `statusCode` of each line. */
  readonly statuses: readonly number[];
  /** Key id of each valid line (undefined otherwise). */
  readonly kids: readonly (string | undefined)[];
}

function assemble(kind: number, header: string, count: number, verdictBytes: number, lineBytes: number): { out: Buffer; offset: number } {
  const headerBuf = Buffer.from(header, 'utf8');
  const size = 9 + headerBuf.length + verdictBytes + 4 * count + lineBytes;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt8(kind, 0);
  out.writeUInt32LE(count, 1);
  out.writeUInt32LE(headerBuf.length, 5);
  headerBuf.copy(out, 9);
  return { out, offset: 9 + headerBuf.length };
}

export function encodeLinesRecord(lines: LinesToEncode): Uint8Array {
  const count = lines.starts.length;
  if (count > MAX_RECORD_LINES) throw new KarError('KAR_ERR_INTERNAL', `a record holds at most ${MAX_RECORD_LINES} lines, got ${count}`);
  const kidIndex = new Map<string, number>();
  let lineBytes = 0;
  for (let i = 0; i < count; i++) {
    lineBytes += (lines.ends[i] as number) - (lines.starts[i] as number);
    const kid = lines.kids[i];
    if (kid !== undefined && !kidIndex.has(kid)) kidIndex.set(kid, kidIndex.size);
  }
  const { out, offset } = assemble(KIND_LINES, JSON.stringify({ receivedAt: lines.receivedAt, kids: [...kidIndex.keys()] }), count, 3 * count, lineBytes);
  let at = offset;
  for (let i = 0; i < count; i++) out[at++] = lines.statuses[i] as number;
  for (let i = 0; i < count; i++) {
    const kid = lines.kids[i];
    out.writeUInt16LE(kid === undefined ? NO_KID : (kidIndex.get(kid) as number), at);
    at += 2;
  }
  for (let i = 0; i < count; i++) {
    out.writeUInt32LE((lines.ends[i] as number) - (lines.starts[i] as number), at);
    at += 4;
  }
  for (let i = 0; i < count; i++) {
    out.set(lines.buf.subarray(lines.starts[i] as number, lines.ends[i] as number), at);
    at += (lines.ends[i] as number) - (lines.starts[i] as number);
  }
  return out;
}

/** A record of normalized events (quarantine release, dead-letter retry): delivered as they are. */
export function encodeEventsRecord(events: readonly { readonly id: string; readonly json: string }[]): Uint8Array {
  const jsons = events.map((e) => Buffer.from(e.json, 'utf8'));
  const { out, offset } = assemble(KIND_EVENTS, JSON.stringify({ ids: events.map((e) => e.id) }), events.length, 0, jsons.reduce((sum, b) => sum + b.length, 0));
  let at = offset;
  for (const json of jsons) {
    out.writeUInt32LE(json.length, at);
    at += 4;
  }
  for (const json of jsons) {
    json.copy(out, at);
    at += json.length;
  }
  return out;
}

/** Lines in an encoded record. */
export function recordLineCount(payload: Uint8Array): number {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).readUInt32LE(1);
}

/** Where the parts of an encoded record lie; the header is left as its JSON bytes. */
export interface RecordLayout {
  readonly kind: number;
  readonly count: number;
  /** The header's JSON bytes (kids and receivedAt, or ids). */
  readonly header: Buffer;
  readonly statusAt: number;
  readonly kidAt: number;
  readonly lengthAt: number;
  readonly bytesAt: number;
  readonly buf: Buffer;
}

/** The layout of an encoded record (shared with store/jetstream/split-record.ts, which slices records). */
export function recordLayout(payload: Uint8Array): RecordLayout {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const kind = buf.readUInt8(0);
  const count = buf.readUInt32LE(1);
  const headerBytes = buf.readUInt32LE(5);
  if (kind !== KIND_LINES && kind !== KIND_EVENTS) throw new KarError('KAR_ERR_STORE_UNAVAILABLE', `a stored record has an unknown kind ${kind}`);
  const statusAt = 9 + headerBytes;
  const kidAt = statusAt + (kind === KIND_LINES ? count : 0);
  const lengthAt = kidAt + (kind === KIND_LINES ? 2 * count : 0);
  return { kind, count, header: buf.subarray(9, statusAt), statusAt, kidAt, lengthAt, bytesAt: lengthAt + 4 * count, buf };
}

interface Decoded extends Omit<RecordLayout, 'header'> {
  readonly header: { readonly receivedAt?: string; readonly kids?: readonly string[]; readonly ids?: readonly string[] };
}

function decode(payload: Uint8Array): Decoded {
  const layout = recordLayout(payload);
  return { ...layout, header: JSON.parse(layout.header.toString('utf8')) as Decoded['header'] };
}

function signatureOf(d: Decoded, i: number): SignatureResult {
  const status = signatureStatuses[d.buf[d.statusAt + i] as number] ?? 'unverified';
  if (status !== 'valid') return { status };
  const kid = d.header.kids?.[d.buf.readUInt16LE(d.kidAt + 2 * i)];
  return kid === undefined ? { status } : { status, kid };
}

/**
 * A line that parsed at intake parses again (the parser is deterministic);
 * should a later version refuse it, the line is still delivered, as its raw
 * text, rather than lost or retried forever.
 */
function fallbackEvent(bytes: Buffer, receivedAt: string, signature: SignatureResult): NormalizedEvent {
  const raw = bytes.toString('utf8');
  return { schema: 'konnect-audit/v1', id: rawLineId(bytes), received_at: receivedAt, format: 'cef', category: 'unknown', header: { version: '', vendor: '', product: '', product_version: '', event_class_id: '', name: '', severity: '' }, fields: {}, signature, raw } as NormalizedEvent;
}

export interface RecordReader {
  /**
   * The events of a record after position `after`, in order, without the
   * skipped lines. The last event of the record gets the record's end
   * position. Normalizes and serializes each line once: the last record read
   * is remembered, so a sink reading it in several steps (its batch limits)
   * and the other sinks do not pay again.
   */
  eventsOf(record: StoredRecord, after: number): PendingEvent[];
}

export function createRecordReader(): RecordReader {
  const parser: LineParser = createLineParser();
  let cached: { readonly seq: number; readonly events: readonly PendingEvent[] } | undefined;

  function materialize(record: StoredRecord): PendingEvent[] {
    const d = decode(record.payload);
    const skip = new Set(record.skip);
    const out: PendingEvent[] = [];
    let at = d.bytesAt;
    for (let i = 0; i < d.count; i++) {
      const length = d.buf.readUInt32LE(d.lengthAt + 4 * i);
      const start = at;
      at += length;
      if (skip.has(i)) continue;
      const seq = positionOf(record.seq, i);
      if (d.kind === KIND_EVENTS) {
        const json = d.buf.toString('utf8', start, start + length);
        out.push({ seq, id: d.header.ids?.[i] ?? '', json, bytes: length, storedAtMs: record.storedAtMs });
        continue;
      }
      const receivedAt = d.header.receivedAt ?? '';
      const signature = signatureOf(d, i);
      const view = parser.parse(d.buf, start, start + length);
      const event = isLineError(view) ? fallbackEvent(d.buf.subarray(start, start + length), receivedAt, signature) : normalizeLine(view, { receivedAt, signature });
      const json = serializeEvent(event);
      out.push({ seq, id: event.id, json, bytes: Buffer.byteLength(json, 'utf8'), storedAtMs: record.storedAtMs, event });
    }
    const last = out.at(-1);
    if (last !== undefined) out[out.length - 1] = { ...last, seq: recordEndPosition(record.seq) };
    return out;
  }

  return {
    eventsOf(record, after) {
      if (cached?.seq !== record.seq) cached = { seq: record.seq, events: materialize(record) };
      const events = cached.events;
      let from = 0;
      while (from < events.length && (events[from] as PendingEvent).seq <= after) from++;
      return from === 0 ? [...events] : events.slice(from);
    },
  };
}

/** Every event of records not stored yet (a batch before its commit: tests, the quarantine release), in order. */
export function eventsOfRecords(records: readonly RecordToStore[]): PendingEvent[] {
  const reader = createRecordReader();
  return records.flatMap((record, n) => reader.eventsOf({ seq: n + 1, payload: record.payload, skip: [], storedAtMs: 0 }, -1));
}

/**
 * @module store/jetstream/split-record
 * A record (store/record-codec.ts) larger than a NATS message may be
 * (`max_payload`, 1 MiB by default; a record holds up to 1,000 lines of up to
 * 256 KiB) is stored as several smaller records of consecutive lines, each
 * a valid record of the same kind: same header (the key ids keep their
 * indices), the lines' verdicts, lengths and bytes sliced. Readers need no
 * change: every part reads as a record on its own.
 */
import { KarError } from '../../errors/index.js';
import { KIND_EVENTS, KIND_LINES, recordLayout, type RecordLayout } from '../record-codec.js';
import { DEDUP_KEY_BYTES, type RecordToStore } from '../types.js';

/** Lines [from, to) of a record as a record of their own. */
function slice(layout: RecordLayout, offsets: readonly number[], from: number, to: number): RecordToStore['payload'] {
  const { buf, kind } = layout;
  let header = layout.header;
  if (kind === KIND_EVENTS) {
    const ids = (JSON.parse(header.toString('utf8')) as { ids?: string[] }).ids ?? [];
    header = Buffer.from(JSON.stringify({ ids: ids.slice(from, to) }), 'utf8');
  }
  const count = to - from;
  const lineStart = offsets[from] as number;
  const lineEnd = offsets[to] as number;
  const verdictBytes = kind === KIND_LINES ? 3 * count : 0;
  const out = Buffer.allocUnsafe(9 + header.length + verdictBytes + 4 * count + (lineEnd - lineStart));
  out.writeUInt8(kind, 0);
  out.writeUInt32LE(count, 1);
  out.writeUInt32LE(header.length, 5);
  let at = 9 + header.copy(out, 9);
  if (kind === KIND_LINES) {
    at += buf.copy(out, at, layout.statusAt + from, layout.statusAt + to);
    at += buf.copy(out, at, layout.kidAt + 2 * from, layout.kidAt + 2 * to);
  }
  at += buf.copy(out, at, layout.lengthAt + 4 * from, layout.lengthAt + 4 * to);
  buf.copy(out, at, layout.bytesAt + lineStart, layout.bytesAt + lineEnd);
  return out;
}

/** The record itself when it fits in `maxBytes`, else parts of consecutive lines that each fit. */
export function splitRecord(record: RecordToStore, maxBytes: number): RecordToStore[] {
  if (record.payload.length <= maxBytes) return [record];
  const layout = recordLayout(record.payload);
  const offsets = [0];
  for (let i = 0; i < layout.count; i++) offsets.push((offsets[i] as number) + layout.buf.readUInt32LE(layout.lengthAt + 4 * i));
  // Per line beyond its bytes: its verdicts and length (7), and its id in an events header (generously 128).
  const perLine = layout.kind === KIND_LINES ? 7 : 4 + 128;
  const fixed = 9 + layout.header.length;
  const parts: RecordToStore[] = [];
  let from = 0;
  while (from < layout.count) {
    let to = from;
    let size = fixed;
    while (to < layout.count) {
      const next = perLine + (offsets[to + 1] as number) - (offsets[to] as number);
      if (to > from && size + next > maxBytes) break;
      size += next;
      to++;
    }
    if (size > maxBytes) throw new KarError('KAR_ERR_STORE_UNAVAILABLE', `a line of ${size} bytes does not fit in a NATS message (max_payload ${maxBytes}); raise max_payload (docs/CLUSTER.md)`);
    parts.push({ payload: slice(layout, offsets, from, to), keys: record.keys.subarray(from * DEDUP_KEY_BYTES, to * DEDUP_KEY_BYTES) });
    from = to;
  }
  return parts;
}

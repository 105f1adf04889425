/**
 * @module json/strings
 * Turning recorded spans into strings, only when a field is read. The scanner
 * has already validated every span, so these functions trust its structure
 * (but still never read outside `[start, end)`).
 */
import { BACKSLASH, hexValue, LOWER_U } from './bytes.js';

/** A Buffer over the same memory (no copy), for its fast UTF-8 decoding. */
export function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** `Buffer#utf8Slice`: the native decoder behind `toString('utf8', s, e)`, without its argument checks. */
type NativeSlices = Buffer & { utf8Slice?: (start: number, end: number) => string };

/**
 * The UTF-8 text of `b[start, end)` (already validated by the scanner).
 * Calls the native slice directly: field reads are the hot part of the JSON
 * path, and `toString` spends more time checking its arguments than decoding
 * a 10-byte name.
 */
export function utf8Text(b: Buffer, start: number, end: number): string {
  const native = b as NativeSlices;
  return native.utf8Slice === undefined ? b.toString('utf8', start, end) : native.utf8Slice(start, end);
}

/** Short, named escapes of RFC 8259 §7, by the byte after the backslash. */
const simpleEscapes: Readonly<Record<number, string>> = {
  0x22: '"',
  0x5c: '\\',
  0x2f: '/',
  0x62: '\b',
  0x66: '\f',
  0x6e: '\n',
  0x72: '\r',
  0x74: '\t',
};

/**
 * The content of a JSON string (between its quotes) with escapes resolved.
 * `\uXXXX` becomes one UTF-16 code unit, so a surrogate pair written as two
 * escapes joins into one character and a lone surrogate stays lone, exactly
 * as `JSON.parse` does.
 */
export function unescapeJsonString(b: Buffer, start: number, end: number): string {
  let out = '';
  let run = start;
  let i = start;
  while (i < end) {
    if (b[i] !== BACKSLASH) {
      i++;
      continue;
    }
    // A backslash is ASCII, so a run never splits a multi-byte UTF-8 sequence.
    if (i > run) out += utf8Text(b, run, i);
    const next = b[i + 1] as number;
    if (next === LOWER_U && i + 6 <= end) {
      const unit = (hexValue(b[i + 2]) << 12) | (hexValue(b[i + 3]) << 8) | (hexValue(b[i + 4]) << 4) | hexValue(b[i + 5]);
      out += String.fromCharCode(unit);
      i += 6;
    } else {
      out += simpleEscapes[next] ?? '';
      i += 2;
    }
    run = i;
  }
  if (end > run) out += utf8Text(b, run, end);
  return out;
}

/**
 * @module cef/decode
 * Turning byte spans into strings, only when a field is read (SPEC 4,
 * zero-copy): UTF-8 decoding and the CEF unescaping rules for header fields
 * and extension values.
 */
import { BACKSLASH, CR, EQUALS, LF, LOWER_N, LOWER_R, PIPE } from './bytes.js';

// Not fatal: a line that is not UTF-8 is flagged by the line stage
// (KAR_ERR_LINE_NOT_UTF8); here a bad sequence reads as U+FFFD.
const utf8 = new TextDecoder('utf-8');

/** The UTF-8 text of `buf[start, end)`. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  return end <= start ? '' : utf8.decode(buf.subarray(start, end));
}

// Unescaping writes into a reused scratch buffer and decodes it once, so that
// escapes next to multi-byte UTF-8 characters stay correct. A huge value gets
// its own buffer instead of growing the shared one forever.
const SCRATCH_KEPT_BYTES = 64 * 1024;
let scratch = new Uint8Array(1024);

function scratchFor(length: number): Uint8Array {
  if (length <= scratch.length) return scratch;
  if (length > SCRATCH_KEPT_BYTES) return new Uint8Array(length);
  scratch = new Uint8Array(Math.max(length, scratch.length * 2));
  return scratch;
}

/**
 * An extension value, unescaped (SPEC 4): `\=` → `=`, `\\` → `\`, `\n` → LF,
 * `\r` → CR; any other backslash is kept with the byte after it. Quotes are
 * not stripped.
 */
export function unescapeCefValue(buf: Uint8Array, start: number, end: number): string {
  const out = scratchFor(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === BACKSLASH && i + 1 < end) {
      const next = buf[i + 1]!;
      const mapped = next === EQUALS || next === BACKSLASH ? next : next === LOWER_N ? LF : next === LOWER_R ? CR : -1;
      if (mapped >= 0) {
        out[o++] = mapped;
        i++;
        continue;
      }
    }
    out[o++] = b;
  }
  return decodeUtf8(out, 0, o);
}

/** A header field, unescaped (SPEC 4): `\|` → `|`, `\\` → `\`; any other backslash is literal. */
export function unescapeCefHeader(buf: Uint8Array, start: number, end: number): string {
  const out = scratchFor(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === BACKSLASH && i + 1 < end) {
      const next = buf[i + 1]!;
      if (next === PIPE || next === BACKSLASH) {
        out[o++] = next;
        i++;
        continue;
      }
    }
    out[o++] = b;
  }
  return decodeUtf8(out, 0, o);
}

/**
 * @module cef/tokenize
 * The zero-copy CEF tokenizer (SPEC 4). One pass over the bytes of a line in
 * the batch buffer records offsets into a reusable `CefTokens`; no string is
 * made and nothing is allocated for an ordinary line. It never throws, never
 * reads outside `[start, end)` and runs in linear time: every byte is visited
 * a bounded number of times whatever the input (long runs of `\`, `=`,
 * spaces or key characters included).
 */
import type { LineError } from '../lines/types.js';
import {
  BACKSLASH, COLON, EQUALS, KEY_CLASS, KEY_PART, KEY_START, PIPE, SPACE, TAB, UPPER_C, UPPER_E, UPPER_F, isDigit,
} from './bytes.js';
import { KEY_HASH_SEED, finishKeyHash, stepKeyHash } from './key-hash.js';
import { HEADER_FIELD_COUNT, type CefTokens } from './tokens.js';

/**
 * Tokenizes the line `buf[start, end)` (without its line terminator) into
 * `out`. Returns undefined when `out` now describes the line, or the reason
 * the line is not CEF.
 */
export function tokenizeCef(buf: Uint8Array, start: number, end: number, out: CefTokens): LineError | undefined {
  if (start < 0) start = 0;
  if (end > buf.length) end = buf.length;
  if (end < start) end = start;
  out.beginLine(buf, start, end);

  // Prefix: everything before the first `CEF:` (it is signed, SPEC 3).
  const words = out.words;
  const wordLast = Math.min(end, out.wordsLength) - 4;
  const lastCef = end - 4;
  let cef = start;
  // The OR of every byte of the line seen so far (whole words included):
  // bit 7 clear at the end means an ASCII line, which CefTokens decodes as
  // Latin-1, the same text for a cheaper decode.
  let high = 0;
  while (cef <= lastCef) {
    while (cef <= wordLast) {
      const w = words.getInt32(cef, true);
      high |= w;
      const c = w ^ UPPER_CS;
      const hits = (c - ONES) & ~c & HIGHS;
      if (hits !== 0) {
        cef += firstHit(hits);
        break;
      }
      cef += 4;
    }
    while (cef <= lastCef) {
      const c = buf[cef]!;
      if (c === UPPER_C) break;
      high |= c;
      cef++;
    }
    if (cef > lastCef) break;
    if (buf[cef + 1] === UPPER_E && buf[cef + 2] === UPPER_F && buf[cef + 3] === COLON) break;
    cef++;
  }
  if (cef > lastCef) return lineError('KAR_ERR_LINE_UNRECOGNIZED', 'no `CEF:` in the line', 0);

  // Version: digits, then the `|` that ends the first header field.
  let p = cef + 4;
  while (p < end && isDigit(buf[p]!)) p++;
  if (p === cef + 4 || p >= end || buf[p] !== PIPE) {
    return lineError('KAR_ERR_LINE_UNRECOGNIZED', '`CEF:` is not followed by version digits and `|`', p - start);
  }
  out.prefixEnd = cef;
  out.headerStart[0] = cef + 4;
  out.headerEnd[0] = p;
  p++;

  // The 6 other header fields, each `|`-terminated; `\|` and `\\` are escapes.
  const headerStop = HEADER_STOP;
  for (let f = 1; f < HEADER_FIELD_COUNT; f++) {
    const fieldStart = p;
    let escaped = 0;
    while (p < end) {
      while (p < end && headerStop[buf[p]!] === 0) p++;
      if (p >= end || buf[p] === PIPE) break;
      if (buf[p] !== BACKSLASH) {
        // A byte >= 0x80 (a UTF-8 sequence): content.
        high = 0x80;
        p++;
        continue;
      }
      if (p + 1 < end && (buf[p + 1] === PIPE || buf[p + 1] === BACKSLASH)) {
        escaped = 1;
        p += 2;
        continue;
      }
      p++;
    }
    if (p >= end) {
      return lineError('KAR_ERR_CEF_HEADER_INCOMPLETE', `the CEF header has ${f} of its 7 \`|\`-terminated fields`, p - start);
    }
    out.headerStart[f] = fieldStart;
    out.headerEnd[f] = p;
    out.headerEscaped[f] = escaped;
    p++;
  }
  out.extensionStart = p;
  scanExtension(buf, p, end, out, high);
  return undefined;
}

function lineError(code: LineError['code'], message: string, offset: number): LineError {
  return { ok: false, code, message, offset };
}

/** 1 for the bytes that interrupt a header field: `|` (its end), backslash (an escape) and the non-ASCII bytes (noted for the decode). */
const HEADER_STOP = new Uint8Array(256).fill(1, 0x80);
HEADER_STOP[PIPE] = 1;
HEADER_STOP[BACKSLASH] = 1;

/** 1 for the bytes that interrupt a value: space (a possible separator), backslash (an escape) and the non-ASCII bytes (noted for the decode). */
const VALUE_STOP = new Uint8Array(256);
VALUE_STOP[SPACE] = 1;
VALUE_STOP[BACKSLASH] = 1;
VALUE_STOP.fill(1, 0x80);

// Word-at-a-time byte search (SWAR): for a 32-bit word w, `(x - ONES) & ~x
// & HIGHS` with x = w ^ (a byte repeated) is non-zero exactly when some byte
// of w equals that byte (a borrow can mark a byte above a true match, never
// create a match where none is), so 4 bytes cost one read and a few integer
// operations instead of 4 reads and 4 table lookups. Measured on the
// bench's lines (bench/tokenizer.ts, one core): tokenize-only 1.11M -> 1.40M
// lines/CPU-s for the value and prefix scans; the header's short fields
// gained nothing from it and keep the byte loop.
const ONES = 0x01010101;
const HIGHS = 0x80808080 | 0;
const SPACES = 0x20202020;
const BACKSLASHES = 0x5c5c5c5c;
const UPPER_CS = 0x43434343;

/** The index (0-3) of the first matching byte of a little-endian word whose match bits are `hits` (non-zero). */
function firstHit(hits: number): number {
  return (31 - Math.clz32(hits & -hits)) >> 3;
}

// The hash of the key `matchKey` accepted last; module state instead of an
// allocated result object keeps the hot path allocation-free.
let matchedKeyHash = 0;

/**
 * Whether a key followed by `=` starts at `p`. Returns the index of that `=`,
 * or the bitwise complement (`~i`, negative) of the first index that is not a
 * key byte, so the caller can skip the key bytes already looked at.
 */
function matchKey(buf: Uint8Array, p: number, end: number): number {
  if (p >= end) return ~p;
  const keyClass = KEY_CLASS;
  let b = buf[p]!;
  if ((keyClass[b]! & KEY_START) === 0) return ~p;
  let h = stepKeyHash(KEY_HASH_SEED, b);
  for (let i = p + 1; i < end; i++) {
    b = buf[i]!;
    if (b === EQUALS) {
      matchedKeyHash = finishKeyHash(h);
      return i;
    }
    if ((keyClass[b]! & KEY_PART) === 0) return ~i;
    h = stepKeyHash(h, b);
  }
  return ~end;
}

/**
 * The extension: `key=value` pairs. A value ends where a run of spaces is
 * followed by a key and `=`; the run is the separator. Anything else (tabs,
 * raw `=`, `\|`) is content (SPEC 4).
 */
function scanExtension(buf: Uint8Array, p: number, end: number, out: CefTokens, high: number): void {
  const valueStop = VALUE_STOP;
  const words = out.words;
  const wordLast = Math.min(end, out.wordsLength) - 4;
  // Whitespace before the key, for cutting `sig` out (SPEC 3). For the first
  // key it is the spaces/tabs skipped right after the header.
  let runStart = p;
  while (p < end && (buf[p] === SPACE || buf[p] === TAB)) p++;

  // Text before the first key (Konnect never sends it) runs up to the first
  // space run followed by `key=`. It is not dropped (SPEC 4): its span is
  // recorded as the preamble, read as text only when asked for, and it stays
  // in the signed bytes like everything else.
  let eq = matchKey(buf, p, end);
  if (eq < 0) {
    const preambleStart = p;
    do {
      let q = ~eq;
      while (q < end && buf[q] !== SPACE) q++;
      // These bytes are not looked at one by one below: not known to be ASCII.
      high = 0x80;
      if (q >= end) {
        // No key at all: the whole extension is preamble, trailing whitespace trimmed like a last value.
        let preambleEnd = end;
        while (preambleEnd > preambleStart && (buf[preambleEnd - 1] === SPACE || buf[preambleEnd - 1] === TAB)) preambleEnd--;
        if (preambleEnd > preambleStart) recordPreamble(out, preambleStart, preambleEnd);
        return;
      }
      runStart = q;
      while (q < end && buf[q] === SPACE) q++;
      p = q;
      eq = matchKey(buf, p, end);
    } while (eq < 0);
    recordPreamble(out, preambleStart, runStart);
  }

  for (;;) {
    const keyStart = p;
    const keyEnd = eq;
    const hash = matchedKeyHash;
    const valueStart = eq + 1;
    let valueEnd = -1;
    let nextRun = -1;
    let escaped = 0;
    let q = valueStart;
    while (q < end) {
      // Most bytes are ASCII and neither a space nor a backslash: skip them 4
      // at a time (`| w`: a byte >= 0x80 stops too), then byte by byte up to
      // the one that stops. Folding the ASCII check into the stop test costs
      // nothing measurable; OR-ing every word into `high` here cost 4%.
      while (q <= wordLast) {
        const w = words.getInt32(q, true);
        const s = w ^ SPACES;
        const b = w ^ BACKSLASHES;
        const hits = (((s - ONES) & ~s) | ((b - ONES) & ~b) | w) & HIGHS;
        if (hits !== 0) {
          q += firstHit(hits);
          break;
        }
        q += 4;
      }
      while (q < end && valueStop[buf[q]!] === 0) q++;
      if (q >= end) break;
      const b = buf[q]!;
      if (b >= 0x80) {
        // Content (part of a UTF-8 sequence); the line is not ASCII.
        high = 0x80;
        q++;
        continue;
      }
      if (b === SPACE) {
        const run = q;
        q++;
        while (q < end && buf[q] === SPACE) q++;
        const next = matchKey(buf, q, end);
        if (next >= 0) {
          valueEnd = run;
          nextRun = run;
          eq = next;
          break;
        }
        // Not a separator: the bytes matchKey looked at are key bytes
        // (neither space nor backslash), so resume after them.
        q = ~next;
        continue;
      }
      escaped = 1;
      // `\\` is one unit, so the second backslash cannot escape what follows.
      // A backslash before a space escapes nothing: the space can still separate.
      q += q + 1 < end && buf[q + 1] === BACKSLASH ? 2 : 1;
    }
    if (valueEnd < 0) {
      // The last value: trailing whitespace trimmed (SPEC 4).
      valueEnd = end;
      while (valueEnd > valueStart && (buf[valueEnd - 1] === SPACE || buf[valueEnd - 1] === TAB)) valueEnd--;
    }
    const i = out.addField(keyStart, keyEnd, valueStart, valueEnd, escaped, hash);
    if (keyEnd - keyStart === 3 && buf[keyStart] === 0x73 && buf[keyStart + 1] === 0x69 && buf[keyStart + 2] === 0x67) {
      recordSig(out, i, runStart, keyStart, valueStart, valueEnd, nextRun < 0 ? valueEnd : q);
    }
    if (nextRun < 0) {
      out.ascii = (high & HIGHS) === 0;
      return;
    }
    runStart = nextRun;
    p = q;
  }
}

/** Text between the header and the first key: kept (SPEC 4), counted as a warning by normalize/. */
function recordPreamble(out: CefTokens, start: number, end: number): void {
  out.preambleStart = start;
  out.preambleEnd = end;
}

/**
 * The `sig` value and the bytes to cut for the signed message (SPEC 3): the
 * whitespace before the key, the key, `=` and the value. When `sig` is the
 * first extension and nothing precedes it (`|sig=… a=1`), there is no
 * whitespace before it to remove; we cut the pair and the separator run after
 * it instead, so the signed message reads `|a=1`, the same shape a producer
 * gets by appending ` sig=…` to an unsigned line whose first pair is `a=1`.
 */
function recordSig(
  out: CefTokens, i: number, runStart: number, keyStart: number, valueStart: number, valueEnd: number, nextKeyStart: number,
): void {
  out.sigIndex = i;
  out.sigStart = valueStart;
  out.sigEnd = valueEnd;
  out.cutStart = runStart;
  out.cutEnd = runStart < keyStart ? valueEnd : nextKeyStart;
}

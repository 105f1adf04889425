/**
 * @module cef/prefix
 * The text before `CEF:` (SPEC 4). It is kept verbatim because it is signed
 * (SPEC 3); a leading timestamp and the host after it are recognized so that
 * events can be dated even when `rt` is missing. Kong's documented lines show
 * both shapes: `2025-06-23T14:28:47Z konghq.com` and `Apr 14 05:39:08 konghq.com`.
 */
import type { LinePrefix } from '../lines/types.js';
import {
  COLON, COMMA, DASH, DOT, LOWER_T, LOWER_Z, PLUS, SPACE, TAB, UPPER_T, UPPER_Z, isDigit,
} from './bytes.js';
import { decodeUtf8 } from './decode.js';

/**
 * Reads the prefix `buf[start, end)`: verbatim text, then a recognized
 * timestamp and host. `decode` makes the strings (the token structure passes
 * its cached line text).
 */
export function parsePrefix(
  buf: Uint8Array, start: number, end: number, decode: (start: number, end: number) => string = (s, e) => decodeUtf8(buf, s, e),
): LinePrefix {
  const text = decode(start, end);
  let kind: 'iso8601' | 'rfc3164' = 'iso8601';
  let tsEnd = matchIso8601(buf, start, end);
  if (tsEnd < 0) {
    kind = 'rfc3164';
    tsEnd = matchRfc3164(buf, start, end);
  }
  // A timestamp must be a whole token: `2025-06-23T14:28:47Zfoo` is not one.
  if (tsEnd < 0 || (tsEnd < end && !isBlank(buf[tsEnd]!))) return { text };
  const timestamp = decode(start, tsEnd);
  let hostStart = tsEnd;
  while (hostStart < end && isBlank(buf[hostStart]!)) hostStart++;
  let hostEnd = hostStart;
  while (hostEnd < end && !isBlank(buf[hostEnd]!)) hostEnd++;
  if (hostEnd === hostStart) return { text, timestamp, timestampKind: kind };
  return { text, timestamp, timestampKind: kind, host: decode(hostStart, hostEnd) };
}

function isBlank(b: number): boolean {
  return b === SPACE || b === TAB;
}

/** `n` digits at `p`: the index after them, or -1. */
function digits(buf: Uint8Array, p: number, end: number, n: number): number {
  if (p < 0 || p + n > end) return -1;
  for (let i = p; i < p + n; i++) if (!isDigit(buf[i]!)) return -1;
  return p + n;
}

function byte(buf: Uint8Array, p: number, end: number, b: number): number {
  return p >= 0 && p < end && buf[p] === b ? p + 1 : -1;
}

/**
 * `YYYY-MM-DDThh:mm:ss[.fraction][Z|±hh[:]mm|±hh]`: the end index, or -1.
 * (RFC 3339 §5.6, plus the comma fraction separator ISO 8601 allows.)
 */
export function matchIso8601(buf: Uint8Array, start: number, end: number): number {
  let p = digits(buf, start, end, 4);
  p = digits(buf, byte(buf, p, end, DASH), end, 2);
  p = digits(buf, byte(buf, p, end, DASH), end, 2);
  if (p < 0 || p >= end || (buf[p] !== UPPER_T && buf[p] !== LOWER_T)) return -1;
  p = digits(buf, p + 1, end, 2);
  p = digits(buf, byte(buf, p, end, COLON), end, 2);
  p = digits(buf, byte(buf, p, end, COLON), end, 2);
  if (p < 0) return -1;
  if (p < end && (buf[p] === DOT || buf[p] === COMMA) && p + 1 < end && isDigit(buf[p + 1]!)) {
    p += 1;
    while (p < end && isDigit(buf[p]!)) p++;
  }
  if (p >= end) return p;
  const zone = buf[p];
  if (zone === UPPER_Z || zone === LOWER_Z) return p + 1;
  if (zone !== PLUS && zone !== DASH) return p;
  const hours = digits(buf, p + 1, end, 2);
  if (hours < 0) return p;
  const withColon = digits(buf, byte(buf, hours, end, COLON), end, 2);
  if (withColon >= 0) return withColon;
  const compact = digits(buf, hours, end, 2);
  return compact >= 0 ? compact : hours;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function isMonth(buf: Uint8Array, p: number): boolean {
  for (const m of MONTHS) {
    if (buf[p] === m.charCodeAt(0) && buf[p + 1] === m.charCodeAt(1) && buf[p + 2] === m.charCodeAt(2)) return true;
  }
  return false;
}

/**
 * RFC 3164 §4.1.2 `Mmm dd hh:mm:ss`, where a one-digit day is space-padded
 * (`Apr  4`); a lone `Apr 4` is accepted too because some relays drop the pad.
 * The end index, or -1.
 */
export function matchRfc3164(buf: Uint8Array, start: number, end: number): number {
  if (start + 3 > end || !isMonth(buf, start)) return -1;
  let p = byte(buf, start + 3, end, SPACE);
  if (p < 0) return -1;
  if (buf[p] === SPACE) p = digits(buf, p + 1, end, 1);
  else p = digits(buf, p, end, 2) >= 0 ? p + 2 : digits(buf, p, end, 1);
  p = digits(buf, byte(buf, p, end, SPACE), end, 2);
  p = digits(buf, byte(buf, p, end, COLON), end, 2);
  return digits(buf, byte(buf, p, end, COLON), end, 2);
}

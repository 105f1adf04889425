/**
 * @module json/scan
 * A strict (RFC 8259), single-pass scanner over the bytes of one JSON line.
 * It validates the whole line, records each top-level member's key span and
 * value span, and the `sig` member's value and cut spans (SPEC 3). It makes no
 * strings and never parses numbers: `"trace_id":3895213347334635099` stays
 * the 19 source bytes (`JSON.parse` would silently round it).
 *
 * Nested objects and arrays are validated with an explicit stack capped at
 * `MAX_JSON_DEPTH`, never by recursion, so a line of 100,000 `[` cannot
 * overflow the call stack. Every byte is looked at a bounded number of times:
 * linear time.
 */
import type { ErrorCode } from '../errors/index.js';
import type { LineError, LineView } from '../lines/types.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  describeByte,
  DIGIT_0,
  DIGIT_1,
  DIGIT_9,
  DOT,
  hexValue,
  isDigit,
  isJsonWhitespace,
  LOWER_E,
  LOWER_U,
  MINUS,
  OPEN_BRACE,
  OPEN_BRACKET,
  PLUS,
  QUOTE,
  UPPER_E,
  utf8SequenceLength,
} from './bytes.js';
import { asBuffer, unescapeJsonString } from './strings.js';
import { createJsonLineView, ESCAPED_KEY, ESCAPED_VALUE, STRING_VALUE, type SigSpans } from './view.js';

/** Deepest nesting accepted (the top-level object is depth 1). */
export const MAX_JSON_DEPTH = 512;

const IN_OBJECT = 1;
const IN_ARRAY = 2;

/** Escapes allowed after a backslash besides `u` (RFC 8259 §7). */
const SHORT_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

const LITERALS: readonly (readonly number[])[] = [
  [0x74, 0x72, 0x75, 0x65], // true
  [0x66, 0x61, 0x6c, 0x73, 0x65], // false
  [0x6e, 0x75, 0x6c, 0x6c], // null
];

/** The container stack of nested values; the scanner is synchronous, so one is enough. */
const stack = new Uint8Array(MAX_JSON_DEPTH + 1);

class Scanner {
  /** Set by `scanString`: whether the string just scanned contains a backslash escape. */
  escaped = false;
  /** Set by `scanKeyAndColon`: the index of the member name's closing quote. */
  keyEnd = -1;
  failure: LineError | undefined;

  constructor(
    readonly buf: Uint8Array,
    readonly lineStart: number,
    readonly end: number,
  ) {}

  fail(at: number, message: string, code: ErrorCode = 'KAR_ERR_JSON_SYNTAX'): -1 {
    const offset = at - this.lineStart;
    this.failure ??= { ok: false, code, message: `${message} at byte ${offset}`, offset };
    return -1;
  }

  unexpected(at: number, expected: string): -1 {
    const found = at < this.end ? describeByte(this.buf[at]) : 'end of line';
    return this.fail(at, `expected ${expected}, found ${found}`);
  }

  skipWhitespace(p: number): number {
    while (p < this.end && isJsonWhitespace(this.buf[p])) p++;
    return p;
  }

  /** `p` is at the opening quote; returns the index after the closing quote, or -1. */
  scanString(p: number): number {
    const { buf, end } = this;
    this.escaped = false;
    let i = p + 1;
    while (i < end) {
      const c = buf[i] as number;
      // The common case first: printable ASCII other than `"` and `\`.
      if (c > QUOTE && c < 0x80 && c !== BACKSLASH) {
        i++;
        continue;
      }
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) {
        this.escaped = true;
        const next = buf[i + 1];
        if (next === LOWER_U) {
          for (let k = 2; k < 6; k++) {
            if (i + k >= end || hexValue(buf[i + k]) < 0) return this.fail(i, 'invalid \\u escape in string');
          }
          i += 6;
        } else if (next !== undefined && i + 1 < end && SHORT_ESCAPES.has(next)) {
          i += 2;
        } else {
          return this.fail(i, 'invalid escape in string');
        }
      } else if (c < 0x20) {
        return this.fail(i, `unescaped control character ${describeByte(c)} in string`);
      } else if (c < 0x80) {
        i++; // space and '!'
      } else {
        const length = utf8SequenceLength(buf, i, end);
        if (length === 0) return this.fail(i, 'invalid UTF-8 in string', 'KAR_ERR_LINE_NOT_UTF8');
        i += length;
      }
    }
    return this.fail(end, 'unterminated string');
  }

  /** RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; the text is kept, never converted. */
  scanNumber(p: number): number {
    const { buf, end } = this;
    let i = p;
    if (buf[i] === MINUS) i++;
    const first = i < end ? buf[i] : undefined;
    if (first === DIGIT_0) i++;
    else if (first !== undefined && first >= DIGIT_1 && first <= DIGIT_9) {
      while (i < end && isDigit(buf[i])) i++;
    } else return this.unexpected(i, 'a digit');
    if (i < end && buf[i] === DOT) {
      i++;
      if (i >= end || !isDigit(buf[i])) return this.unexpected(i, 'a digit after the decimal point');
      while (i < end && isDigit(buf[i])) i++;
    }
    if (i < end && (buf[i] === LOWER_E || buf[i] === UPPER_E)) {
      i++;
      if (i < end && (buf[i] === PLUS || buf[i] === MINUS)) i++;
      if (i >= end || !isDigit(buf[i])) return this.unexpected(i, 'a digit in the exponent');
      while (i < end && isDigit(buf[i])) i++;
    }
    return i;
  }

  scanLiteral(p: number, literal: readonly number[]): number {
    for (let k = 0; k < literal.length; k++) {
      if (p + k >= this.end || this.buf[p + k] !== literal[k]) return this.unexpected(p + k, 'a value');
    }
    return p + literal.length;
  }

  /** A member name and its colon; returns the index of the value, or -1. */
  scanKeyAndColon(p: number): number {
    if (p >= this.end || this.buf[p] !== QUOTE) return this.unexpected(p, 'a member name (a string)');
    const q = this.scanString(p);
    if (q < 0) return -1;
    this.keyEnd = q - 1;
    const colon = this.skipWhitespace(q);
    if (colon >= this.end || this.buf[colon] !== COLON) return this.unexpected(colon, "':' after the member name");
    return this.skipWhitespace(colon + 1);
  }

  /**
   * Validates one value of any kind starting at `p` (no leading whitespace)
   * inside containers already `depth` deep; returns the index after it, or -1.
   */
  skipValue(p: number, depth: number): number {
    const { buf, end } = this;
    let top = 0;
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        const c = p < end ? buf[p] : undefined;
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          if (depth + top + 1 > MAX_JSON_DEPTH) return this.fail(p, `nesting deeper than ${MAX_JSON_DEPTH} levels`);
          stack[top++] = c === OPEN_BRACE ? IN_OBJECT : IN_ARRAY;
          p = this.skipWhitespace(p + 1);
          if (p < end && buf[p] === (c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) {
            top--;
            p++;
            expectValue = false;
          } else if (c === OPEN_BRACE) {
            p = this.scanKeyAndColon(p);
          }
        } else {
          if (c === QUOTE) p = this.scanString(p);
          else if (c === MINUS || isDigit(c)) p = this.scanNumber(p);
          else if (c === 0x74) p = this.scanLiteral(p, LITERALS[0] as number[]);
          else if (c === 0x66) p = this.scanLiteral(p, LITERALS[1] as number[]);
          else if (c === 0x6e) p = this.scanLiteral(p, LITERALS[2] as number[]);
          else return this.unexpected(p, 'a value');
          expectValue = false;
        }
        if (p < 0) return -1;
        continue;
      }
      if (top === 0) return p;
      p = this.skipWhitespace(p);
      const c = p < end ? buf[p] : undefined;
      const container = stack[top - 1];
      if (c === COMMA) {
        p = this.skipWhitespace(p + 1);
        if (container === IN_OBJECT) p = this.scanKeyAndColon(p);
        if (p < 0) return -1;
        expectValue = true;
      } else if ((container === IN_OBJECT && c === CLOSE_BRACE) || (container === IN_ARRAY && c === CLOSE_BRACKET)) {
        top--;
        p++;
      } else {
        return this.unexpected(p, container === IN_OBJECT ? "',' or '}'" : "',' or ']'");
      }
    }
  }
}

function isSigKey(scanner: Scanner, keyStart: number, keyEnd: number, escaped: boolean): boolean {
  const { buf } = scanner;
  if (!escaped) return keyEnd - keyStart === 3 && buf[keyStart] === 0x73 && buf[keyStart + 1] === 0x69 && buf[keyStart + 2] === 0x67;
  // `"s\u0069g"` names the same member as `"sig"` for any JSON reader, so it is the sig here too.
  return unescapeJsonString(asBuffer(buf), keyStart, keyEnd) === 'sig';
}

/** What one object's scan records: its members (MEMBER_STRIDE numbers each) and its `sig` spans. */
interface ObjectScan {
  readonly members: number[];
  readonly sig: SigSpans;
  /** `sig` members seen (a second one is a duplicate; the last wins). */
  sigs: number;
  /** Top level only: the scan of the first `event` member whose value is an object (a CPS wrapper, SPEC 2), else undefined. */
  event: ObjectScan | undefined;
  /** Top level only: members that are neither `sig` nor that `event`: any makes the line plain JSON. */
  others: number;
}

function createObjectScan(): ObjectScan {
  return { members: [], sig: { sigStart: -1, sigEnd: -1, cutStart: -1, cutEnd: -1 }, sigs: 0, event: undefined, others: 0 };
}

/** `event`: 0x65 0x76 0x65 0x6e 0x74 (an escaped spelling is not the wrapper: Konnect writes it plainly). */
function isEventKey(buf: Uint8Array, keyStart: number, keyEnd: number, escaped: boolean): boolean {
  return !escaped && keyEnd - keyStart === 5 && buf[keyStart] === 0x65 && buf[keyStart + 1] === 0x76 && buf[keyStart + 2] === 0x65 && buf[keyStart + 3] === 0x6e && buf[keyStart + 4] === 0x74;
}

/**
 * Scans the object whose `{` is at `open`, itself `depth` containers deep
 * (the line's object is 1), recording its members and `sig` spans in `scan`.
 * At the top level an `event` member whose value is an object is scanned the
 * same way, in the same pass (Konnect's `cps` lines wrap the event in it).
 * Returns the index after the closing `}`, or -1 (the failure is in `s`).
 */
function scanObject(s: Scanner, open: number, depth: number, scan: ObjectScan): number {
  const { buf, end } = s;
  const { members, sig } = scan;
  let sigCommaBefore = -1;
  let sigMemberStart = -1;
  let sigMemberEnd = -1;
  let sigIsLastSeen = false;
  let previousComma = -1;

  let p = s.skipWhitespace(open + 1);
  if (p < end && buf[p] === CLOSE_BRACE) return p + 1;
  for (;;) {
    const keyQuote = p;
    const valueAt = s.scanKeyAndColon(p);
    if (valueAt < 0) return -1;
    const keyStart = keyQuote + 1;
    const keyEscaped = s.escaped;
    const keyEnd = s.keyEnd;
    let valueStart: number;
    let valueEnd: number;
    let after: number;
    let flags = keyEscaped ? ESCAPED_KEY : 0;
    let wrapped = false;
    if (valueAt < end && buf[valueAt] === QUOTE) {
      after = s.scanString(valueAt);
      if (after < 0) return -1;
      valueStart = valueAt + 1;
      valueEnd = after - 1;
      flags |= STRING_VALUE | (s.escaped ? ESCAPED_VALUE : 0);
    } else {
      if (depth === 1 && scan.event === undefined && buf[valueAt] === OPEN_BRACE && isEventKey(buf, keyStart, keyEnd, keyEscaped)) {
        const inner = createObjectScan();
        after = scanObject(s, valueAt, depth + 1, inner);
        scan.event = inner;
        wrapped = true;
      } else {
        after = s.skipValue(valueAt, depth);
      }
      if (after < 0) return -1;
      valueStart = valueAt;
      valueEnd = after;
    }
    members.push(keyStart, keyEnd, valueStart, valueEnd, flags);

    const memberIsSig = isSigKey(s, keyStart, keyEnd, keyEscaped);
    if (memberIsSig) {
      // Last one wins, like every other duplicate key.
      scan.sigs++;
      sig.sigStart = valueStart;
      sig.sigEnd = valueEnd;
      sigMemberStart = keyQuote;
      sigMemberEnd = after;
      sigCommaBefore = previousComma;
    } else if (!wrapped) {
      scan.others++;
    }
    sigIsLastSeen = memberIsSig;

    p = s.skipWhitespace(after);
    const c = p < end ? buf[p] : undefined;
    if (c === COMMA) {
      if (sigIsLastSeen && sigCommaBefore < 0) {
        // sig is the first member: it goes with its following comma.
        sig.cutStart = sigMemberStart;
        sig.cutEnd = p + 1;
      }
      previousComma = p;
      p = s.skipWhitespace(p + 1);
      continue;
    }
    if (c === CLOSE_BRACE) {
      p++;
      break;
    }
    return s.unexpected(p, "',' or '}'");
  }
  if (sig.sigStart >= 0 && sigCommaBefore >= 0) {
    sig.cutStart = sigCommaBefore;
    sig.cutEnd = sigMemberEnd;
  } else if (sig.sigStart >= 0 && sig.cutStart < 0) {
    // The only member: nothing else to take with it.
    sig.cutStart = sigMemberStart;
    sig.cutEnd = sigMemberEnd;
  }
  return p;
}

/**
 * Scans the JSON object held in `buf[start, end)` (one line, without its
 * line terminator). Returns a `LineView` over the same bytes, or a
 * `LineError` (`KAR_ERR_JSON_SYNTAX`, `KAR_ERR_JSON_NOT_OBJECT` for valid JSON
 * that is not one object or an object followed by more bytes, or
 * `KAR_ERR_LINE_NOT_UTF8` for a string that is not UTF-8). Never throws.
 *
 * A line whose only members are `event` (an object) and `sig` is Konnect's
 * `cps` format: the view reads the event's members (header, fields), while
 * the signed message stays the whole line without the `sig` member, wherever
 * it sits — inside the event or beside it (SPEC 3).
 */
export function scanJsonLine(buf: Uint8Array, start: number, end: number): LineView | LineError {
  if (start < 0 || end > buf.length || start > end) {
    return { ok: false, code: 'KAR_ERR_JSON_SYNTAX', message: 'line span outside the buffer', offset: 0 };
  }
  const s = new Scanner(buf, start, end);
  const first = s.skipWhitespace(start);
  if (first >= end || buf[first] !== OPEN_BRACE) return notAnObject(s, first);

  const top = createObjectScan();
  const p = scanObject(s, first, 1, top);
  if (p < 0) return s.failure as LineError;
  const rest = s.skipWhitespace(p);
  if (rest < end) {
    const offset = rest - start;
    return { ok: false, code: 'KAR_ERR_JSON_NOT_OBJECT', message: `bytes after the JSON object at byte ${offset}`, offset };
  }
  const event = top.event;
  if (event === undefined || top.others > 0) return createJsonLineView(buf, start, end, top.members, top.sig, 'json', 0);
  // cps: a sig in both places is a duplicate; the one later in the line wins (as for any duplicate key).
  const sig = event.sig.sigStart > top.sig.sigStart ? event.sig : top.sig;
  const extraSigs = event.sigs > 0 && top.sigs > 0 ? 1 : 0;
  return createJsonLineView(buf, start, end, event.members, sig, 'cps', top.sigs - (top.sigs > 0 ? 1 : 0) + extraSigs);
}

/** The line does not start with `{`: tell valid JSON of another kind from invalid JSON. */
function notAnObject(s: Scanner, first: number): LineError {
  if (first >= s.end) {
    s.fail(first, 'empty line: expected a JSON object');
    return s.failure as LineError;
  }
  const after = s.skipValue(first, 0);
  if (after < 0) return s.failure as LineError;
  const rest = s.skipWhitespace(after);
  if (rest < s.end) s.unexpected(rest, 'the end of the line');
  return s.failure ?? { ok: false, code: 'KAR_ERR_JSON_NOT_OBJECT', message: 'the line is valid JSON but not an object', offset: first - s.lineStart };
}

/**
 * @module json/view
 * The `LineView` of a scanned JSON line: the spans recorded by the scanner,
 * and strings made only when a field is read. Member names are decoded and
 * indexed on the first read (last duplicate wins, duplicates counted then).
 */
import type { CefHeader, FieldKind, LineFormat, LinePrefix, LineView } from '../lines/types.js';
import { asBuffer, unescapeJsonString, utf8Text } from './strings.js';

/** Numbers per member in the scanner's record: key start, key end, value start, value end, flags. */
export const MEMBER_STRIDE = 5;
export const ESCAPED_KEY = 1;
export const STRING_VALUE = 2;
export const ESCAPED_VALUE = 4;

export interface SigSpans {
  sigStart: number;
  sigEnd: number;
  cutStart: number;
  cutEnd: number;
}

const EMPTY_PREFIX: LinePrefix = Object.freeze({ text: '' });

/** JSON member names that carry the CEF header fields (SPEC 6). */
const headerMembers = {
  version: 'cef_version',
  vendor: 'event_vendor',
  product: 'event_product',
  product_version: 'event_version',
  event_class_id: 'event_class_id',
  name: 'name',
  severity: 'severity',
} as const satisfies Record<keyof CefHeader, string>;

class JsonLineView implements LineView {
  readonly sigStart: number;
  readonly sigEnd: number;
  readonly cutStart: number;
  readonly cutEnd: number;
  readonly #members: readonly number[];
  /** Every field but `sig`, decoded on first read (last duplicate wins, in order of first occurrence). */
  #all: Record<string, string> | undefined;
  #duplicates: number;
  #raw: string | undefined;

  constructor(
    readonly buf: Uint8Array,
    readonly start: number,
    readonly end: number,
    members: readonly number[],
    sig: Readonly<SigSpans>,
    readonly format: JsonLineFormat,
    outerDuplicates: number,
  ) {
    this.#members = members;
    this.#duplicates = outerDuplicates;
    this.sigStart = sig.sigStart;
    this.sigEnd = sig.sigEnd;
    this.cutStart = sig.cutStart;
    this.cutEnd = sig.cutEnd;
  }

  get duplicateKeys(): number {
    this.#decoded();
    return this.#duplicates;
  }

  header(): CefHeader {
    const all = this.#decoded();
    const get = (name: string): string => (Object.hasOwn(all, name) ? (all[name] as string) : '');
    return {
      version: get(headerMembers.version),
      vendor: get(headerMembers.vendor),
      product: get(headerMembers.product),
      product_version: get(headerMembers.product_version),
      event_class_id: get(headerMembers.event_class_id),
      name: get(headerMembers.name),
      severity: get(headerMembers.severity),
    };
  }

  field(name: string): string | undefined {
    const all = this.#decoded();
    return Object.hasOwn(all, name) ? all[name] : undefined;
  }

  fields(): Record<string, string> {
    // A copy: what a caller does with its record must not change what the view reads.
    return { ...this.#decoded() };
  }

  /**
   * The JSON type of the (last) member `name`, from its flags and first byte
   * (the scanner has validated the value). Finds the member by a backwards
   * walk that decodes names: meant for the rare question "was this `null`?",
   * not for every field.
   */
  fieldKind(name: string): FieldKind | undefined {
    if (name === 'sig') return undefined;
    const m = this.#members;
    const b = asBuffer(this.buf);
    for (let i = m.length - MEMBER_STRIDE; i >= 0; i -= MEMBER_STRIDE) {
      const flags = m[i + 4] as number;
      const memberName = flags & ESCAPED_KEY ? unescapeJsonString(b, m[i] as number, m[i + 1] as number) : utf8Text(b, m[i] as number, m[i + 1] as number);
      if (memberName !== name) continue;
      if (flags & STRING_VALUE) return 'string';
      return kindOfFirstByte(b[m[i + 2] as number]);
    }
    return undefined;
  }

  rawText(): string {
    this.#raw ??= utf8Text(asBuffer(this.buf), this.start, this.end);
    return this.#raw;
  }

  prefix(): LinePrefix {
    return EMPTY_PREFIX;
  }

  /** A JSON line has no text outside its members. */
  extensionPreamble(): undefined {
    return undefined;
  }

  /**
   * Decodes every member once. A JSON line is read whole by normalize
   * (header + fields), so one pass that makes each string once is cheaper
   * than an index of spans plus a decode per read.
   */
  #decoded(): Record<string, string> {
    if (this.#all !== undefined) return this.#all;
    const all: Record<string, string> = {};
    const m = this.#members;
    const b = asBuffer(this.buf);
    // Unescaped names and values are slices of the line decoded once (a
    // native decode per string cost more than the rest of the pass), when
    // the line is ASCII so that byte offsets are string offsets.
    const line = this.rawText();
    const base = this.start;
    const aligned = line.length === this.end - base;
    let sigSeen = false;
    for (let i = 0; i < m.length; i += MEMBER_STRIDE) {
      const flags = m[i + 4] as number;
      const nameStart = m[i] as number;
      const nameEnd = m[i + 1] as number;
      const name = flags & ESCAPED_KEY ? unescapeJsonString(b, nameStart, nameEnd) : aligned ? line.slice(nameStart - base, nameEnd - base) : utf8Text(b, nameStart, nameEnd);
      if (name === 'sig') {
        if (sigSeen) this.#duplicates++;
        sigSeen = true;
        continue;
      }
      const start = m[i + 2] as number;
      const end = m[i + 3] as number;
      const value = flags & ESCAPED_VALUE ? unescapeJsonString(b, start, end) : aligned ? line.slice(start - base, end - base) : utf8Text(b, start, end);
      if (Object.hasOwn(all, name)) this.#duplicates++;
      // A member named `__proto__` is data like any other, not the record's prototype.
      if (name === '__proto__') Object.defineProperty(all, name, { value, enumerable: true, writable: true, configurable: true });
      else all[name] = value;
    }
    this.#all = all;
    return all;
  }
}

/** A non-string JSON value's type by its first byte (RFC 8259 §3: `null`, `true`/`false`, object, array, else a number). */
function kindOfFirstByte(byte: number | undefined): FieldKind {
  switch (byte) {
    case 0x6e: // n
      return 'null';
    case 0x74: // t
    case 0x66: // f
      return 'boolean';
    case 0x7b: // {
      return 'object';
    case 0x5b: // [
      return 'array';
    default:
      return 'number';
  }
}

/** `json`, or `cps` when `members` are those of the `event` object a cps line wraps. */
export type JsonLineFormat = Extract<LineFormat, 'json' | 'cps'>;

/**
 * A view over a scanned line. `members` are the top-level members, or for a
 * cps line the wrapped event's; `sig` is wherever the line's sig sits;
 * `outerDuplicates` counts duplicate `sig`s outside `members`.
 */
export function createJsonLineView(buf: Uint8Array, start: number, end: number, members: readonly number[], sig: Readonly<SigSpans>, format: JsonLineFormat, outerDuplicates: number): LineView {
  return new JsonLineView(buf, start, end, members, sig, format, outerDuplicates);
}

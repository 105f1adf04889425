/**
 * @module json/view
 * The `LineView` of a scanned JSON line: the spans recorded by the scanner,
 * and strings made only when a field is read. Member names are decoded and
 * indexed on the first read (last duplicate wins, duplicates counted then).
 */
import type { CefHeader, LinePrefix, LineView } from '../lines/types.js';
import { asBuffer, unescapeJsonString } from './strings.js';

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
  readonly format = 'json' as const;
  readonly sigStart: number;
  readonly sigEnd: number;
  readonly cutStart: number;
  readonly cutEnd: number;
  readonly #members: readonly number[];
  #text: Buffer | undefined;
  /** Member name → index of its last occurrence, in order of first occurrence. */
  #index: Map<string, number> | undefined;
  #duplicates = 0;

  constructor(
    readonly buf: Uint8Array,
    readonly start: number,
    readonly end: number,
    members: readonly number[],
    sig: Readonly<SigSpans>,
  ) {
    this.#members = members;
    this.sigStart = sig.sigStart;
    this.sigEnd = sig.sigEnd;
    this.cutStart = sig.cutStart;
    this.cutEnd = sig.cutEnd;
  }

  get duplicateKeys(): number {
    this.#indexed();
    return this.#duplicates;
  }

  header(): CefHeader {
    const get = (name: string): string => this.field(name) ?? '';
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
    if (name === 'sig') return undefined;
    const member = this.#indexed().get(name);
    return member === undefined ? undefined : this.#value(member);
  }

  fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, member] of this.#indexed()) {
      if (name === 'sig') continue;
      // A member named `__proto__` is data like any other, not the object's prototype.
      if (name === '__proto__') Object.defineProperty(out, name, { value: this.#value(member), enumerable: true, writable: true, configurable: true });
      else out[name] = this.#value(member);
    }
    return out;
  }

  prefix(): LinePrefix {
    return EMPTY_PREFIX;
  }

  #bytes(): Buffer {
    return (this.#text ??= asBuffer(this.buf));
  }

  #indexed(): Map<string, number> {
    if (this.#index !== undefined) return this.#index;
    const index = new Map<string, number>();
    const m = this.#members;
    const b = this.#bytes();
    for (let i = 0; i < m.length; i += MEMBER_STRIDE) {
      const keyStart = m[i] as number;
      const keyEnd = m[i + 1] as number;
      const flags = m[i + 4] as number;
      const name = flags & ESCAPED_KEY ? unescapeJsonString(b, keyStart, keyEnd) : b.toString('utf8', keyStart, keyEnd);
      if (index.has(name)) this.#duplicates++;
      index.set(name, i);
    }
    this.#index = index;
    return index;
  }

  /** A string value unescaped; any other value as its exact source text. */
  #value(i: number): string {
    const m = this.#members;
    const start = m[i + 2] as number;
    const end = m[i + 3] as number;
    const flags = m[i + 4] as number;
    const b = this.#bytes();
    return flags & ESCAPED_VALUE ? unescapeJsonString(b, start, end) : b.toString('utf8', start, end);
  }
}

export function createJsonLineView(buf: Uint8Array, start: number, end: number, members: readonly number[], sig: Readonly<SigSpans>): LineView {
  return new JsonLineView(buf, start, end, members, sig);
}

/**
 * @module cef/tokens
 * The reusable token structure of one CEF line: byte offsets into the batch
 * buffer, half-open `[start, end)`, in typed arrays that `tokenizeCef`
 * overwrites for every line (STYLE 2). Strings are made only by the
 * `LineView` methods, when a field is read.
 */
import type { CefHeader, FieldKind, LinePrefix, LineView } from '../lines/types.js';
import { decodeUtf8, unescapeCefHeader, unescapeCefValue } from './decode.js';
import { hashKeyString } from './key-hash.js';
import { parsePrefix } from './prefix.js';

/** The 7 header fields, in order; index 0 is the CEF version. */
export const HEADER_FIELD_COUNT = 7;

const INITIAL_FIELDS = 32;
const INITIAL_TABLE = 64;
/** Up to this many pairs, duplicates are found by a linear scan over the key hashes; beyond, by the hash table. */
const LINEAR_KEYS = 24;
// After a hostile line with a huge number of keys, give the memory back
// instead of keeping it for the life of the process.
const RETAINED_FIELDS = 1024;
const MAX_GENERATION = 0x7fffffff;
const EMPTY = new Uint8Array(0);

export class CefTokens implements LineView {
  readonly format = 'cef' as const;
  buf: Uint8Array = EMPTY;
  start = 0;
  end = 0;
  /** The prefix is `[start, prefixEnd)`; `prefixEnd` is where `CEF:` begins. */
  prefixEnd = 0;
  /** Header field spans; index 0 is the version digits after `CEF:`. */
  readonly headerStart = new Int32Array(HEADER_FIELD_COUNT);
  readonly headerEnd = new Int32Array(HEADER_FIELD_COUNT);
  /** 1 when the header field holds `\|` or `\\` and needs unescaping. */
  readonly headerEscaped = new Uint8Array(HEADER_FIELD_COUNT);
  /** First byte after the 7th `|`. */
  extensionStart = 0;
  /**
   * Text between the header and the first `key=` (SPEC 4: kept and reported,
   * never dropped), `[preambleStart, preambleEnd)` without the whitespace
   * around it; -1 when the extension starts with a key.
   */
  preambleStart = -1;
  preambleEnd = -1;
  /** @internal Set by `tokenizeCef`: every byte of the line is ASCII (false when unknown). */
  ascii = false;
  /** Number of key/value pairs (sig and duplicates included). */
  count = 0;
  keyStart: Int32Array = new Int32Array(INITIAL_FIELDS);
  keyEnd: Int32Array = new Int32Array(INITIAL_FIELDS);
  valueStart: Int32Array = new Int32Array(INITIAL_FIELDS);
  valueEnd: Int32Array = new Int32Array(INITIAL_FIELDS);
  /** 1 when the value holds a backslash and needs unescaping. */
  valueEscaped: Uint8Array = new Uint8Array(INITIAL_FIELDS);
  keyHash: Int32Array = new Int32Array(INITIAL_FIELDS);
  /** Index of the (last) `sig` pair, -1 when absent. */
  sigIndex = -1;
  sigStart = -1;
  sigEnd = -1;
  cutStart = -1;
  cutEnd = -1;
  duplicateKeys = 0;

  // Open-addressing table from key hash to the index of the last pair with
  // that key, used once a line has more than LINEAR_KEYS pairs. Slots are valid only when their generation is the current
  // line's, so starting a line costs nothing.
  private tableGeneration: Int32Array = new Int32Array(INITIAL_TABLE);
  private tableIndex: Int32Array = new Int32Array(INITIAL_TABLE);
  private generation = 0;
  private distinctKeys = 0;
  // One bit per key hash (its low 5 bits) of the line's pairs so far: a key
  // whose bit is clear cannot be a duplicate, and the linear scan is skipped
  // (measured: tokenize-only 1.40M -> 1.47M lines/CPU-s on the bench's lines).
  private keyBits = 0;
  // The whole line decoded once, on the first string read: when it has as
  // many UTF-16 units as the line has bytes, every byte became one unit and
  // a field is a cheap substring; otherwise each span is decoded on its own.
  private lineText: string | undefined;
  private lineTextAligned = false;
  // A Buffer over the batch buffer's memory, made once per batch buffer:
  // Buffer#toString decodes faster than TextDecoder on a fresh subarray.
  private textView: Buffer | undefined;
  /**
   * @internal A DataView over the batch buffer, made once per batch buffer,
   * for the tokenizer's 4-bytes-at-a-time scans (tokenize.ts); `wordsLength`
   * bounds its reads (0: bytes only).
   */
  words: DataView = new DataView(new ArrayBuffer(0));
  wordsLength = 0;

  get versionStart(): number {
    return this.headerStart[0]!;
  }

  get versionEnd(): number {
    return this.headerEnd[0]!;
  }

  /** @internal Called by `tokenizeCef` before it scans a line. */
  beginLine(buf: Uint8Array, start: number, end: number): void {
    if (buf !== this.buf) this.setBuffer(buf);
    this.start = start;
    this.end = end;
    this.prefixEnd = start;
    this.extensionStart = end;
    this.preambleStart = -1;
    this.preambleEnd = -1;
    this.count = 0;
    this.sigIndex = -1;
    this.sigStart = -1;
    this.sigEnd = -1;
    this.cutStart = -1;
    this.cutEnd = -1;
    this.duplicateKeys = 0;
    this.distinctKeys = 0;
    this.keyBits = 0;
    this.lineText = undefined;
    this.ascii = false;
    if (this.keyStart.length > RETAINED_FIELDS) this.resizeFields(INITIAL_FIELDS);
    if (this.tableIndex.length > 2 * RETAINED_FIELDS) {
      this.tableGeneration = new Int32Array(INITIAL_TABLE);
      this.tableIndex = new Int32Array(INITIAL_TABLE);
    }
    if (++this.generation === MAX_GENERATION) {
      this.tableGeneration.fill(0);
      this.generation = 1;
    }
  }

  /** @internal Called by `tokenizeCef` for each pair; returns its index. */
  addField(keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, escaped: number, hash: number): number {
    const i = this.count;
    if (i === this.keyStart.length) this.resizeFields(i * 2);
    this.keyStart[i] = keyStart;
    this.keyEnd[i] = keyEnd;
    this.valueStart[i] = valueStart;
    this.valueEnd[i] = valueEnd;
    this.valueEscaped[i] = escaped;
    this.keyHash[i] = hash;
    this.count = i + 1;
    if (i < LINEAR_KEYS) {
      // Few keys (every Konnect line): comparing hashes beats a table.
      const bit = 1 << (hash & 31);
      if ((this.keyBits & bit) === 0) {
        this.keyBits |= bit;
        return i;
      }
      for (let j = i - 1; j >= 0; j--) {
        if (this.keyHash[j] === hash && this.sameKey(j, i)) {
          this.duplicateKeys++;
          break;
        }
      }
    } else {
      if (i === LINEAR_KEYS) for (let j = 0; j < i; j++) this.index(j, false);
      this.index(i, true);
    }
    return i;
  }

  private setBuffer(buf: Uint8Array): void {
    this.buf = buf;
    // A view of a resizable buffer can be shrunk under a fixed DataView,
    // which then throws on every read: such a batch is scanned byte by byte.
    const buffer = buf.buffer as ArrayBuffer & { readonly resizable?: boolean };
    if (buffer.resizable === true) {
      this.words = new DataView(new ArrayBuffer(0));
      this.wordsLength = 0;
    } else {
      this.words = new DataView(buffer, buf.byteOffset, buf.byteLength);
      this.wordsLength = buf.byteLength;
    }
  }

  header(): CefHeader {
    return {
      version: this.headerText(0),
      vendor: this.headerText(1),
      product: this.headerText(2),
      product_version: this.headerText(3),
      event_class_id: this.headerText(4),
      name: this.headerText(5),
      severity: this.headerText(6),
    };
  }

  field(name: string): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.value(i);
  }

  /** Every CEF value is text. */
  fieldKind(name: string): FieldKind | undefined {
    return this.indexOf(name) < 0 ? undefined : 'string';
  }

  /**
   * Every pair except `sig`, unescaped, last duplicate wins. Source order,
   * except that JavaScript lists integer-like keys (`0`, `42`) first.
   */
  fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < this.count; i++) {
      if (this.isSigKey(i)) continue;
      const key = this.key(i);
      // `__proto__` matches the key grammar; assigning it would not create a field.
      if (key === '__proto__') Object.defineProperty(out, key, { value: this.value(i), enumerable: true, writable: true, configurable: true });
      else out[key] = this.value(i);
    }
    return out;
  }

  rawText(): string {
    return this.lineText ?? this.decodeLine();
  }

  /** The preamble verbatim (no unescaping: it is not a value), or undefined. */
  extensionPreamble(): string | undefined {
    return this.preambleStart < 0 ? undefined : this.text(this.preambleStart, this.preambleEnd);
  }

  prefix(): LinePrefix {
    return parsePrefix(this.buf, this.start, this.prefixEnd, (start, end) => this.text(start, end));
  }

  /** The i-th key (keys are ASCII by grammar). */
  key(i: number): string {
    return internKey(this.buf, this.keyStart[i]!, this.keyEnd[i]!, this.keyHash[i]!);
  }

  /** The i-th value, unescaped. */
  value(i: number): string {
    const start = this.valueStart[i]!;
    const end = this.valueEnd[i]!;
    return this.valueEscaped[i] === 1 ? unescapeCefValue(this.buf, start, end) : this.text(start, end);
  }

  /** The text of `buf[start, end)`, a span of this line. */
  text(start: number, end: number): string {
    const line = this.lineText ?? this.decodeLine();
    return this.lineTextAligned ? line.slice(start - this.start, end - this.start) : decodeUtf8(this.buf, start, end);
  }

  /** Index of the last pair named `name` (never `sig`), -1 when absent. */
  private indexOf(name: string): number {
    if (name === 'sig') return -1;
    const hash = hashKeyString(name);
    if (hash === undefined) return -1;
    if (this.count <= LINEAR_KEYS) {
      for (let i = this.count - 1; i >= 0; i--) if (this.keyHash[i] === hash && this.keyIs(i, name)) return i;
      return -1;
    }
    const mask = this.tableIndex.length - 1;
    for (let slot = hash & mask; this.tableGeneration[slot] === this.generation; slot = (slot + 1) & mask) {
      const i = this.tableIndex[slot]!;
      if (this.keyHash[i] === hash && this.keyIs(i, name)) return i;
    }
    return -1;
  }

  private decodeLine(): string {
    const buf = this.buf;
    let view = this.textView;
    if (view === undefined || view.buffer !== buf.buffer || view.byteOffset !== buf.byteOffset || view.length !== buf.length) {
      view = this.textView = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    // ASCII reads the same as Latin-1, which is decoded without UTF-8
    // validation (measured: tokenize + fields 0.72M -> 0.77M lines/CPU-s).
    const line = view.toString(this.ascii ? 'latin1' : 'utf8', this.start, this.end);
    this.lineText = line;
    this.lineTextAligned = line.length === this.end - this.start;
    return line;
  }

  private headerText(f: number): string {
    const start = this.headerStart[f]!;
    const end = this.headerEnd[f]!;
    return this.headerEscaped[f] === 1 ? unescapeCefHeader(this.buf, start, end) : this.text(start, end);
  }

  private isSigKey(i: number): boolean {
    const s = this.keyStart[i]!;
    const buf = this.buf;
    // `sig`: 0x73 0x69 0x67
    return this.keyEnd[i]! - s === 3 && buf[s] === 0x73 && buf[s + 1] === 0x69 && buf[s + 2] === 0x67;
  }

  private keyIs(i: number, name: string): boolean {
    const s = this.keyStart[i]!;
    if (this.keyEnd[i]! - s !== name.length) return false;
    for (let k = 0; k < name.length; k++) if (this.buf[s + k] !== name.charCodeAt(k)) return false;
    return true;
  }

  private sameKey(a: number, b: number): boolean {
    const sa = this.keyStart[a]!;
    const sb = this.keyStart[b]!;
    const length = this.keyEnd[a]! - sa;
    if (this.keyEnd[b]! - sb !== length) return false;
    for (let k = 0; k < length; k++) if (this.buf[sa + k] !== this.buf[sb + k]) return false;
    return true;
  }

  /** Records pair i in the key table; a key seen before is a duplicate and now points at i (last wins). */
  private index(i: number, countDuplicate: boolean): void {
    const hash = this.keyHash[i]!;
    const mask = this.tableIndex.length - 1;
    let slot = hash & mask;
    while (this.tableGeneration[slot] === this.generation) {
      const j = this.tableIndex[slot]!;
      if (this.keyHash[j] === hash && this.sameKey(j, i)) {
        if (countDuplicate) this.duplicateKeys++;
        this.tableIndex[slot] = i;
        return;
      }
      slot = (slot + 1) & mask;
    }
    this.tableGeneration[slot] = this.generation;
    this.tableIndex[slot] = i;
    if (++this.distinctKeys * 2 > this.tableIndex.length) this.growTable();
  }

  private growTable(): void {
    const oldGeneration = this.tableGeneration;
    const oldIndex = this.tableIndex;
    const size = oldIndex.length * 2;
    const mask = size - 1;
    this.tableGeneration = new Int32Array(size);
    this.tableIndex = new Int32Array(size);
    for (let s = 0; s < oldIndex.length; s++) {
      if (oldGeneration[s] !== this.generation) continue;
      const i = oldIndex[s]!;
      let slot = this.keyHash[i]! & mask;
      while (this.tableGeneration[slot] === this.generation) slot = (slot + 1) & mask;
      this.tableGeneration[slot] = this.generation;
      this.tableIndex[slot] = i;
    }
  }

  private resizeFields(capacity: number): void {
    const n = Math.min(this.count, capacity);
    this.keyStart = copyInt32(this.keyStart, capacity, n);
    this.keyEnd = copyInt32(this.keyEnd, capacity, n);
    this.valueStart = copyInt32(this.valueStart, capacity, n);
    this.valueEnd = copyInt32(this.valueEnd, capacity, n);
    this.keyHash = copyInt32(this.keyHash, capacity, n);
    const escaped = new Uint8Array(capacity);
    escaped.set(this.valueEscaped.subarray(0, n));
    this.valueEscaped = escaped;
  }
}

// Keys repeat on every line (rt, src, org_id...): hand out the same string
// for the same bytes, so records built from them share one shape and their
// keys are hashed once. A collision only costs a fresh string.
const KEY_CACHE_SLOTS = 512;
const KEY_CACHE_MAX_LENGTH = 64;
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SLOTS).fill(undefined);

function internKey(buf: Uint8Array, start: number, end: number, hash: number): string {
  const length = end - start;
  const slot = hash & (KEY_CACHE_SLOTS - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === length) {
    let k = 0;
    while (k < length && cached.charCodeAt(k) === buf[start + k]) k++;
    if (k === length) return cached;
  }
  const key = decodeUtf8(buf, start, end);
  if (length <= KEY_CACHE_MAX_LENGTH) keyCache[slot] = key;
  return key;
}

function copyInt32(from: Int32Array, capacity: number, n: number): Int32Array {
  const to = new Int32Array(capacity);
  to.set(from.subarray(0, n));
  return to;
}

/** A fresh token structure; reuse it for every line of a stream (one per pipeline or worker). */
export function createCefTokens(): CefTokens {
  return new CefTokens();
}

/**
 * @module audit/read-json
 * JSON exports, streamed: our NDJSON (`raw`), Splunk (`result._raw` per line,
 * or a `{"results":[...]}` document), Sumo Logic (`map._raw` per message, or
 * a whole Search Job page `{"fields":[...],"messages":[{"map":{...}}]}`,
 * pretty-printed or not). A small byte-level scanner walks the export and
 * keeps only the raw line's string, so nothing but one record's raw line is
 * ever held, whatever the size of the document.
 *
 * The raw line is a JSON string inside the export: when it has no escapes its
 * bytes are the line's bytes; otherwise it is decoded once with JSON.parse.
 * A record's line number is the line of the export where its raw string
 * starts (one record per line for NDJSON and Splunk; inside a pretty-printed
 * page, the line that holds `"_raw"`).
 *
 * Broken JSON: on a line-per-record file, the line is counted as unparseable
 * and reading goes on at the next line; inside a multi-line document there is
 * no safe place to resume, so the input fails with KAR_ERR_INPUT_FORMAT.
 */
import { KarError } from '../errors/index.js';
import type { JsonRecordShape } from './input-kinds.js';
import type { BufferPool } from './buffer-pool.js';
import { FLUSH_BYTES } from './read-raw.js';
import { createBatchBuilder, type BatchBuilder, type RecordBatch } from './record-batch.js';

const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_KEY_BYTES = 64;

const OBJECT = 0;
const ARRAY = 1;
/** Roles of a container in an export. */
const OTHER = 0;
const TOP_OBJECT = 1; // a record, unless it turns out to hold a record array
const TOP_ARRAY = 2; // its objects are records
const RECORD = 3; // an element of a top-level or record array
const RECORD_ARRAY = 4; // `results` / `messages` of a top-level object
const WRAPPED = 5; // `result` / `map` of a record: its raw member belongs to the record

interface Frame {
  readonly kind: typeof OBJECT | typeof ARRAY;
  readonly role: number;
  readonly startLine: number;
  /** The member of this object whose value comes next (OBJECT only). */
  key: string | undefined;
  expectKey: boolean;
  /** Record bookkeeping (TOP_OBJECT, RECORD). */
  rawFound: boolean;
  marker: boolean;
  holdsRecords: boolean;
}

class JsonExportScanner {
  private readonly stack: Frame[] = [];
  private line = 1;
  private inString = false;
  private escape = false;
  /** What the current string is: a member name, a raw line to keep, or anything else. */
  private stringMode: 'key' | 'raw' | 'skip' = 'skip';
  private stringLine = 0;
  private stringHasEscape = false;
  private stringTooLong = false;
  private capture = Buffer.allocUnsafe(4096);
  private captured = 0;
  /** After a syntax error on a line-per-record file: ignore bytes up to the next `\n`. */
  private resyncing = false;
  /** Offset of the next `\n` in the current chunk at or after the string scan (chunk length if none). */
  private nextLf = -1;

  constructor(
    private readonly file: string,
    private readonly shape: JsonRecordShape,
    private readonly maxLineBytes: number,
    private readonly out: BatchBuilder,
  ) {}

  push(chunk: Buffer): void {
    this.nextLf = -1;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.resyncing) {
        const nl = chunk.indexOf(LF, i);
        if (nl === -1) return;
        this.line++;
        this.resyncing = false;
        i = nl + 1;
        continue;
      }
      if (this.inString) {
        i = this.scanString(chunk, i);
        continue;
      }
      const b = chunk[i] as number;
      i++;
      switch (b) {
        case 0x20:
        case 0x09:
        case 0x0d:
          break;
        case LF:
          this.line++;
          break;
        case QUOTE:
          this.startString();
          break;
        case 0x7b: // {
          this.open(OBJECT);
          break;
        case 0x5b: // [
          this.open(ARRAY);
          break;
        case 0x7d: // }
          this.close(OBJECT);
          break;
        case 0x5d: // ]
          this.close(ARRAY);
          break;
        case 0x2c: {
          // ,
          const top = this.stack[this.stack.length - 1];
          if (top === undefined) this.syntaxError('a comma outside any value', true);
          else if (top.kind === OBJECT) top.expectKey = true;
          break;
        }
        case 0x3a: // :
          break;
        default:
          // Numbers, true, false, null: values nobody here needs.
          if (!isLiteralByte(b) || this.stack.length === 0) this.syntaxError(`unexpected byte 0x${b.toString(16).padStart(2, '0')}`, true);
      }
    }
  }

  end(): void {
    if (this.inString || this.stack.length > 0) {
      const top = this.stack[0];
      const startLine = top?.startLine ?? this.stringLine;
      if (startLine !== this.line) {
        throw new KarError('KAR_ERR_INPUT_FORMAT', `${this.file}: the export ends inside the JSON value that starts at line ${startLine} (truncated file?)`, { details: { input: this.file } });
      }
      this.out.addProblem(startLine, { code: 'KAR_ERR_JSON_SYNTAX', message: 'the export record is truncated at the end of the file' });
    }
  }

  private scanString(chunk: Buffer, from: number): number {
    let i = from;
    if (this.nextLf < i) {
      const lf = chunk.indexOf(LF, i);
      this.nextLf = lf === -1 ? chunk.length : lf;
    }
    if (this.nextLf === i) {
      // JSON strings never hold a raw line break: the record was cut (a truncated line).
      this.syntaxError('a line break inside a string', false);
      return i;
    }
    if (this.escape) {
      this.escape = false;
      this.keep(chunk, i, i + 1);
      return i + 1;
    }
    const quote = chunk.indexOf(QUOTE, i);
    const backslash = chunk.indexOf(BACKSLASH, i);
    let stop = quote === -1 ? chunk.length : quote;
    if (backslash !== -1 && backslash < stop) stop = backslash;
    if (this.nextLf < stop) stop = this.nextLf;
    this.keep(chunk, i, stop);
    if (stop === this.nextLf && stop < chunk.length) return stop;
    i = stop;
    if (i === chunk.length) return i;
    if (chunk[i] === BACKSLASH) {
      this.escape = true;
      this.stringHasEscape = true;
      this.keep(chunk, i, i + 1);
      return i + 1;
    }
    this.inString = false;
    this.endString();
    return i + 1;
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    if (this.stringMode === 'skip' || this.stringTooLong || end <= start) return;
    const limit = this.stringMode === 'key' ? MAX_KEY_BYTES : this.maxLineBytes * 6;
    const n = end - start;
    if (this.captured + n > limit) {
      // Over the limit: stop keeping it (a JSON escape is at most 6 bytes per byte of the line).
      this.stringTooLong = true;
      return;
    }
    if (this.captured + n > this.capture.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.capture.length * 2, this.captured + n));
      this.capture.copy(bigger, 0, 0, this.captured);
      this.capture = bigger;
    }
    chunk.copy(this.capture, this.captured, start, end);
    this.captured += n;
  }

  private startString(): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.syntaxError('a string outside any object', true);
      return;
    }
    this.inString = true;
    this.escape = false;
    this.stringHasEscape = false;
    this.stringTooLong = false;
    this.captured = 0;
    this.stringLine = this.line;
    if (top.kind === OBJECT && top.expectKey) this.stringMode = 'key';
    else this.stringMode = top.kind === OBJECT && this.rawOwner(top) !== undefined ? 'raw' : 'skip';
  }

  /** The record a raw member at `top` (with its current key) belongs to, if it is a raw member and the first one. */
  private rawOwner(top: Frame): Frame | undefined {
    if (top.key === undefined || !this.shape.rawKeys.includes(top.key)) return undefined;
    let owner: Frame | undefined;
    if (top.role === TOP_OBJECT || top.role === RECORD) owner = top;
    else if (top.role === WRAPPED) owner = this.stack[this.stack.length - 2];
    return owner !== undefined && !owner.rawFound ? owner : undefined;
  }

  private endString(): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) return;
    if (this.stringMode === 'key') {
      top.key = this.stringTooLong || this.stringHasEscape ? undefined : this.capture.toString('utf8', 0, this.captured);
      top.expectKey = false;
      if ((top.role === TOP_OBJECT || top.role === RECORD) && top.key !== undefined && this.shape.markers.includes(top.key)) top.marker = true;
      return;
    }
    if (this.stringMode === 'raw') {
      const owner = this.rawOwner(top);
      if (owner !== undefined) {
        owner.rawFound = true;
        this.emitRaw();
      }
    }
  }

  private emitRaw(): void {
    const line = this.stringLine;
    if (this.stringTooLong || (!this.stringHasEscape && this.captured > this.maxLineBytes)) {
      this.out.addProblem(line, { code: 'KAR_ERR_LINE_TOO_LONG', message: `line is over the ${this.maxLineBytes}-byte limit` });
      return;
    }
    if (this.captured === 0) {
      this.out.addProblem(line, { code: 'KAR_ERR_INPUT_RECORD_NO_RAW', message: 'the raw member is empty' });
      return;
    }
    if (!this.stringHasEscape) {
      this.out.addBytes(this.capture.subarray(0, this.captured), line);
      return;
    }
    let text: string;
    try {
      text = JSON.parse(`"${this.capture.toString('utf8', 0, this.captured)}"`) as string;
    } catch {
      this.out.addProblem(line, { code: 'KAR_ERR_JSON_SYNTAX', message: 'the raw member is not a valid JSON string' });
      return;
    }
    if (Buffer.byteLength(text, 'utf8') > this.maxLineBytes) this.out.addProblem(line, { code: 'KAR_ERR_LINE_TOO_LONG', message: `line is over the ${this.maxLineBytes}-byte limit` });
    else this.out.addString(text, line);
  }

  private open(kind: typeof OBJECT | typeof ARRAY): void {
    const parent = this.stack[this.stack.length - 1];
    let role = OTHER;
    if (parent === undefined) role = kind === OBJECT ? TOP_OBJECT : TOP_ARRAY;
    else if (kind === OBJECT && (parent.role === TOP_ARRAY || parent.role === RECORD_ARRAY)) role = RECORD;
    else if (kind === ARRAY && parent.role === TOP_OBJECT && parent.key !== undefined && this.shape.recordArrays.includes(parent.key)) {
      role = RECORD_ARRAY;
      parent.holdsRecords = true;
    } else if (kind === OBJECT && (parent.role === TOP_OBJECT || parent.role === RECORD) && parent.key !== undefined && this.shape.wrappers.includes(parent.key)) {
      role = WRAPPED;
    }
    this.stack.push({ kind, role, startLine: this.line, key: undefined, expectKey: kind === OBJECT, rawFound: false, marker: false, holdsRecords: false });
  }

  private close(kind: typeof OBJECT | typeof ARRAY): void {
    const top = this.stack.pop();
    if (top === undefined || top.kind !== kind) {
      if (top !== undefined) this.stack.push(top);
      this.syntaxError(`an unexpected '${kind === OBJECT ? '}' : ']'}'`, true);
      return;
    }
    const isRecord = top.role === RECORD || (top.role === TOP_OBJECT && !top.holdsRecords && (this.shape.markers.length === 0 || top.marker));
    if (isRecord && !top.rawFound) {
      const wanted = this.shape.rawKeys.join(' or ');
      this.out.addProblem(top.startLine, { code: 'KAR_ERR_INPUT_RECORD_NO_RAW', message: `the record has no ${wanted} member` });
    }
  }

  /**
   * Broken JSON. On a record that started on this line: count it, forget it
   * and go on at the next line (`resync`: skip to the `\n`; else we are on
   * it). Inside a multi-line document: fail the input.
   */
  private syntaxError(what: string, resync: boolean): void {
    const top = this.stack[0];
    if (top !== undefined && top.startLine !== this.line) {
      throw new KarError('KAR_ERR_INPUT_FORMAT', `${this.file}:${this.line}: not valid JSON (${what}) inside the value that starts at line ${top.startLine}`, { details: { input: this.file } });
    }
    this.out.addProblem(this.line, { code: 'KAR_ERR_JSON_SYNTAX', message: `the export line is not valid JSON (${what})` });
    this.stack.length = 0;
    this.inString = false;
    this.resyncing = resync;
  }
}

function isLiteralByte(b: number): boolean {
  // 0-9 - + . e E and the letters of true / false / null.
  return (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || (b >= 0x61 && b <= 0x7a) || b === 0x45;
}

export async function* readJsonRecords(file: string, chunks: AsyncIterable<Buffer>, shape: JsonRecordShape, maxLineBytes: number, pool: BufferPool): AsyncGenerator<RecordBatch> {
  const builder = createBatchBuilder(file, pool);
  const scanner = new JsonExportScanner(file, shape, maxLineBytes, builder);
  for await (const chunk of chunks) {
    scanner.push(chunk);
    if (builder.bytes >= FLUSH_BYTES) {
      const batch = builder.take();
      if (batch !== undefined) yield batch;
    }
  }
  scanner.end();
  const last = builder.take();
  builder.dispose();
  if (last !== undefined) yield last;
}

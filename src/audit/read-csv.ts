/**
 * @module audit/read-csv
 * Splunk and Sumo Logic CSV exports: RFC 4180 (quoted fields, `""` escapes,
 * line breaks inside quoted fields) parsed by the streaming `csv-parse`, one
 * record at a time with backpressure. The header row names the raw column
 * (`_raw`, `message`, ... see input-kinds.ts, or `--raw-column`); a header
 * without one ends the input with KAR_ERR_INPUT_NO_RAW_COLUMN.
 *
 * Line numbers: a record's line is the physical line of the file where the
 * record STARTS (a quoted `_raw` may span lines). csv-parse reports the byte
 * offset where each record ends (`info.bytes`); the line counter below walks
 * the same bytes to turn offsets into line numbers, so `\r\n` and line breaks
 * inside quotes are counted the way an editor counts them.
 */
import { parse, type Parser } from 'csv-parse';
import { KarError } from '../errors/index.js';
import { csvRawColumns } from './input-kinds.js';
import { FLUSH_BYTES } from './read-raw.js';
import type { BufferPool } from './buffer-pool.js';
import { createBatchBuilder, type RecordBatch } from './record-batch.js';

const LF = 0x0a;
const CR = 0x0d;

interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly bytes: number };
}

/** Turns byte offsets (increasing) into 1-based line numbers over chunks as they pass. */
function createLineCounter() {
  const chunks: Buffer[] = [];
  /** Absolute offset of chunks[0]. */
  let base = 0;
  /** Absolute offset scanned so far, and the `\n` seen before it. */
  let offset = 0;
  let newlines = 0;

  function byteAt(at: number): number | undefined {
    let rel = at - base;
    for (const chunk of chunks) {
      if (rel < chunk.length) return chunk[rel];
      rel -= chunk.length;
    }
    return undefined;
  }
  function advance(to: number): void {
    while (offset < to) {
      const chunk = chunks[0];
      if (chunk === undefined) return;
      const rel = offset - base;
      const stop = Math.min(chunk.length, to - base);
      let i = chunk.indexOf(LF, rel);
      while (i !== -1 && i < stop) {
        newlines++;
        i = chunk.indexOf(LF, i + 1);
      }
      offset = base + stop;
      if (stop === chunk.length) {
        chunks.shift();
        base += chunk.length;
      }
    }
  }
  return {
    push(chunk: Buffer): void {
      chunks.push(chunk);
    },
    /** The line of the first content byte at or after `offset` (blank lines are skipped by the parser). */
    startLine(): number {
      for (;;) {
        const b = byteAt(offset);
        if (b !== LF && b !== CR) break;
        advance(offset + 1);
      }
      return newlines + 1;
    },
    /** Moves past a record that ends at absolute byte `end`. */
    endAt(end: number): void {
      advance(end);
    },
  };
}

/** Resolves when the parser wants more input, or is gone. */
function drained(parser: Parser): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      parser.off('drain', done);
      parser.off('close', done);
      resolve();
    };
    parser.on('drain', done);
    parser.on('close', done);
  });
}

export interface CsvReadOptions {
  readonly maxLineBytes: number;
  /** Header name of the raw column; else the first of csvRawColumns present. */
  readonly rawColumn?: string;
}

function findRawColumn(file: string, header: readonly string[], wanted: string | undefined): number {
  const lower = header.map((cell) => cell.trim().toLowerCase());
  const names = wanted === undefined ? csvRawColumns : [wanted.toLowerCase()];
  for (const name of names) {
    const index = lower.indexOf(name);
    if (index !== -1) return index;
  }
  const shown = header.slice(0, 12).join(', ') + (header.length > 12 ? ', ...' : '');
  const expected = wanted === undefined ? csvRawColumns.join(', ') : wanted;
  throw new KarError('KAR_ERR_INPUT_NO_RAW_COLUMN', `${file}: the CSV header has no raw-message column (looked for ${expected}; found ${shown}); name it with --raw-column or force the kind with --input-format`, { details: { input: file } });
}

export async function* readCsvRecords(file: string, chunks: AsyncIterable<Buffer>, options: CsvReadOptions, pool: BufferPool): AsyncGenerator<RecordBatch> {
  const counter = createLineCounter();
  const parser: Parser = parse({
    info: true,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n'],
    // An unterminated quote would otherwise buffer the rest of the file.
    max_record_size: options.maxLineBytes * 4 + 64 * 1024,
  });
  const feeding = (async () => {
    try {
      for await (const chunk of chunks) {
        if (parser.destroyed) return;
        counter.push(chunk);
        if (!parser.write(chunk)) await drained(parser);
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();

  const builder = createBatchBuilder(file, pool);
  let rawIndex = -1;
  try {
    for await (const item of parser as AsyncIterable<CsvRecord>) {
      const line = counter.startLine();
      counter.endAt(item.info.bytes);
      if (rawIndex === -1) {
        rawIndex = findRawColumn(file, item.record, options.rawColumn);
        continue;
      }
      const raw = item.record[rawIndex];
      if (raw === undefined || raw.trim() === '') {
        builder.addProblem(line, { code: 'KAR_ERR_INPUT_RECORD_NO_RAW', message: 'the row has no raw line in its raw column' });
      } else if (Buffer.byteLength(raw, 'utf8') > options.maxLineBytes) {
        builder.addProblem(line, { code: 'KAR_ERR_LINE_TOO_LONG', message: `line is over the ${options.maxLineBytes}-byte limit` });
      } else {
        builder.addString(raw, line);
      }
      if (builder.bytes >= FLUSH_BYTES) {
        const batch = builder.take();
        if (batch !== undefined) yield batch;
      }
    }
  } catch (error) {
    if (error instanceof KarError) throw error;
    // csv-parse tells where the last good record ended: the broken one starts after it.
    const goodUntil = (error as { bytes?: unknown }).bytes;
    if (typeof goodUntil === 'number') counter.endAt(goodUntil);
    const message = (error as Error).message.replace(/ at line \d+.*$/s, '');
    throw new KarError('KAR_ERR_INPUT_FORMAT', `${file}:${counter.startLine()}: not a valid CSV export (${message})`, { details: { input: file }, cause: error });
  } finally {
    // Not awaited: after an error the feeder may wait on a source that never ends (an open pipe);
    // closing the input (run-audit) ends it.
    parser.destroy();
    void feeding;
  }
  if (rawIndex === -1) {
    throw new KarError('KAR_ERR_INPUT_NO_RAW_COLUMN', `${file}: the CSV export is empty (no header row)`, { details: { input: file } });
  }
  const last = builder.take();
  builder.dispose();
  if (last !== undefined) yield last;
}

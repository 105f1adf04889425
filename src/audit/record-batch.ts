/**
 * @module audit/record-batch
 * What every reader yields: the raw Konnect lines of a stretch of one input,
 * as byte spans of one buffer, each with its 1-based line number in the
 * input file. A record whose line could not be read (an export row without
 * its raw column, a line over the length limit) is kept in place with a
 * problem, so verdicts stay in input order.
 */
import type { ErrorCode } from '../errors/index.js';
import type { BufferPool } from './buffer-pool.js';

export interface RecordProblem {
  readonly code: ErrorCode;
  readonly message: string;
}

export interface RecordBatch {
  readonly file: string;
  readonly buf: Buffer;
  /** Half-open `[starts[i], ends[i])` spans into `buf`; both -1 for a record with a problem. */
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  /** 1-based line of the record in its file (for a CSV record: the line where it starts). */
  readonly lines: readonly number[];
  readonly problems: ReadonlyMap<number, RecordProblem>;
  /** Called by the consumer once it no longer needs `buf` (the buffer goes back to its pool). */
  readonly release?: () => void;
}

/** Collects copied records (CSV fields, decoded JSON strings) into batches of about `targetBytes`. */
export interface BatchBuilder {
  readonly count: number;
  readonly bytes: number;
  addBytes(bytes: Uint8Array, line: number): void;
  addString(text: string, line: number): void;
  addProblem(line: number, problem: RecordProblem): void;
  /** The batch so far (undefined when empty); the builder starts a new one. */
  take(): RecordBatch | undefined;
  /** Returns the buffer being filled to the pool (at the end, or when the reader stops). */
  dispose(): void;
}

export function createBatchBuilder(file: string, pool: BufferPool): BatchBuilder {
  let buf = pool.acquire();
  let used = 0;
  let starts: number[] = [];
  let ends: number[] = [];
  let lines: number[] = [];
  let problems = new Map<number, RecordProblem>();

  function reserve(n: number): void {
    if (used + n <= buf.length) return;
    // Only for a batch of unusually long lines; the bigger buffer is not pooled.
    const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, used + n));
    buf.copy(bigger, 0, 0, used);
    pool.release(buf);
    buf = bigger;
  }
  function push(start: number, end: number, line: number): void {
    starts.push(start);
    ends.push(end);
    lines.push(line);
  }

  return {
    get count() {
      return starts.length;
    },
    get bytes() {
      return used;
    },
    addBytes(bytes, line) {
      reserve(bytes.length);
      buf.set(bytes, used);
      push(used, used + bytes.length, line);
      used += bytes.length;
    },
    addString(text, line) {
      const n = Buffer.byteLength(text, 'utf8');
      reserve(n);
      buf.write(text, used, n, 'utf8');
      push(used, used + n, line);
      used += n;
    },
    addProblem(line, problem) {
      problems.set(starts.length, problem);
      push(-1, -1, line);
    },
    take() {
      if (starts.length === 0) return undefined;
      const owned = buf;
      const batch: RecordBatch = { file, buf: buf.subarray(0, used), starts, ends, lines, problems, release: () => pool.release(owned) };
      buf = pool.acquire();
      used = 0;
      starts = [];
      ends = [];
      lines = [];
      problems = new Map();
      return batch;
    },
    dispose() {
      pool.release(buf);
    },
  };
}

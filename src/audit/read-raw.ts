/**
 * @module audit/read-raw
 * Raw Konnect lines (CEF or JSON, one per `\n`, `\r\n` tolerated, blank lines
 * skipped) in batches of about `FLUSH_BYTES`. Input chunks are copied into a
 * pooled batch buffer (one memcpy; the chunks die young, the buffers are
 * reused, see buffer-pool.ts) and lines are spans of it. A line longer than
 * `maxLineBytes` is reported in place and skipped without being held, so
 * memory stays bounded on any input.
 */
import type { BufferPool } from './buffer-pool.js';
import type { RecordBatch, RecordProblem } from './record-batch.js';

const LF = 0x0a;
const CR = 0x0d;
/** A batch is handed over once this much input is buffered. */
export const FLUSH_BYTES = 256 * 1024;

/** The pool buffer size a reader needs: room for a batch and a whole line that started late in it. */
export function batchBufferBytes(maxLineBytes: number): number {
  return FLUSH_BYTES + maxLineBytes + 1;
}

function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}

export async function* readRawLines(file: string, chunks: AsyncIterable<Buffer>, maxLineBytes: number, pool: BufferPool): AsyncGenerator<RecordBatch> {
  if (pool.size <= maxLineBytes) throw new RangeError(`readRawLines: pool buffers (${pool.size} bytes) must be larger than a line (${maxLineBytes})`);
  const tooLong: RecordProblem = { code: 'KAR_ERR_LINE_TOO_LONG', message: `line is over the ${maxLineBytes}-byte limit` };
  let buf = pool.acquire();
  /** Bytes of input in `buf`; the current, unfinished line starts at `lineStart`. */
  let used = 0;
  let lineStart = 0;
  /** Lines ended so far in the file. */
  let lineNo = 0;
  /** Inside a line over the limit: its bytes are dropped until its `\n`. */
  let skipping = false;
  let starts: number[] = [];
  let ends: number[] = [];
  let lines: number[] = [];
  let problems = new Map<number, RecordProblem>();

  const take = (): RecordBatch => {
    const owned = buf;
    const batch: RecordBatch = { file, buf: owned, starts, ends, lines, problems, release: () => pool.release(owned) };
    // The unfinished line moves to the next buffer.
    buf = pool.acquire();
    owned.copy(buf, 0, lineStart, used);
    used -= lineStart;
    lineStart = 0;
    starts = [];
    ends = [];
    lines = [];
    problems = new Map();
    return batch;
  };
  const pushLine = (start: number, end: number): void => {
    if (end - start > maxLineBytes) {
      problems.set(starts.length, tooLong);
      starts.push(-1);
      ends.push(-1);
      lines.push(lineNo);
    } else if (!isBlank(buf, start, end)) {
      starts.push(start);
      ends.push(end);
      lines.push(lineNo);
    }
  };

  for await (const chunk of chunks) {
    let off = 0;
    while (off < chunk.length) {
      if (skipping) {
        const nl = chunk.indexOf(LF, off);
        if (nl === -1) break;
        skipping = false;
        lineNo++;
        off = nl + 1;
        continue;
      }
      const n = Math.min(chunk.length - off, buf.length - used);
      chunk.copy(buf, used, off, off + n);
      const view = buf.subarray(0, used + n);
      let nl = view.indexOf(LF, Math.max(lineStart, used));
      used += n;
      off += n;
      while (nl !== -1) {
        lineNo++;
        pushLine(lineStart, nl > lineStart && buf[nl - 1] === CR ? nl - 1 : nl);
        lineStart = nl + 1;
        nl = view.indexOf(LF, lineStart);
      }
      if (used - lineStart > maxLineBytes) {
        // The line goes on past the limit: report it now and drop its bytes.
        problems.set(starts.length, tooLong);
        starts.push(-1);
        ends.push(-1);
        lines.push(lineNo + 1);
        used = lineStart;
        skipping = true;
      }
      if (used >= FLUSH_BYTES || used === buf.length) {
        if (starts.length > 0) {
          yield take();
        } else if (lineStart > 0) {
          // Only blank lines so far: make room in place.
          buf.copyWithin(0, lineStart, used);
          used -= lineStart;
          lineStart = 0;
        }
      }
    }
  }
  if (!skipping && used > lineStart) {
    // The last line has no `\n`.
    lineNo++;
    pushLine(lineStart, buf[used - 1] === CR ? used - 1 : used);
    lineStart = used;
  }
  if (starts.length > 0) yield take();
  pool.release(buf);
}

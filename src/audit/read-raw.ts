/**
 * @module audit/read-raw
 * Raw Konnect lines (CEF or JSON, one per `\n`, `\r\n` tolerated, blank lines
 * skipped) as batches that point into the read chunks: no copy per line. A
 * line longer than `maxLineBytes` is reported in place and skipped without
 * being held in memory, so memory stays bounded on any input.
 */
import type { RecordBatch, RecordProblem } from './record-batch.js';

const LF = 0x0a;
const CR = 0x0d;

function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}

function tooLong(maxLineBytes: number): RecordProblem {
  return { code: 'KAR_ERR_LINE_TOO_LONG', message: `line is over the ${maxLineBytes}-byte limit` };
}

export async function* readRawLines(file: string, chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<RecordBatch> {
  let carry: Buffer | undefined;
  /** Lines ended before `carry` (or before the next chunk). */
  let lineNo = 0;
  /** Inside a line over the limit: its bytes are dropped until its `\n`. */
  let skipping = false;

  for await (const chunk of chunks) {
    const buf = carry === undefined || carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    carry = undefined;
    let pos = 0;
    const starts: number[] = [];
    const ends: number[] = [];
    const lines: number[] = [];
    const problems = new Map<number, RecordProblem>();
    if (skipping) {
      const nl = buf.indexOf(LF);
      if (nl === -1) continue;
      skipping = false;
      lineNo++;
      pos = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(LF, pos);
      if (nl === -1) break;
      lineNo++;
      const end = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
      if (end - pos > maxLineBytes) {
        problems.set(starts.length, tooLong(maxLineBytes));
        starts.push(-1);
        ends.push(-1);
        lines.push(lineNo);
      } else if (!isBlank(buf, pos, end)) {
        starts.push(pos);
        ends.push(end);
        lines.push(lineNo);
      }
      pos = nl + 1;
    }
    if (buf.length - pos > maxLineBytes) {
      // The line goes on past the limit: report it now and drop its bytes.
      problems.set(starts.length, tooLong(maxLineBytes));
      starts.push(-1);
      ends.push(-1);
      lines.push(lineNo + 1);
      skipping = true;
    } else if (pos < buf.length) {
      carry = buf.subarray(pos);
    }
    if (starts.length > 0) yield { file, buf, starts, ends, lines, problems };
  }
  if (carry !== undefined && !isBlank(carry, 0, carry.length)) {
    // The last line has no `\n`.
    const end = carry[carry.length - 1] === CR ? carry.length - 1 : carry.length;
    yield { file, buf: carry, starts: [0], ends: [end], lines: [lineNo + 1], problems: new Map() };
  }
}

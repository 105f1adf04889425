/**
 * @module lines/split
 * Splits a decoded batch into line spans without copying: Konnect sends one
 * event per `\n`-terminated line; `\r\n` is tolerated and blank lines skipped.
 */

const LF = 0x0a;
const CR = 0x0d;

/** Half-open byte spans `[start, end)` of the non-blank lines, with 1-based line numbers. */
export interface LineSpans {
  /** starts[i], ends[i], numbers[i] describe the i-th non-blank line. */
  readonly starts: number[];
  readonly ends: number[];
  readonly numbers: number[];
}

export function splitLines(buf: Uint8Array, from = 0, to = buf.length): LineSpans {
  const starts: number[] = [];
  const ends: number[] = [];
  const numbers: number[] = [];
  let lineNo = 0;
  let start = from;
  while (start < to) {
    let nl = buf.indexOf(LF, start);
    if (nl === -1 || nl >= to) nl = to;
    lineNo++;
    let end = nl;
    if (end > start && buf[end - 1] === CR) end--;
    if (!isBlank(buf, start, end)) {
      starts.push(start);
      ends.push(end);
      numbers.push(lineNo);
    }
    start = nl + 1;
  }
  return { starts, ends, numbers };
}

function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}

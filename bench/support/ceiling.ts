/**
 * @module bench/support/ceiling
 * The physical limit of the product: bare `crypto.verify` (callback form, on
 * the libuv pool, so both cores work) on the same lines the receiver gets.
 * Nothing else runs: no parsing, no copies, the signed bytes are prepared
 * before timing. The receiver's lines/s is compared with this.
 */
import { verify, type KeyObject } from 'node:crypto';
import { isLineError, createLineParser } from '../../src/lines/parse-line.js';
import { extractSignature, type VerifyItem } from '../../src/verify/index.js';

/** Checks kept queued on the pool: enough to keep every pool thread busy. */
const IN_FLIGHT = 64;

/** The signed bytes and signature of each line, as the pipeline extracts them. */
export function verifyItemsOf(lines: readonly string[]): VerifyItem[] {
  const parser = createLineParser();
  return lines.map((line) => {
    const buf = Buffer.from(line, 'utf8');
    const view = parser.parse(buf, 0, buf.length);
    if (isLineError(view)) throw new Error(`bench line does not parse: ${view.code}`);
    const extracted = extractSignature(view);
    if (extracted.status !== 'ok') throw new Error(`bench line has no usable sig (${extracted.status})`);
    // Copies: the parser's view points into `buf` and the message may be a view of it too.
    return { message: Buffer.from(extracted.item.message), signature: Buffer.from(extracted.item.signature) };
  });
}

export interface CeilingResult {
  readonly linesPerSec: number;
  readonly lines: number;
  readonly seconds: number;
  /** CPU time of this process (all threads) per verified line, in microseconds. */
  readonly cpuMicrosPerLine: number;
  /** Lines that did not verify (must be 0: the lines are signed with the key given). */
  readonly failures: number;
}

/** Verifies `items` round-robin for about `durationMs`, IN_FLIGHT at a time. */
export function measureVerifyCeiling(items: readonly VerifyItem[], key: KeyObject, durationMs: number): Promise<CeilingResult> {
  if (items.length === 0) throw new Error('no items to verify');
  return new Promise((resolve) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + durationMs;
    let issued = 0;
    let done = 0;
    let failures = 0;
    let stopping = false;
    let inFlight = 0;
    const finish = (): void => {
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      resolve({ linesPerSec: done / seconds, lines: done, seconds, cpuMicrosPerLine: (cpu.user + cpu.system) / done, failures });
    };
    const start = (): void => {
      const item = items[issued++ % items.length] as VerifyItem;
      inFlight++;
      verify(null, item.message, key, item.signature, (error, ok) => {
        inFlight--;
        done++;
        if (error !== null || !ok) failures++;
        // Checking the clock every 64 results keeps the event loop's share negligible.
        if (!stopping && (done & 63) === 0 && performance.now() >= deadline) stopping = true;
        if (!stopping) start();
        else if (inFlight === 0) finish();
      });
    };
    for (let i = 0; i < IN_FLIGHT; i++) start();
  });
}

/**
 * @module bench/support/ceiling
 * The physical limit of the product, on the same lines the receiver gets:
 * libsodium (`sodium-native`, the verifier's backend) on one worker thread
 * per core, each checking its share of the lines in a tight loop
 * (`measureVerifyCeiling`, the ceiling every ratio is taken to). Beside it,
 * the previous ceiling and now the fallback's: bare `crypto.verify` callbacks
 * on the libuv pool (`measureCryptoVerifyBaseline`), reported as a second
 * baseline. Nothing else runs: no parsing, no copies, the signed bytes are
 * prepared (and handed to the workers) before timing.
 */
import { verify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
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

/** crypto.verify callbacks on the libuv pool: `items` round-robin for about `durationMs`, IN_FLIGHT at a time. */
export function measureCryptoVerifyBaseline(items: readonly VerifyItem[], key: KeyObject, durationMs: number): Promise<CeilingResult> {
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

/**
 * A worker: loads libsodium, takes its share of the items, and on `go`
 * verifies them round-robin until the deadline (the clock read every 64
 * checks), answering how many it did and how many failed.
 */
const CEILING_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
const { messages, signatures, publicKey } = workerData;
parentPort.postMessage('ready');
parentPort.on('message', (durationMs) => {
  const deadline = performance.now() + durationMs;
  let done = 0;
  let failures = 0;
  for (let i = 0; ; i++) {
    const k = i % messages.length;
    if (!sodium.crypto_sign_verify_detached(signatures[k], messages[k], publicKey)) failures++;
    done++;
    if ((done & 63) === 0 && performance.now() >= deadline) break;
  }
  parentPort.postMessage({ done, failures });
});
`;

const sodiumPath = createRequire(import.meta.url).resolve('sodium-native');

/**
 * libsodium on `threads` worker threads (default: one per core), each with
 * its share of `items`, for about `durationMs`: the ceiling. The workers are
 * started and loaded before the clock starts, and stopped after.
 */
export async function measureVerifyCeiling(items: readonly VerifyItem[], key: KeyObject, durationMs: number, threads = availableParallelism()): Promise<CeilingResult> {
  if (items.length === 0) throw new Error('no items to verify');
  const { x } = key.export({ format: 'jwk' });
  const publicKey = Buffer.from(x ?? '', 'base64url');
  const count = Math.max(1, Math.min(threads, items.length));
  const workers = Array.from({ length: count }, (_, w) => {
    const share = items.filter((_, i) => i % count === w);
    const workerData = { sodiumPath, publicKey, messages: share.map((item) => Uint8Array.from(item.message)), signatures: share.map((item) => Uint8Array.from(item.signature)) };
    return new Worker(CEILING_WORKER, { eval: true, workerData, execArgv: [] });
  });
  const next = <T>(worker: Worker): Promise<T> =>
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  try {
    await Promise.all(workers.map((worker) => next<string>(worker)));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const answers = await Promise.all(
      workers.map((worker) => {
        const answer = next<{ done: number; failures: number }>(worker);
        worker.postMessage(durationMs);
        return answer;
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const lines = answers.reduce((sum, a) => sum + a.done, 0);
    const failures = answers.reduce((sum, a) => sum + a.failures, 0);
    return { linesPerSec: lines / seconds, lines, seconds, cpuMicrosPerLine: (cpu.user + cpu.system) / lines, failures };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

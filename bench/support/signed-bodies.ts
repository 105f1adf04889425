/**
 * @module bench/support/signed-bodies
 * Unique signed batches for load benchmarks. The receiver deduplicates by
 * signature, so a body sent twice would be answered from the dedup table
 * and flatter the result: every body handed out here is new for the whole
 * run (lines carry a strictly increasing `rt`, and each pool starts far
 * after the previous one).
 *
 * Signing runs on the libuv pool (callback form of `crypto.sign`, both
 * cores): a 300,000-line run would take many seconds signed synchronously.
 * The lines are exactly what `testing/signCefLine` makes (SPEC 3: the sig
 * signs the whole unsigned line and is appended as ` sig=<base64url>`);
 * test/bench checks that they agree.
 */
import { sign, type KeyObject } from 'node:crypto';
import { encodeBatch } from '../../src/sender/index.js';
import { makeKonnectLines } from '../../src/testing/index.js';

/** Lines of one pool span less than this much `rt` (about 450 ms apart on average), so pools never overlap. */
const POOL_SPAN_MS = 1e9;
const MAX_LINES_PER_POOL = 1_000_000;
const FIRST_START_MS = 1750688927556;
const SIGNS_IN_FLIGHT = 256;

/** Signs `unsigned` CEF lines on the thread pool: `line sig=<base64url>`, in order. */
export function signCefLinesAsync(unsigned: readonly string[], key: KeyObject): Promise<string[]> {
  const out = new Array<string>(unsigned.length);
  return new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    if (unsigned.length === 0) return resolve(out);
    const start = (i: number): void => {
      const line = unsigned[i] as string;
      sign(null, Buffer.from(line, 'utf8'), key, (error, sig) => {
        if (error !== null) return reject(error);
        out[i] = `${line} sig=${sig.toString('base64url')}`;
        done++;
        if (next < unsigned.length) start(next++);
        else if (done === unsigned.length) resolve(out);
      });
    };
    while (next < Math.min(SIGNS_IN_FLIGHT, unsigned.length)) start(next++);
  });
}

export interface BodyPool {
  /** gzip bodies of `batchSize` lines each, never repeated. */
  readonly bodies: readonly Buffer[];
  readonly batchSize: number;
  /** Some signed lines of the pool (for the crypto ceiling on the same lines). */
  readonly sampleLines: readonly string[];
}

export interface LineSource {
  /** `count` new signed Konnect-shaped CEF lines, distinct from every line given before. */
  next(count: number): Promise<string[]>;
  /** Lines handed out so far. */
  readonly issued: number;
}

/** One source per run: every call continues where the last one stopped. */
export function createLineSource(key: KeyObject, seed = 0x4b4152): LineSource {
  let pool = 0;
  let issued = 0;
  return {
    async next(count) {
      const lines: string[] = [];
      for (let left = count; left > 0; ) {
        const n = Math.min(left, MAX_LINES_PER_POOL);
        const unsigned = makeKonnectLines({ format: 'cef', count: n, seed: seed + pool, startMs: FIRST_START_MS + pool * POOL_SPAN_MS });
        pool++;
        for (const line of await signCefLinesAsync(unsigned, key)) lines.push(line);
        left -= n;
      }
      issued += count;
      return lines;
    },
    get issued() {
      return issued;
    },
  };
}

/** `batches` gzip bodies of `batchSize` new lines each (as Konnect sends them: `\n`-terminated, gzip). */
export async function buildBodyPool(source: LineSource, batches: number, batchSize: number): Promise<BodyPool> {
  const lines = await source.next(batches * batchSize);
  const bodies: Buffer[] = [];
  for (let b = 0; b < batches; b++) bodies.push(encodeBatch(b, lines.slice(b * batchSize, (b + 1) * batchSize)).body);
  return { bodies, batchSize, sampleLines: lines.slice(0, Math.min(lines.length, 4000)) };
}

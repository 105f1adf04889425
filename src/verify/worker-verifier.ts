/**
 * @module verify/worker-verifier
 * The signature verifier: Ed25519 checks on worker threads, one per core by
 * default (KONNECT_AUDIT_VERIFY_THREADS), with libsodium (`sodium-native`)
 * or, when its addon cannot load, the synchronous `crypto.verify` of
 * node:crypto (verify/backend.ts). Both are strict RFC 8032 and agree on
 * Wycheproof.
 *
 * The event loop's share is kept to a copy per line: a batch is cut into a
 * few chunks (one per thread), each packed into ONE ArrayBuffer (an offsets
 * table, the messages back to back, the 64-byte signatures) that is moved,
 * not copied, to a worker, which answers with one Int16Array (per check, the
 * index of the key that verified it, or -1). The raw 32-byte public keys are
 * sent to a worker only when the key list changes (a refresh replaces the
 * list: KeySet.version()), never per chunk.
 *
 * Failure never costs a batch: when a worker dies (or answers nothing for
 * 30 s while it holds work: it is then stopped), its chunks are checked
 * again with node:crypto on the libuv pool (createNativeVerifier), and a new
 * worker takes its place; after MAX_WORKER_FAILURES deaths the workers are
 * given up for good and every batch uses the pool.
 *
 * Idle workers are unref'd, so a CLI command exits when its work is done.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createSilentLogger, type Logger } from '../observability/logger.js';
import { chooseVerifyBackend, reportVerifyBackend, type SodiumLoader, type VerifyBackend } from './backend.js';
import { createNativeVerifier, INVALID, verdictCache } from './native-verifier.js';
import type { BatchVerifier, Verdict, VerificationKey, VerifyItem } from './types.js';

export interface WorkerVerifierOptions {
  /** Worker threads; default: one per core (os.availableParallelism()). */
  readonly threads?: number;
  readonly logger?: Logger;
  /** Default: sodium-native. A loader that throws forces the node:crypto fallback (tests). */
  readonly loadSodium?: SodiumLoader;
  /** Tests only: the worker's code (e.g. one that dies), instead of WORKER_SOURCE. */
  readonly workerSource?: string;
  /**
   * A worker that answers nothing for this long while it holds chunks is
   * taken for hung: stopped, its chunks checked on the pool. At least 2 ms
   * per check it holds (20 times the cost of one). Default 30 s.
   */
  readonly stallTimeoutMs?: number;
}

export interface ClosableBatchVerifier extends BatchVerifier {
  /** The Ed25519 implementation in use. */
  readonly backend: VerifyBackend;
  /** Stops the workers; later batches use the libuv pool. */
  close(): Promise<void>;
}

/** Below this many checks a chunk is not worth its own message. */
const MIN_CHUNK = 16;
/** Worker deaths after which the pool is abandoned (a broken environment, not bad luck). */
const MAX_WORKER_FAILURES = 3;
const SIGNATURE_BYTES = 64;
const PUBLIC_KEY_BYTES = 32;
/**
 * A worker holds one chunk at a time and a few small arrays: small heaps
 * keep each one near 15 MB of RSS instead of 23 (measured with two workers).
 * Running out kills the worker; its chunks then go to the thread pool.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32, codeRangeSizeMb: 8 } as const;
export { MAX_WORKER_FAILURES };

/**
 * The worker: plain CommonJS run with `eval`, so that it loads the same way
 * from `dist/` (the CLI), from `src/` under the test runner and from a
 * bundle. `workerData.sodiumPath` (absolute, resolved by the parent) is
 * libsodium; without it, node:crypto.
 *
 * `{ keys }`: the raw public keys, 32 bytes each, back to back.
 * `{ id, count, first, data }`: `data` starts with `count + 1` uint32
 * offsets; message i is `data[offsets[i], offsets[i+1])`, then come the
 * 64-byte signatures from `offsets[count]`. Keys are tried from index
 * `first` (the one that verified last), wrapping around.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const sodiumPath = workerData === null || workerData === undefined ? undefined : workerData.sodiumPath;
const sodium = sodiumPath === undefined ? undefined : require(sodiumPath);
const { createPublicKey, verify } = require('node:crypto');
let keys = [];
function importKey(raw) {
  if (sodium !== undefined) return raw;
  try { return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' }); } catch { return null; }
}
function check(message, signature, key) {
  if (key === null) return false;
  try {
    return sodium !== undefined ? sodium.crypto_sign_verify_detached(signature, message, key) : verify(null, message, key, signature);
  } catch { return false; }
}
parentPort.on('message', (task) => {
  if (task.keys !== undefined) {
    keys = [];
    for (let at = 0; at + ${PUBLIC_KEY_BYTES} <= task.keys.length; at += ${PUBLIC_KEY_BYTES}) keys.push(importKey(task.keys.slice(at, at + ${PUBLIC_KEY_BYTES})));
    return;
  }
  const { id, count, first } = task;
  const data = new Uint8Array(task.data);
  const offsets = new Uint32Array(task.data, 0, count + 1);
  const signatures = offsets[count];
  const result = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    const message = data.subarray(offsets[i], offsets[i + 1]);
    const signature = data.subarray(signatures + ${SIGNATURE_BYTES} * i, signatures + ${SIGNATURE_BYTES} * (i + 1));
    result[i] = -1;
    for (let t = 0; t < keys.length; t++) {
      const k = (first + t) % keys.length;
      if (check(message, signature, keys[k])) { result[i] = k; break; }
    }
  }
  parentPort.postMessage({ id, result }, [result.buffer]);
});
`;

interface Chunk {
  readonly items: readonly VerifyItem[];
  readonly keyList: readonly VerificationKey[];
  readonly resolve: (keyIndexes: Int16Array) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Chunk>;
  /** Checks queued on this worker. */
  queued: number;
  /** The key list this worker holds (sent before the first chunk that uses it). */
  keys: readonly VerificationKey[] | undefined;
  dead: boolean;
  /** Runs while the worker holds chunks; restarted by each answer. */
  timer: NodeJS.Timeout | undefined;
  /** Starts the stall timer if none runs (`progress`: restarts it, or stops it when nothing is held). */
  watch(progress: boolean): void;
}

const DEFAULT_STALL_TIMEOUT_MS = 30_000;
const STALL_MS_PER_CHECK = 2;

/** Default thread count: one per core (the event loop's share per line is small: see the module comment). */
export function defaultVerifyThreads(): number {
  return availableParallelism();
}

/**
 * `keys` is read once per batch, as in the native verifier: a key refresh
 * during a batch does not mix key sets within it.
 */
export function createWorkerVerifier(keys: () => readonly VerificationKey[], options: WorkerVerifierOptions = {}): ClosableBatchVerifier {
  const threads = options.threads ?? defaultVerifyThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer (got ${threads})`);
  const logger = options.logger ?? createSilentLogger();
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const verdictFor = verdictCache();
  const choice = chooseVerifyBackend(options.loadSodium);
  reportVerifyBackend(choice, logger);
  const workerData = choice.sodiumPath === undefined ? {} : { sodiumPath: choice.sodiumPath };
  const slots: Slot[] = [];
  let nextTaskId = 0;
  let failures = 0;
  let closed = false;
  let preferredKid: string | undefined;

  function spawn(): Slot {
    const worker = new Worker(options.workerSource ?? WORKER_SOURCE, {
      eval: true,
      name: 'konnect-audit-verify',
      resourceLimits: WORKER_LIMITS,
      workerData,
      // Not the parent's flags: with `--input-type=module` the CommonJS source would not load.
      execArgv: [],
    });
    worker.unref();
    const slot: Slot = {
      worker,
      pending: new Map(),
      queued: 0,
      keys: undefined,
      dead: false,
      timer: undefined,
      watch(progress) {
        if (slot.timer !== undefined && !progress) return;
        clearTimeout(slot.timer);
        slot.timer = undefined;
        if (slot.pending.size === 0 || slot.dead) return;
        // Progress, not completion: a healthy worker answers its oldest chunk in 0.1 to 0.2 ms per check.
        const limitMs = Math.max(stallTimeoutMs, STALL_MS_PER_CHECK * slot.queued);
        slot.timer = setTimeout(() => {
          fail(`no answer for ${limitMs} ms`);
          void worker.terminate();
        }, limitMs);
        slot.timer.unref();
      },
    };
    worker.on('message', (answer: { id: number; result: Int16Array }) => {
      const chunk = slot.pending.get(answer.id);
      if (chunk === undefined) return;
      slot.pending.delete(answer.id);
      slot.queued -= chunk.items.length;
      if (slot.pending.size === 0) worker.unref();
      slot.watch(true);
      chunk.resolve(answer.result);
    });
    const fail = (reason: string): void => {
      if (slot.dead) return;
      slot.dead = true;
      clearTimeout(slot.timer);
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      if (!closed) {
        failures++;
        logger.warn({ reason, failures, chunks: slot.pending.size }, 'a signature worker stopped; its checks run on the thread pool instead');
        if (failures === MAX_WORKER_FAILURES) logger.error({ failures }, 'signature workers keep failing: every check now runs on the thread pool');
      }
      // Nothing is lost: the chunks it held are checked again on the libuv pool.
      for (const chunk of slot.pending.values()) void checkOnPool(chunk);
      slot.pending.clear();
    };
    worker.on('error', (error: Error) => fail(error.message));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    return slot;
  }

  async function checkOnPool(chunk: Chunk): Promise<void> {
    // The same checks with the callback form on the libuv pool, with the keys the batch read.
    const verdicts = await createNativeVerifier(() => chunk.keyList).verifyBatch(chunk.items);
    const indexes = new Int16Array(verdicts.length);
    verdicts.forEach((verdict, i) => {
      indexes[i] = verdict.status === 'valid' ? chunk.keyList.findIndex((k) => k.kid === verdict.kid) : -1;
    });
    chunk.resolve(indexes);
  }

  /** The live worker with the fewest checks queued, spawning up to `threads`; undefined when the pool is given up. */
  function pickSlot(): Slot | undefined {
    if (closed || failures >= MAX_WORKER_FAILURES) return undefined;
    while (slots.length < threads) slots.push(spawn());
    let best = slots[0] as Slot;
    for (const slot of slots) if (slot.queued < best.queued) best = slot;
    return best;
  }

  function dispatch(chunk: Chunk, first: number): void {
    const slot = pickSlot();
    if (slot === undefined) {
      void checkOnPool(chunk);
      return;
    }
    if (slot.keys !== chunk.keyList) {
      slot.worker.postMessage({ keys: rawKeysOf(chunk.keyList) });
      slot.keys = chunk.keyList;
    }
    const data = pack(chunk.items);
    const id = nextTaskId++;
    slot.pending.set(id, chunk);
    slot.queued += chunk.items.length;
    slot.worker.ref();
    slot.worker.postMessage({ id, count: chunk.items.length, first, data }, [data]);
    slot.watch(false);
  }

  return {
    backend: choice.backend,
    async verifyBatch(items) {
      const n = items.length;
      const keyList = keys();
      if (n === 0) return [];
      const verdicts = new Array<Verdict>(n).fill(INVALID);
      if (keyList.length === 0) return verdicts;
      // A signature that is not 64 bytes never verifies (extractSignature never gives one).
      const checked: number[] = [];
      for (let i = 0; i < n; i++) if ((items[i] as VerifyItem).signature.byteLength === SIGNATURE_BYTES) checked.push(i);
      const first = Math.max(0, keyList.findIndex((k) => k.kid === preferredKid));
      const chunkCount = Math.max(1, Math.min(threads, Math.floor(checked.length / MIN_CHUNK)));
      const size = Math.ceil(checked.length / chunkCount);
      const parts: Promise<Int16Array>[] = [];
      for (let from = 0; from < checked.length; from += size) {
        const part = checked.slice(from, from + size).map((i) => items[i] as VerifyItem);
        parts.push(new Promise((resolve) => dispatch({ items: part, keyList, resolve }, first)));
      }
      const results = await Promise.all(parts);
      let c = 0;
      for (const result of results) {
        for (const k of result) {
          const key = k >= 0 ? keyList[k] : undefined;
          const i = checked[c++] as number;
          if (key !== undefined) {
            preferredKid = key.kid;
            verdicts[i] = verdictFor(key.kid);
          }
        }
      }
      return verdicts;
    },
    async close() {
      closed = true;
      const stopping = slots.splice(0).map((slot) => slot.worker.terminate());
      await Promise.all(stopping);
    },
  };
}

/**
 * One buffer per chunk, moved to the worker: `count + 1` uint32 offsets
 * (absolute), the messages back to back, then the signatures.
 */
function pack(items: readonly VerifyItem[]): ArrayBuffer {
  const n = items.length;
  const head = 4 * (n + 1);
  let bytes = head;
  for (let i = 0; i < n; i++) bytes += (items[i] as VerifyItem).message.byteLength;
  const data = new ArrayBuffer(bytes + SIGNATURE_BYTES * n);
  const offsets = new Uint32Array(data, 0, n + 1);
  const view = new Uint8Array(data);
  let at = head;
  for (let i = 0; i < n; i++) {
    const item = items[i] as VerifyItem;
    offsets[i] = at;
    view.set(item.message, at);
    view.set(item.signature, bytes + SIGNATURE_BYTES * i);
    at += item.message.byteLength;
  }
  offsets[n] = at;
  return data;
}

/** A key list's raw public keys, 32 bytes each, packed once per list (a refresh makes a new list). */
const rawKeysByList = new WeakMap<readonly VerificationKey[], Uint8Array>();

function rawKeysOf(keyList: readonly VerificationKey[]): Uint8Array {
  let packed = rawKeysByList.get(keyList);
  if (packed === undefined) {
    packed = new Uint8Array(PUBLIC_KEY_BYTES * keyList.length);
    keyList.forEach((key, k) => (packed as Uint8Array).set(rawKeyOf(key), PUBLIC_KEY_BYTES * k));
    rawKeysByList.set(keyList, packed);
  }
  return packed;
}

/** `key.raw`, or the bytes of its KeyObject (a key built without the JWKS import, e.g. in a test). */
export function rawKeyOf(key: VerificationKey): Uint8Array {
  if (key.raw?.byteLength === PUBLIC_KEY_BYTES) return key.raw;
  const { x } = key.key.export({ format: 'jwk' });
  return Buffer.from(x ?? '', 'base64url');
}

/**
 * createWorkerVerifier with real worker threads: verdict order and kids
 * across chunks, keys read once per batch (rotation reaches the workers),
 * bad input, Wycheproof parity with createNativeVerifier, workers that die
 * (fallback to the libuv pool, then the pool given up), close(), concurrent
 * batches, and a real child process that exits by itself with idle workers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createNativeVerifier,
  createWorkerVerifier,
  defaultVerifyThreads,
  generateKeyPair,
  jwksOf,
  parseJwks,
  type ClosableBatchVerifier,
  type Verdict,
  type VerificationKey,
  type VerifyItem,
  type WorkerVerifierOptions,
} from '../../src/verify/index.js';
import { capturedLogger, ERROR, WARN, type LogEntry } from './support/logs.js';
import { wycheproofItem, wycheproofSuite } from './support/wycheproof.js';
import { MAX_WORKER_FAILURES } from '../../src/verify/worker-verifier.js';

type Pair = ReturnType<typeof generateKeyPair>;

function keyOf(pair: Pair): VerificationKey {
  return parseJwks(JSON.stringify(jwksOf([pair.publicJwk])))[0] as VerificationKey;
}

function signed(pair: Pair, text: string): VerifyItem {
  const message = Buffer.from(text);
  return { message, signature: sign(null, message, pair.privateKey) };
}

const a = generateKeyPair({ kid: 'a' });
const b = generateKeyPair({ kid: 'b' });
const c = generateKeyPair({ kid: 'c' });
const other = generateKeyPair({ kid: 'other' });
const keyA = keyOf(a);
const keyB = keyOf(b);
const keyC = keyOf(c);

/** `kid` for a valid verdict, `invalid` otherwise: one string per line, easy to compare. */
const kids = (verdicts: readonly Verdict[]): string[] => verdicts.map((v) => (v.status === 'valid' ? v.kid : 'invalid'));

const BAD_LENGTHS = [63, 65, 0] as const;

/** Lines are signed once and reused across batches (signing is most of a test's cost). */
const lineCache = new Map<number, { item: VerifyItem; expected: string }>();

function mixedLine(i: number): { item: VerifyItem; expected: string } {
  let line = lineCache.get(i);
  if (line === undefined) {
    line = makeMixedLine(i);
    lineCache.set(i, line);
  }
  return line;
}

/**
 * Line i of a mixed batch, by i % 6: signed by a, by b, by c, by a key that
 * is not in the set, with a 63/65/0-byte signature, or a valid signature of a
 * tampered message. `expected` is its verdict with the keys a, b, c.
 */
function makeMixedLine(i: number): { item: VerifyItem; expected: string } {
  const text = `line ${i} {"event":"audit","n":${i}}`;
  switch (i % 6) {
    case 0:
      return { item: signed(a, text), expected: 'a' };
    case 1:
      return { item: signed(b, text), expected: 'b' };
    case 2:
      return { item: signed(c, text), expected: 'c' };
    case 3:
      return { item: signed(other, text), expected: 'invalid' };
    case 4: {
      const { message, signature } = signed(a, text);
      const length = BAD_LENGTHS[Math.floor(i / 6) % BAD_LENGTHS.length] as number;
      const spoiled = length > 64 ? Buffer.concat([signature, Buffer.alloc(length - 64)]) : signature.subarray(0, length);
      return { item: { message, signature: spoiled }, expected: 'invalid' };
    }
    default: {
      const { signature } = signed(a, text);
      return { item: { message: Buffer.from(`${text}!`), signature }, expected: 'invalid' };
    }
  }
}

function mixedBatch(size: number, from = 0): { items: VerifyItem[]; expected: string[] } {
  const lines = Array.from({ length: size }, (_, i) => mixedLine(from + i));
  return { items: lines.map((l) => l.item), expected: lines.map((l) => l.expected) };
}

const open: { verifier: ClosableBatchVerifier; healthy?: () => LogEntry[] }[] = [];

/**
 * A verifier closed after the test, so that no worker outlives it. Without
 * an injected workerSource or logger, its logs are captured and the test
 * fails if a worker stopped: the verdicts then came from the real workers,
 * not from the fallback.
 */
function verifierOf(keys: () => readonly VerificationKey[], options: WorkerVerifierOptions = {}): ClosableBatchVerifier {
  if (options.workerSource !== undefined || options.logger !== undefined) {
    const verifier = createWorkerVerifier(keys, { threads: 2, ...options });
    open.push({ verifier });
    return verifier;
  }
  const logs = capturedLogger();
  const verifier = createWorkerVerifier(keys, { threads: 2, ...options, logger: logs.logger });
  open.push({ verifier, healthy: logs.entries });
  return verifier;
}

afterEach(async () => {
  const closing = open.splice(0);
  await Promise.all(closing.map(({ verifier }) => verifier.close()));
  for (const { healthy } of closing) if (healthy !== undefined) expect(healthy().filter((e) => e.level >= WARN), 'a real worker stopped').toEqual([]);
});

describe('createWorkerVerifier: verdicts', () => {
  it('keeps input order and reports the right kid over 300 mixed lines (several chunks, several keys, lines carry no key id)', async () => {
    const verifier = verifierOf(() => [keyA, keyB, keyC]);
    const { items, expected } = mixedBatch(300);
    expect(kids(await verifier.verifyBatch(items))).toEqual(expected);
    // Again: the key tried first is now the last one that verified, the search wraps around.
    expect(kids(await verifier.verifyBatch(items))).toEqual(expected);
    const shifted = mixedBatch(300, 1);
    expect(kids(await verifier.verifyBatch(shifted.items))).toEqual(shifted.expected);
  });

  it('a valid verdict is exactly { status: "valid", kid }', async () => {
    const verdicts = await verifierOf(() => [keyA, keyB]).verifyBatch([signed(b, 'x'), signed(a, 'y'), signed(c, 'z')]);
    expect(verdicts).toEqual([{ status: 'valid', kid: 'b' }, { status: 'valid', kid: 'a' }, { status: 'invalid' }]);
  });

  it.each([
    ['one line signed by the second key', () => signed(b, 'one'), 'b'],
    ['one line signed by a key not in the set', () => signed(other, 'one'), 'invalid'],
    ['one line with a 63-byte signature (never reaches a worker)', () => ({ message: Buffer.from('one'), signature: new Uint8Array(63) }), 'invalid'],
  ])('a batch of one line: %s', async (_quirk, line, expected) => {
    expect(kids(await verifierOf(() => [keyA, keyB]).verifyBatch([line()]))).toEqual([expected]);
  });

  it.each([1, 3])('threads: %i gives the same verdicts for a 300-line batch', async (threads) => {
    const { items, expected } = mixedBatch(300);
    expect(kids(await verifierOf(() => [keyA, keyB, keyC], { threads }).verifyBatch(items))).toEqual(expected);
  });

  it('an empty batch is [] and no keys make every line invalid', async () => {
    expect(await verifierOf(() => [keyA]).verifyBatch([])).toEqual([]);
    expect(await verifierOf(() => []).verifyBatch([])).toEqual([]);
    const { items } = mixedBatch(40);
    expect(await verifierOf(() => []).verifyBatch(items)).toEqual(items.map(() => ({ status: 'invalid' })));
  });

  it.each([
    ['a 63-byte signature', (item: VerifyItem): VerifyItem => ({ message: item.message, signature: item.signature.subarray(0, 63) })],
    ['a 65-byte signature', (item: VerifyItem): VerifyItem => ({ message: item.message, signature: Buffer.concat([item.signature, Buffer.from([0])]) })],
    ['an empty signature', (item: VerifyItem): VerifyItem => ({ message: item.message, signature: new Uint8Array(0) })],
    ['a valid signature on a tampered message', (item: VerifyItem): VerifyItem => ({ message: Buffer.from('tampered'), signature: item.signature })],
    ['a signature with one bit flipped', (item: VerifyItem): VerifyItem => ({ message: item.message, signature: Buffer.from(item.signature).fill(item.signature[0] as number ^ 1, 0, 1) })],
    ['an empty message signed by nobody', (): VerifyItem => ({ message: new Uint8Array(0), signature: new Uint8Array(64) })],
  ])('bad input is invalid, never a throw: %s (alone and among 40 good lines)', async (_quirk, spoil) => {
    const verifier = verifierOf(() => [keyA, keyB]);
    const bad = spoil(signed(a, 'the signed line'));
    expect(await verifier.verifyBatch([bad])).toEqual([{ status: 'invalid' }]);
    const good = Array.from({ length: 40 }, (_, i) => signed(i % 2 === 0 ? a : b, `good ${i}`));
    const verdicts = await verifier.verifyBatch([...good.slice(0, 20), bad, ...good.slice(20)]);
    expect(kids(verdicts)).toEqual([...good.slice(0, 20).map((_, i) => (i % 2 === 0 ? 'a' : 'b')), 'invalid', ...good.slice(20).map((_, i) => (i % 2 === 0 ? 'a' : 'b'))]);
  });

  it('a batch where no signature has 64 bytes is all invalid', async () => {
    const items = BAD_LENGTHS.map((length) => ({ message: Buffer.from('x'), signature: new Uint8Array(length) }));
    expect(await verifierOf(() => [keyA]).verifyBatch(items)).toEqual(items.map(() => ({ status: 'invalid' })));
  });

  it('messages that are Buffer slices of a shared pool are packed from their own bytes', async () => {
    const pool = Buffer.alloc(4096, 0x2a);
    const items = Array.from({ length: 50 }, (_, i) => {
      const message = pool.subarray(i * 80, i * 80 + 10 + i);
      message.write(`slice ${i}`);
      return { message, signature: sign(null, message, a.privateKey) };
    });
    expect(kids(await verifierOf(() => [keyA]).verifyBatch(items))).toEqual(items.map(() => 'a'));
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses threads: %s', (threads) => {
    expect(() => createWorkerVerifier(() => [], { threads })).toThrow(RangeError);
  });

  it('defaults to one thread per core', () => {
    expect(defaultVerifyThreads()).toBe(availableParallelism());
  });
});

describe('createWorkerVerifier: keys', () => {
  it('reads the keys once per batch, whatever the number of chunks', async () => {
    let reads = 0;
    const verifier = verifierOf(() => {
      reads++;
      return [keyA, keyB, keyC];
    });
    for (const size of [300, 1, 40]) await verifier.verifyBatch(mixedBatch(size).items);
    expect(reads).toBe(3);
  });

  it('a rotation is picked up by the next batch: the workers receive the new keys', async () => {
    const logs = capturedLogger();
    let keys: readonly VerificationKey[] = [keyA];
    const verifier = verifierOf(() => keys, { logger: logs.logger });
    const items = Array.from({ length: 100 }, (_, i) => signed(i % 2 === 0 ? a : b, `rotating ${i}`));
    const expectWith = (byA: string, byB: string): string[] => items.map((_, i) => (i % 2 === 0 ? byA : byB));
    expect(kids(await verifier.verifyBatch(items))).toEqual(expectWith('a', 'invalid'));
    keys = [keyA, keyB];
    expect(kids(await verifier.verifyBatch(items))).toEqual(expectWith('a', 'b'));
    keys = [keyB];
    expect(kids(await verifier.verifyBatch(items))).toEqual(expectWith('invalid', 'b'));
    // The same kid with another key: the kid alone never validates.
    keys = [{ kid: 'b', key: keyC.key }];
    expect(kids(await verifier.verifyBatch(items))).toEqual(expectWith('invalid', 'invalid'));
    keys = [];
    expect(kids(await verifier.verifyBatch(items))).toEqual(expectWith('invalid', 'invalid'));
    keys = [keyB, keyA];
    expect(kids(await verifier.verifyBatch(items))).toEqual(expectWith('a', 'b'));
    // The workers did this, not the fallback: no worker stopped.
    expect(logs.entries().filter((e) => e.level >= WARN)).toEqual([]);
  });

  it('a rotation during a batch does not reach that batch (the key set read at its start is used)', async () => {
    let keys: readonly VerificationKey[] = [keyA];
    const verifier = verifierOf(() => keys);
    const items = Array.from({ length: 100 }, (_, i) => signed(i % 2 === 0 ? a : b, `in flight ${i}`));
    const inFlight = verifier.verifyBatch(items);
    keys = [keyB];
    const next = verifier.verifyBatch(items);
    expect(kids(await inFlight)).toEqual(items.map((_, i) => (i % 2 === 0 ? 'a' : 'invalid')));
    expect(kids(await next)).toEqual(items.map((_, i) => (i % 2 === 0 ? 'invalid' : 'b')));
  });
});

describe('createWorkerVerifier: Wycheproof parity with createNativeVerifier (fixtures/wycheproof-ed25519.json)', () => {
  const suite = wycheproofSuite;
  /** Each group's key, imported as the key set imports a JWKS; the kid is the public key (all fixture kids are "none"). */
  const groups = suite.testGroups.map((group) => {
    const [key] = parseJwks(JSON.stringify({ keys: [group.publicKeyJwk] }));
    if (key === undefined) throw new Error('a Wycheproof group key did not import');
    return { key: { kid: group.publicKey.pk, key: key.key } satisfies VerificationKey, tests: group.tests };
  });
  const itemOf = wycheproofItem;

  it('every vector, batch per group key: the same verdict as the native verifier and as Wycheproof', async () => {
    let keys: readonly VerificationKey[] = [];
    const verifier = verifierOf(() => keys);
    const disagreements: string[] = [];
    let vectors = 0;
    for (const group of groups) {
      keys = [group.key];
      const items = group.tests.map(itemOf);
      const [got, native] = await Promise.all([verifier.verifyBatch(items), createNativeVerifier(() => [group.key]).verifyBatch(items)]);
      group.tests.forEach((test, i) => {
        vectors++;
        const verdict = got[i];
        if (JSON.stringify(verdict) !== JSON.stringify(native[i]) || verdict?.status !== test.result) {
          disagreements.push(`tcId ${test.tcId} (${test.comment}): worker ${JSON.stringify(verdict)}, native ${JSON.stringify(native[i])}, expected ${test.result}`);
        }
      });
    }
    expect(vectors).toBe(151);
    expect(disagreements).toEqual([]);
  });

  it('all vectors in one batch with every group key: the same verdicts (and kids) as the native verifier', async () => {
    const keys = [...new Map(groups.map((g) => [g.key.kid, g.key])).values()];
    const items = groups.flatMap((g) => g.tests.map(itemOf));
    const got = await verifierOf(() => keys, { threads: 3 }).verifyBatch(items);
    expect(got).toEqual(await createNativeVerifier(() => keys).verifyBatch(items));
    expect(got.map((v) => v.status)).toEqual(groups.flatMap((g) => g.tests.map((t) => t.result)));
  });
});

describe('createWorkerVerifier: workers that die', () => {
  it('a worker that dies after a rotation: its chunk is re-checked with the key set the batch read, and keys() is read once', async () => {
    let keys: readonly VerificationKey[] = [keyA];
    let reads = 0;
    const verifier = verifierOf(
      () => {
        reads++;
        return keys;
      },
      { threads: 1, workerSource: "require('node:worker_threads').parentPort.on('message', () => process.exit(3));" },
    );
    const inFlight = verifier.verifyBatch([signed(a, 'x'), signed(b, 'x')]);
    keys = [keyB];
    expect(await inFlight).toEqual([{ status: 'valid', kid: 'a' }, { status: 'invalid' }]);
    expect(reads).toBe(1);
  });

  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'worker-verifier-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A worker source that appends one line to `file` when it starts (counts the workers spawned), then runs `body`. */
  const counted = (file: string, body: string): string => `require('node:fs').appendFileSync(${JSON.stringify(file)}, 'started\\n');\n${body}`;
  const spawned = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length : 0);

  const dying = [
    ['exits on its first message (the keys)', "require('node:worker_threads').parentPort.on('message', () => process.exit(3));", 'exited with code 3'],
    ['takes the keys, exits on the first chunk', "require('node:worker_threads').parentPort.on('message', (m) => { if (m.keys === undefined) process.exit(5); });", 'exited with code 5'],
    ['throws in its message handler', "require('node:worker_threads').parentPort.on('message', () => { throw new Error('boom in the worker'); });", 'boom in the worker'],
    ['exits as soon as it starts', 'process.exit(4);', 'exited with code 4'],
  ] as const;

  it.each(dying)('a worker that %s: every batch is still verified correctly, then the pool is given up (threads: 1)', async (name, body, reason) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.log`);
    const logs = capturedLogger();
    const verifier = verifierOf(() => [keyA, keyB, keyC], { threads: 1, logger: logs.logger, workerSource: counted(file, body) });
    // One worker per batch dies until MAX_WORKER_FAILURES; the rest run on the libuv pool without a worker.
    const sizes = [300, 1, 40, 300, 1, 17];
    expect(sizes.length).toBeGreaterThan(MAX_WORKER_FAILURES);
    for (const [n, size] of sizes.entries()) {
      const { items, expected } = mixedBatch(size, n);
      expect(kids(await verifier.verifyBatch(items)), `batch ${n} (${size} lines)`).toEqual(expected);
    }
    const warnings = logs.entries().filter((e) => e.level === WARN);
    expect(warnings).toHaveLength(MAX_WORKER_FAILURES);
    expect(warnings.map((w) => w.failures)).toEqual(Array.from({ length: MAX_WORKER_FAILURES }, (_, i) => i + 1));
    for (const warning of warnings) {
      expect(warning.msg).toContain('a signature worker stopped');
      expect(warning.reason).toContain(reason);
    }
    expect(logs.entries().filter((e) => e.level === ERROR)).toMatchObject([{ failures: MAX_WORKER_FAILURES, msg: expect.stringContaining('keep failing') as unknown }]);
    // Given up: no worker was started after the last failure.
    expect(spawned(file)).toBe(MAX_WORKER_FAILURES);
    const { items, expected } = mixedBatch(300, 7);
    expect(kids(await verifier.verifyBatch(items))).toEqual(expected);
    expect(spawned(file)).toBe(MAX_WORKER_FAILURES);
  });

  it.each(dying)('a worker that %s: a 300-line batch whose chunks are all in flight on dying workers (threads: 2)', async (_name, body, reason) => {
    const logs = capturedLogger();
    const verifier = verifierOf(() => [keyA, keyB, keyC], { threads: 2, logger: logs.logger, workerSource: body });
    for (const from of [0, 1, 2]) {
      const { items, expected } = mixedBatch(300, from);
      expect(kids(await verifier.verifyBatch(items))).toEqual(expected);
    }
    const warnings = logs.entries().filter((e) => e.level === WARN);
    expect(warnings.length).toBeGreaterThanOrEqual(MAX_WORKER_FAILURES);
    expect(warnings.every((w) => w.reason?.includes(reason) === true)).toBe(true);
    expect(logs.entries().filter((e) => e.level === ERROR)).toHaveLength(1);
  });

  it('a worker that hangs (takes work, never answers) is stopped after the stall time; its chunks are checked on the pool', async () => {
    const logs = capturedLogger();
    const hung = "require('node:worker_threads').parentPort.on('message', () => {});";
    const verifier = verifierOf(() => [keyA, keyB, keyC], { threads: 1, logger: logs.logger, workerSource: hung, stallTimeoutMs: 100 });
    for (const [n, size] of [40, 1, 7].entries()) {
      const { items, expected } = mixedBatch(size, n);
      expect(kids(await verifier.verifyBatch(items)), `batch ${n}`).toEqual(expected);
    }
    const warnings = logs.entries().filter((e) => e.level === WARN);
    expect(warnings).toHaveLength(MAX_WORKER_FAILURES);
    for (const warning of warnings) expect(warning.reason).toBe('no answer for 100 ms');
  });

  it('a slow but working worker is not taken for hung: the stall timer restarts at every answer', async () => {
    const logs = capturedLogger();
    // Answers each chunk after 60 ms: 12 chunks queued take over 700 ms in all, past the 500 ms stall time,
    // while no gap between two answers comes near it (an 8x margin for a busy machine).
    const slow = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
let keys = [];
parentPort.on('message', (task) => {
  if (task.keys !== undefined) {
    keys = [];
    for (let at = 0; at < task.keys.length; at += 32) keys.push(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(task.keys.slice(at, at + 32)).toString('base64url') }, format: 'jwk' }));
    return;
  }
  const until = Date.now() + 60; while (Date.now() < until);
  const data = new Uint8Array(task.data);
  const offsets = new Uint32Array(task.data, 0, task.count + 1);
  const sigs = offsets[task.count];
  const result = new Int16Array(task.count);
  for (let i = 0; i < task.count; i++) {
    result[i] = -1;
    for (let k = 0; k < keys.length; k++) {
      if (verify(null, data.subarray(offsets[i], offsets[i + 1]), keys[k], data.subarray(sigs + 64 * i, sigs + 64 * (i + 1)))) { result[i] = k; break; }
    }
  }
  parentPort.postMessage({ id: task.id, result }, [result.buffer]);
});`;
    const verifier = verifierOf(() => [keyA, keyB, keyC], { threads: 1, logger: logs.logger, workerSource: slow, stallTimeoutMs: 500 });
    const batches = Array.from({ length: 12 }, (_, n) => mixedBatch(20, n));
    const got = await Promise.all(batches.map((batch) => verifier.verifyBatch(batch.items)));
    expect(got.map(kids)).toEqual(batches.map((batch) => batch.expected));
    expect(logs.entries().filter((e) => e.level >= WARN)).toEqual([]);
  });

  it('10 batches at once on dying workers: every one correct', async () => {
    const verifier = verifierOf(() => [keyA, keyB, keyC], { workerSource: dying[0][1] });
    const batches = Array.from({ length: 10 }, (_, n) => mixedBatch(1 + n * 23, n));
    const got = await Promise.all(batches.map((batch) => verifier.verifyBatch(batch.items)));
    expect(got.map(kids)).toEqual(batches.map((batch) => batch.expected));
  });
});

describe('createWorkerVerifier: close()', () => {
  it('resolves (unused, used, twice) and a batch after close still verifies, without a warning', async () => {
    const logs = capturedLogger();
    await expect(createWorkerVerifier(() => [keyA]).close()).resolves.toBeUndefined();
    const verifier = verifierOf(() => [keyA, keyB, keyC], { logger: logs.logger });
    const { items, expected } = mixedBatch(300);
    expect(kids(await verifier.verifyBatch(items))).toEqual(expected);
    await expect(verifier.close()).resolves.toBeUndefined();
    await expect(verifier.close()).resolves.toBeUndefined();
    expect(kids(await verifier.verifyBatch(items))).toEqual(expected);
    expect(kids(await verifier.verifyBatch(items.slice(0, 1)))).toEqual(expected.slice(0, 1));
    expect(logs.entries().filter((e) => e.level >= WARN)).toEqual([]);
  });

  it('close() while a batch is in flight: the batch still gets its verdicts', async () => {
    const logs = capturedLogger();
    const verifier = verifierOf(() => [keyA, keyB, keyC], { logger: logs.logger });
    const { items, expected } = mixedBatch(300);
    const inFlight = verifier.verifyBatch(items);
    await verifier.close();
    expect(kids(await inFlight)).toEqual(expected);
    expect(logs.entries().filter((e) => e.level >= WARN)).toEqual([]);
  });
});

describe('createWorkerVerifier: concurrency', () => {
  it('10 batches verified at once give the same verdicts as one after another', async () => {
    const batches = Array.from({ length: 10 }, (_, n) => mixedBatch(1 + n * 15, n * 5));
    const concurrent = verifierOf(() => [keyA, keyB, keyC]);
    const atOnce = await Promise.all(batches.map((batch) => concurrent.verifyBatch(batch.items)));
    const sequential = verifierOf(() => [keyA, keyB, keyC]);
    const oneByOne: Verdict[][] = [];
    for (const batch of batches) oneByOne.push(await sequential.verifyBatch(batch.items));
    expect(atOnce).toEqual(oneByOne);
    expect(atOnce.map(kids)).toEqual(batches.map((batch) => batch.expected));
  });

  it('concurrent batches with different key sets: each batch uses its own', async () => {
    let keys: readonly VerificationKey[] = [keyA];
    const verifier = verifierOf(() => keys);
    const items = Array.from({ length: 60 }, (_, i) => signed([a, b, c][i % 3] as Pair, `keys ${i}`));
    const sets: (readonly VerificationKey[])[] = [[keyA], [keyB], [keyC, keyA], [], [keyA, keyB, keyC]];
    const pending = sets.map((set) => {
      keys = set;
      return verifier.verifyBatch(items);
    });
    const got = await Promise.all(pending);
    expect(got.map(kids)).toEqual(sets.map((set) => items.map((_, i) => (set.some((k) => k.kid === 'abc'[i % 3]) ? ('abc'[i % 3] as string) : 'invalid'))));
  });
});

describe('createWorkerVerifier: idle workers do not keep a process alive', () => {
  const root = resolve(import.meta.dirname, '../..');
  const built = join(root, 'dist/verify/worker-verifier.js');

  /** Builds dist/ when it is missing or older than src/verify (`npm test` builds first anyway). */
  beforeAll(() => {
    const sources = Math.max(...readdirSync(join(root, 'src/verify')).map((name) => statSync(join(root, 'src/verify', name)).mtimeMs));
    if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--noEmitOnError', 'false'], { cwd: root, stdio: 'ignore' });
  });

  /**
   * The child verifies one 64-line batch on two workers, never calls close(),
   * prints how many lines were valid, and reports any worker that stopped on
   * stderr (a logger stand-in: pino is not needed for warn/error).
   */
  const script = (): string => `
import { generateKeyPairSync, sign } from 'node:crypto';
import { createWorkerVerifier } from ${JSON.stringify(pathToFileURL(built).href)};
const pair = generateKeyPairSync('ed25519');
const logger = { warn: (o, m) => console.error('WARN', JSON.stringify(o), m), error: (o, m) => console.error('ERROR', JSON.stringify(o), m) };
const verifier = createWorkerVerifier(() => [{ kid: 'k', key: pair.publicKey }], { threads: 2, logger });
const items = Array.from({ length: 64 }, (_, i) => {
  const message = Buffer.from('line ' + i);
  return { message, signature: sign(null, message, pair.privateKey) };
});
const verdicts = await verifier.verifyBatch(items);
process.stdout.write(String(verdicts.filter((v) => v.status === 'valid' && v.kid === 'k').length) + '\\n');
`;

  it.each([
    // The real check: the workers verify the batch (stderr stays empty) and, idle, do not hold the process.
    ['node child.mjs', (file: string) => [file], true],
    // Workers would inherit --input-type=module and fail to load their CommonJS source; they get no parent flags (execArgv: []).
    ['node --input-type=module -e', (file: string) => ['--input-type=module', '-e', readFileSync(file, 'utf8')], true],
  ])('a child (%s) that verifies one batch and never calls close() exits by itself with code 0', async (_how, argv, workersLive) => {
    expect(existsSync(built), 'dist/verify/worker-verifier.js is missing: run `npx tsc -p tsconfig.build.json`').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'worker-verifier-child-'));
    const file = join(dir, 'child.mjs');
    writeFileSync(file, script());
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((done, fail) => {
      const child = spawn(process.execPath, argv(file), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let killed = false;
      // A safety net only, not a timed assertion: a child kept alive by its workers would otherwise hang the run.
      const safety = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, 20_000);
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', fail);
      child.on('close', (code) => {
        clearTimeout(safety);
        done({ code, stdout, stderr, killed });
      });
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.killed, `the child did not exit by itself (something kept it alive); stderr: ${run.stderr}`).toBe(false);
    expect({ code: run.code, stdout: run.stdout }, run.stderr).toEqual({ code: 0, stdout: '64\n' });
    if (workersLive) expect(run.stderr, 'a worker stopped in the child').toBe('');
  });
});

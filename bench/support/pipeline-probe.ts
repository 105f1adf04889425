/**
 * @module bench/support/pipeline-probe
 * Where the receiver's CPU goes, stage by stage, without HTTP: the same
 * signed 100-line batches through each stage alone, in CPU microseconds per
 * line (process CPU, all threads: immune to a busy neighbour, unlike wall
 * time). A diagnostic for tuning, not one of the SPEC 9 benches.
 *
 *   tsx bench/support/pipeline-probe.ts [batches=200] [batchSize=100] [prefillIds=0]
 *
 * `prefillIds` first fills the dedup table with that many ids of earlier
 * events, as a receiver that has run for days holds (the store's costs grow
 * with it).
 *
 * Stages: gunzip (intake `decodeBody`), parse + normalize + serialize
 * (`processBatch` without a verifier and with a store that does nothing),
 * store commit (one batch per transaction, as under light load, and all
 * batches queued at once, as group commit merges them under load), bare
 * `crypto.verify` and the whole `processBatch` (native verifier, real store).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeBody } from '../../src/intake/decode-body.js';
import { createLineParser } from '../../src/lines/parse-line.js';
import { processBatch, type PipelineDeps } from '../../src/pipeline.js';
import { eventDedupKey, openStore } from '../../src/store/index.js';
import type { IncomingBatch } from '../../src/store/types.js';
import { createNativeVerifier, generateKeyPair } from '../../src/verify/index.js';
import { measureVerifyCeiling, verifyItemsOf } from './ceiling.js';
import { buildBodyPool, createLineSource } from './signed-bodies.js';

export interface StageCost {
  readonly stage: string;
  readonly cpuMicrosPerLine: number;
  readonly wallMicrosPerLine: number;
}

async function timed(stage: string, lines: number, run: () => Promise<void> | void): Promise<StageCost> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const cpu = process.cpuUsage(cpu0);
  return { stage, cpuMicrosPerLine: (cpu.user + cpu.system) / lines, wallMicrosPerLine: ((performance.now() - t0) * 1000) / lines };
}

/** Ids of events older than the bench lines, written straight into the dedup table. */
function prefillDedup(path: string, count: number): void {
  const db = new Database(path);
  const insert = db.prepare<[Buffer, number]>('INSERT OR IGNORE INTO dedup(key, seen_at) VALUES (?, ?)');
  const start = Date.parse('2025-06-15T00:00:00Z');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(eventDedupKey(randomBytes(64).toString('base64url'), 'valid', start + i * 10), Date.now());
  })();
  db.close();
}

export async function probePipeline(batches: number, batchSize: number, prefillIds = 0): Promise<StageCost[]> {
  const pair = generateKeyPair();
  const source = createLineSource(pair.privateKey, 0x70726f);
  // Two pools: the store sees new ids in each stage that commits (duplicates cost less and would flatter it).
  const pools = [await buildBodyPool(source, batches, batchSize), await buildBodyPool(source, batches, batchSize), await buildBodyPool(source, batches, batchSize)];
  const decoded = pools.map((pool) => pool.bodies.map((body) => gunzipSync(body)));
  const lines = batches * batchSize;
  const dir = mkdtempSync(join(tmpdir(), 'kar-probe-'));
  const store = openStore({ dataDir: dir, sinkNames: ['blackhole'] });
  if (prefillIds > 0) prefillDedup(store.path, prefillIds);
  const keys = [{ kid: pair.kid, key: pair.publicKey }];
  const native = createNativeVerifier(() => keys);
  const lineParser = createLineParser({ maxLineBytes: 256 * 1024 });
  const nullStore: PipelineDeps['store'] = { commitBatch: async () => ({ accepted: 0, duplicates: 0, quarantined: 0, rejected: 0 }) };
  const base = { lineParser, policy: 'quarantine', now: () => new Date() } as const;
  const captured: IncomingBatch[][] = [[], []];
  const capture = (k: number): PipelineDeps['store'] => ({
    commitBatch: async (batch) => {
      captured[k]?.push(batch);
      return { accepted: 0, duplicates: 0, quarantined: 0, rejected: 0 };
    },
  });
  try {
    const out: StageCost[] = [];
    // Warm-up of every code path on the first pool (not reported).
    for (const body of decoded[0] ?? []) await processBatch(body, { ...base, verifier: { verify: (items) => native.verifyBatch(items) }, store: nullStore });

    out.push(
      await timed('gunzip (intake decodeBody)', lines, async () => {
        for (const body of pools[0]?.bodies ?? []) await decodeBody(body, 'gzip', 128 * 1024 * 1024);
      }),
    );
    out.push(
      await timed('processBatch, no verifier, null store (intake: parse ... record)', lines, async () => {
        for (const body of decoded[0] ?? []) await processBatch(body, { ...base, verifier: undefined, store: nullStore });
      }),
    );
    for (const body of decoded[1] ?? []) await processBatch(body, { ...base, verifier: undefined, store: capture(0) });
    for (const body of decoded[2] ?? []) await processBatch(body, { ...base, verifier: undefined, store: capture(1) });
    out.push(
      await timed('store: one commit per batch', lines, async () => {
        for (const batch of captured[0] ?? []) await store.commitBatch(batch);
      }),
    );
    out.push(
      await timed('store: all batches in one group', lines, async () => {
        await Promise.all((captured[1] ?? []).map((batch) => store.commitBatch(batch)));
      }),
    );
    out.push(
      await timed('delivery: read back (normalize + serialize at delivery), record progress', lines * 2, () => {
        for (;;) {
          const events = store.readPending('blackhole', { maxBytes: 1024 * 1024, maxEvents: 10_000 });
          const last = events.at(-1);
          if (last === undefined) return;
          store.completeDelivery('blackhole', last.seq, []);
        }
      }),
    );
    const items = verifyItemsOf(pools[0]?.sampleLines ?? []);
    const ceiling = await measureVerifyCeiling(items, pair.publicKey, 2000);
    out.push({ stage: 'bare crypto.verify (both cores)', cpuMicrosPerLine: ceiling.cpuMicrosPerLine, wallMicrosPerLine: 1e6 / ceiling.linesPerSec });
    const itemsOf = (decoded[0] ?? []).map((body) => verifyItemsOf(body.toString('utf8').split('\n').filter((l) => l !== '')));
    out.push(
      await timed('native verifier (verifyBatch, 8 batches at once)', lines, async () => {
        for (let i = 0; i < itemsOf.length; i += 8) await Promise.all(itemsOf.slice(i, i + 8).map((it) => native.verifyBatch(it)));
      }),
    );
    return out;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const batches = Number(process.argv[2] ?? 200);
  const batchSize = Number(process.argv[3] ?? 100);
  const prefillIds = Number(process.argv[4] ?? 0);
  const costs = await probePipeline(batches, batchSize, prefillIds);
  for (const c of costs) process.stderr.write(`${c.stage.padEnd(50)} ${c.cpuMicrosPerLine.toFixed(1).padStart(8)} µs CPU/line ${c.wallMicrosPerLine.toFixed(1).padStart(8)} µs wall/line\n`);
  process.stdout.write(`${JSON.stringify({ probe: 'pipeline', batches, batchSize, prefillIds, costs })}\n`);
}

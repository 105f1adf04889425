/**
 * Durability across a process crash, with a real process: every batch the
 * child acknowledged (its commitBatch resolved) is in the store after a
 * SIGKILL, and every batch is all-or-nothing.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { batchOf, tempDir } from './support/batches.js';

const child = fileURLToPath(new URL('./support/commit-child.ts', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PER_BATCH = 20;

async function runAndKill(dataDir: string, acksBeforeKill: number): Promise<Set<number>> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, String(PER_BATCH)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.once('exit', (_code, signal) => resolve(signal)));
  const acked = new Set<number>();
  for await (const line of createInterface({ input: proc.stdout })) {
    const match = /^ack (\d+)$/.exec(line);
    if (match?.[1] !== undefined) acked.add(Number(match[1]));
    if (acked.size >= acksBeforeKill) {
      proc.kill('SIGKILL');
      break;
    }
  }
  expect(await exited).toBe('SIGKILL');
  return acked;
}

describe('crash durability (real process, SIGKILL)', () => {
  it('every acknowledged batch survives kill -9, and no batch is half stored', async () => {
    const { dir, cleanup } = tempDir('crash');
    cleanups.push(cleanup);
    const acked = await runAndKill(dir, 60);

    const store = openStore({ dataDir: dir, sinkNames: ['s'] });
    cleanups.push(() => store.close());
    const present = new Map<number, number>();
    for (const e of store.readPending('s', { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 10_000_000 })) {
      const n = Number(/^b(\d+)-/.exec(e.id)?.[1]);
      present.set(n, (present.get(n) ?? 0) + 1);
    }
    const missing = [...acked].filter((n) => present.get(n) !== PER_BATCH);
    expect(missing).toEqual([]);
    const partial = [...present].filter(([, count]) => count !== PER_BATCH);
    expect(partial).toEqual([]);
    // And the dedup ids survived with them: a Konnect retry of an acknowledged batch is a duplicate.
    const first = [...acked][0] ?? 0;
    const again = await store.commitBatch(batchOf([{ id: `b${first}-0`, json: '{}', status: 'valid' }]));
    expect(again.duplicates).toBe(1);
  });
});

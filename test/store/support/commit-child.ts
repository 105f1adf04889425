/**
 * A child process for the crash test: commits batches as fast as it can,
 * several in flight at once (so group commit merges them), and prints
 * `ack <n>` only after commitBatch(n) resolved. The test kills it with
 * SIGKILL at an arbitrary point. Usage: commit-child.ts DATA_DIR EVENTS_PER_BATCH
 */
import { openStore } from '../../../src/store/index.js';
import { batch, ids } from './batches.js';

const [dataDir, perBatchText] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: commit-child.ts DATA_DIR [EVENTS_PER_BATCH]');
const perBatch = Number(perBatchText ?? '20');
const store = openStore({ dataDir, sinkNames: ['s'] });

let next = 0;
async function worker(): Promise<never> {
  for (;;) {
    const n = next++;
    await store.commitBatch(batch(ids(`b${n}-`, perBatch)));
    process.stdout.write(`ack ${n}\n`);
  }
}

process.stdout.write('ready\n');
await Promise.all([worker(), worker(), worker(), worker()]);

import { afterEach, describe, expect, it } from 'vitest';
import { buildBatches, createTarget, sendBatches, totalsOf, type SendTarget } from '../../src/sender/index.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';

let server: ScriptedServer | undefined;
let target: SendTarget | undefined;
afterEach(async () => {
  target?.close();
  await server?.close();
});

describe('sendBatches', () => {
  it('sends every batch once with N in flight, results in batch order, totals from the answers', async () => {
    server = await startScriptedServer([{ status: 200, body: '{"accepted":2,"duplicates":1,"quarantined":0,"rejected":0}' }]);
    target = createTarget({ url: server.url, authorization: 'Bearer t', maxSockets: 3 });
    const lines = Array.from({ length: 21 }, (_, i) => `line ${i}`);
    const batches = buildBatches({ lines, batchSize: 3 });
    const seen: number[] = [];
    const results = await sendBatches(batches, target, { concurrency: 3, onResult: (r) => seen.push(r.index) });
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(server.received.map((r) => r.text).sort()).toEqual(batches.map((b) => b.lines.map((l) => `${l}\n`).join('')).sort());
    expect(totalsOf(results)).toEqual({ batches: 7, acceptedBatches: 7, failedBatches: 0, lines: 21, tampered: 0, attempts: 7, retries: 0, accepted: 14, duplicates: 7, quarantined: 0, rejected: 0 });
  });

  it('one batch not accepted does not stop the others (Konnect delivers batches independently)', async () => {
    server = await startScriptedServer([{ status: 413 }, { status: 200, body: '{"accepted":1,"duplicates":0,"quarantined":0,"rejected":0}' }]);
    target = createTarget({ url: server.url, authorization: 'Bearer t' });
    const results = await sendBatches(buildBatches({ lines: ['a', 'b', 'c'], batchSize: 1 }), target);
    expect(results.map((r) => r.status)).toEqual([413, 200, 200]);
    expect(totalsOf(results)).toMatchObject({ acceptedBatches: 2, failedBatches: 1, accepted: 2 });
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLineParser } from '../src/lines/parse-line.js';
import { createSilentLogger } from '../src/observability/logger.js';
import { processBatch, type InvalidSignaturePolicy, type PipelineDeps } from '../src/pipeline.js';
import { eventsOfRecords } from '../src/store/record-codec.js';
import type { BatchSummary, IncomingBatch } from '../src/store/types.js';
import { createKeySet, createLineVerifier } from '../src/verify/index.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);
const mixed = readFileSync(fixture('mixed.log'));
const expected = JSON.parse(readFileSync(fixture('mixed.expected.json'), 'utf8')) as {
  totals: { lines: number; valid: number; invalid: number; missing: number; malformed: number; unparseable: number };
};

/** A store that keeps what it was given, and dedups like the real one would not need to here. */
function recordingStore() {
  const batches: IncomingBatch[] = [];
  return {
    batches,
    async commitBatch(batch: IncomingBatch): Promise<BatchSummary> {
      batches.push(batch);
      const quarantined = batch.quarantine.filter((q) => q.kind === 'quarantined').length;
      const rejected = batch.quarantine.length - quarantined;
      return { accepted: eventsOfRecords(batch.records).length, duplicates: batch.duplicates, quarantined, rejected };
    },
  };
}

async function depsFor(policy: InvalidSignaturePolicy, verifying = true) {
  const keySet = createKeySet({ source: new URL(fixture('keys/jwks.json')).pathname, logger: createSilentLogger() });
  await keySet.start();
  const store = recordingStore();
  const deps: PipelineDeps = {
    lineParser: createLineParser({ maxLineBytes: 256 * 1024 }),
    verifier: verifying ? createLineVerifier({ keySet }) : undefined,
    store,
    policy,
    now: () => new Date('2025-06-23T14:28:48.001Z'),
  };
  return { deps, store, keySet };
}

describe('processBatch on the mixed fixture (valid, tampered, missing, malformed, unparseable lines)', () => {
  const { invalid, missing, malformed, unparseable, lines } = expected.totals;
  const failing = invalid + missing + malformed;
  // The fixture repeats one valid line (a Konnect retry): a repeat within the batch is a duplicate at once, never checked twice.
  const nonBlank = mixed.toString('utf8').split('\n').filter((l) => l.trim() !== '');
  const repeats = nonBlank.length - new Set(nonBlank).size;
  const valid = expected.totals.valid - repeats;

  it.each([
    { policy: 'quarantine' as const, accepted: valid, quarantined: failing, dropped: 0 },
    { policy: 'forward' as const, accepted: valid + failing, quarantined: 0, dropped: 0 },
    { policy: 'drop' as const, accepted: valid, quarantined: 0, dropped: failing },
  ])('policy $policy: one bad line never costs its batch', async ({ policy, accepted, quarantined, dropped }) => {
    const { deps, store, keySet } = await depsFor(policy);
    const outcome = await processBatch(mixed, deps);
    keySet.close();
    expect(outcome.lines).toBe(lines);
    expect(repeats).toBe(1);
    expect(outcome.summary).toEqual({ accepted, duplicates: repeats, quarantined, rejected: unparseable });
    expect(outcome.dropped).toBe(dropped);
    expect(outcome.signatures).toEqual({ valid, invalid, missing, malformed, unverified: 0 });
    expect(Object.values(outcome.kids).reduce((a, b) => a + b, 0)).toBe(valid);
    expect(store.batches).toHaveLength(1);
    const batch = store.batches[0] as IncomingBatch;
    const events = eventsOfRecords(batch.records);
    expect(events).toHaveLength(accepted);
    expect(events.every((e) => JSON.parse(e.json).id === e.id)).toBe(true);
    expect(batch.quarantine.filter((q) => q.kind === 'rejected').every((q) => q.raw.length > 0)).toBe(true);
  });

  it('forwarded failures carry their signature status in the event', async () => {
    const { deps, store, keySet } = await depsFor('forward');
    await processBatch(mixed, deps);
    keySet.close();
    const statuses = eventsOfRecords((store.batches[0] as IncomingBatch).records).map((e) => (JSON.parse(e.json) as { signature: { status: string } }).signature.status);
    expect(statuses.filter((s) => s === 'invalid')).toHaveLength(invalid);
    expect(statuses.filter((s) => s === 'malformed')).toHaveLength(malformed);
  });

  it('without a verifier every parsed signed line is unverified and forwarded', async () => {
    const { deps, keySet } = await depsFor('quarantine', false);
    const outcome = await processBatch(mixed, deps);
    keySet.close();
    expect(outcome.signatures.unverified).toBe(valid + invalid);
    expect(outcome.summary.rejected).toBe(unparseable);
  });

  it('counts a line that is not UTF-8 as rejected without failing the batch', async () => {
    const { deps, keySet } = await depsFor('quarantine');
    const body = Buffer.concat([readFileSync(fixture('cef-valid.log')), Buffer.from([0xc3, 0x28, 0x0a])]);
    const outcome = await processBatch(body, deps);
    keySet.close();
    expect(outcome.errors.KAR_ERR_LINE_NOT_UTF8).toBe(1);
    expect(outcome.summary.rejected).toBe(1);
    expect(outcome.summary.accepted).toBeGreaterThan(0);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLineParser } from '../src/lines/parse-line.js';
import { createSilentLogger } from '../src/observability/logger.js';
import { MAX_FAILED_IDS, processBatch, type InvalidSignaturePolicy, type PipelineDeps } from '../src/pipeline.js';
import { eventDedupKey, eventTimeMs } from '../src/store/dedup-key.js';
import { eventsOfRecords, MAX_RECORD_LINES, recordLineCount } from '../src/store/record-codec.js';
import { DEDUP_KEY_BYTES, type BatchSummary, type IncomingBatch } from '../src/store/types.js';
import { loadTestKey, makeSignedKonnectLines } from '../src/testing/index.js';
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

describe('processBatch: memory per batch and the record it hands the store', () => {
  const primary = loadTestKey('primary');

  async function run(body: Buffer, policy: InvalidSignaturePolicy = 'quarantine') {
    const { deps, store, keySet } = await depsFor(policy);
    let checks = 0;
    const verifier = deps.verifier;
    const counting: PipelineDeps = {
      ...deps,
      verifier: verifier === undefined ? undefined : { verify: (items) => ((checks += items.length), verifier.verify(items)) },
    };
    const outcome = await processBatch(body, counting);
    await keySet.close();
    return { outcome, store, checks: () => checks };
  }

  it('a batch larger than one record becomes records of at most MAX_RECORD_LINES lines, every line in order', async () => {
    const lines = makeSignedKonnectLines({ format: 'cef', count: 2 * MAX_RECORD_LINES + 17, seed: 21, key: primary.privateKey });
    const { outcome, store } = await run(Buffer.from(`${lines.join('\n')}\n`));
    expect(outcome.summary).toEqual({ accepted: lines.length, duplicates: 0, quarantined: 0, rejected: 0 });
    const records = (store.batches[0] as IncomingBatch).records;
    expect(records.map((r) => recordLineCount(r.payload))).toEqual([MAX_RECORD_LINES, MAX_RECORD_LINES, 17]);
    expect(records.every((r) => r.keys.length === recordLineCount(r.payload) * DEDUP_KEY_BYTES)).toBe(true);
    expect(eventsOfRecords(records).map((e) => e.event?.raw)).toEqual(lines);
  });

  it.each([
    { quirk: 'an exact repeat is a duplicate at once, checked once', repeatOf: (line: string) => line, duplicates: 4, quarantined: 0, checks: 1 },
    { quirk: 'a forged line reusing the sig is checked on its own and quarantined', repeatOf: (line: string) => line.replace('rt=', 'rt=9'), duplicates: 0, quarantined: 4, checks: 5 },
  ])('$quirk', async ({ repeatOf, duplicates, quarantined, checks }) => {
    const [line] = makeSignedKonnectLines({ format: 'cef', count: 1, seed: 22, key: primary.privateKey }) as [string];
    const body = Buffer.from(`${[line, ...Array.from({ length: 4 }, () => repeatOf(line))].join('\n')}\n`);
    const { outcome, checks: count } = await run(body);
    expect(outcome.summary).toEqual({ accepted: 1, duplicates, quarantined, rejected: 0 });
    expect(count()).toBe(checks);
  });

  it('keeps at most MAX_FAILED_IDS failed ids for the log, however many lines fail', async () => {
    const forged = makeSignedKonnectLines({ format: 'cef', count: MAX_FAILED_IDS + 30, seed: 23, key: primary.privateKey }).map((l) => l.replace('rt=', 'rt=1'));
    const { outcome } = await run(Buffer.from(`${forged.join('\n')}\n`));
    expect(outcome.summary.quarantined).toBe(forged.length);
    expect(outcome.failedIds).toHaveLength(MAX_FAILED_IDS);
  });

  it.each([
    { quirk: 'CEF with rt, prefix timestamps (ISO, RFC 3164) and JSON with event_ts', file: 'kong-doc-examples.log' },
    { quirk: 'the mixed fixture', file: 'mixed.log' },
  ])('keys every line as the quarantine release does from its JSON: $quirk', async ({ file }) => {
    const { store } = await run(readFileSync(fixture(file)), 'forward');
    const records = (store.batches[0] as IncomingBatch).records;
    const intake = Buffer.concat(records.map((r) => r.keys));
    const released = Buffer.concat(
      eventsOfRecords(records).map((e) => eventDedupKey(e.id, e.event?.signature.status ?? 'unverified', eventTimeMs({ id: e.id, json: e.json, status: 'valid' }))),
    );
    expect(intake.length).toBeGreaterThan(0);
    expect(intake.equals(released)).toBe(true);
  });
});

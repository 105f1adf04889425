import { afterEach, describe, expect, it } from 'vitest';
import { eventDedupKey, eventTimeMs } from '../../src/store/dedup-key.js';
import { openStore } from '../../src/store/index.js';
import type { EventToStore } from '../../src/store/types.js';
import { batchOf, eventJson, tempDir } from './support/batches.js';

const T = Date.parse('2025-06-23T14:28:47.556Z');
const ID = 'mjhz_f7gJ6L-XpM3bgVTXd6sPkkAu0q_T-OKAoHd6U3QvpvLcCmIkcLUC_8JRs9I3EpTSkE-QAy92OJLpHdXCQ';

describe('eventDedupKey', () => {
  it('is the same for the same line (id, status and time)', () => {
    expect(eventDedupKey(ID, 'valid', T).equals(eventDedupKey(ID, 'valid', T))).toBe(true);
  });

  it.each([
    ['another status (a forged copy of a real sig)', eventDedupKey(ID, 'invalid', T)],
    ['another id', eventDedupKey(`${ID.slice(0, -1)}A`, 'valid', T)],
    ['another time', eventDedupKey(ID, 'valid', T + 1)],
  ])('differs for %s', (_quirk, other) => {
    expect(eventDedupKey(ID, 'valid', T).equals(other)).toBe(false);
  });

  it('sorts by event time first, so the index grows at its end (time-ordered arrivals)', () => {
    const keys = [T + 5, T, T + 1000, T + 1].map((t, i) => eventDedupKey(`${ID}${i}`, 'valid', t));
    const sorted = [...keys].sort(Buffer.compare);
    expect(sorted.map((k) => k.readUIntBE(0, 6))).toEqual([T, T + 1, T + 5, T + 1000]);
  });

  it.each([
    ['no time', 0],
    ['negative', -5],
    ['not a number', Number.NaN],
    ['not an integer', 1.5],
    ['beyond 48 bits', 2 ** 48],
  ])('puts time 0 for %s', (_quirk, timeMs) => {
    const key = eventDedupKey(ID, 'valid', timeMs);
    expect(key.length).toBe(16);
    expect(key.readUIntBE(0, 6)).toBe(0);
  });
});

describe('eventTimeMs', () => {
  it.each([
    ['given by the pipeline', { id: 'a', status: 'valid', json: eventJson('a', { time: '2030-01-01T00:00:00.000Z' }), timeMs: T }, T],
    ['given as 0 (the line has none)', { id: 'a', status: 'valid', json: eventJson('a', { time: '2030-01-01T00:00:00.000Z' }), timeMs: 0 }, 0],
    ['read from the JSON (released from the quarantine)', { id: 'a', status: 'valid', json: eventJson('a', { time: '2025-06-23T14:28:47.556Z' }) }, T],
    ['JSON without a time', { id: 'a', status: 'valid', json: eventJson('a') }, 0],
    ['JSON with a time that does not parse', { id: 'a', status: 'valid', json: eventJson('a', { time: 'yesterday' }) }, 0],
    ['not JSON', { id: 'a', status: 'valid', json: '{' }, 0],
  ] satisfies [string, EventToStore, number][])('%s', (_quirk, event, expected) => {
    expect(eventTimeMs(event)).toBe(expected);
  });
});

describe('the intake and the quarantine release key a line the same way', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a line stored by the pipeline (timeMs given) is a duplicate when released again (time read from its JSON)', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = openStore({ dataDir: dir, sinkNames: ['s'] });
    cleanups.push(() => store.close());
    const json = eventJson(ID, { time: '2025-06-23T14:28:47.556Z' });
    await store.commitBatch(batchOf([{ id: ID, json, status: 'valid', timeMs: T }]));
    await store.commitBatch(batchOf([], { quarantine: [{ id: ID, kind: 'quarantined', code: 'KAR_ERR_SIG_INVALID', reason: 'signature invalid', raw: 'the line' }] }));
    const [entry] = store.listQuarantine({ limit: 1 });
    expect(store.releaseQuarantine([{ qid: entry?.qid ?? 0, event: { id: ID, json, status: 'valid' } }])).toEqual({ accepted: 0, duplicates: 1 });
  });
});

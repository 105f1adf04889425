import { afterEach, describe, expect, it } from 'vitest';
import { openStore, recordEndPosition, type SqliteStore, type StoreOptions } from '../../src/store/index.js';
import { batch, eventJson, ids, manualClock, recordBytes, tempDir } from './support/batches.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dataDir(): string {
  const { dir, cleanup } = tempDir('progress');
  cleanups.push(cleanup);
  return dir;
}

function open(dir: string, sinkNames: readonly string[] | undefined, more: Partial<StoreOptions> = {}): SqliteStore {
  const store = openStore({ dataDir: dir, ...(sinkNames === undefined ? {} : { sinkNames }), ...more });
  cleanups.push(() => store.close());
  return store;
}

const all = { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 1_000_000 };
const pendingIds = (store: SqliteStore, sink: string): string[] => store.readPending(sink, all).map((e) => e.id);

function deliverAll(store: SqliteStore, sink: string): void {
  const last = store.readPending(sink, all).at(-1);
  if (last !== undefined) store.completeDelivery(sink, last.seq, []);
}

describe('per-sink cursors', () => {
  it('keeps an event until every sink delivered it', async () => {
    const store = open(dataDir(), ['splunk', 'file']);
    await store.commitBatch(batch(['a', 'b', 'c']));
    deliverAll(store, 'file');
    expect(pendingIds(store, 'file')).toEqual([]);
    expect(pendingIds(store, 'splunk')).toEqual(['a', 'b', 'c']);
    expect(store.depth()).toBe(3);
    const [a] = store.readPending('splunk', { maxBytes: 1, maxEvents: 10 });
    store.completeDelivery('splunk', a?.seq ?? 0, []);
    // A batch's record leaves the queue whole, once every sink is past its last event.
    expect(pendingIds(store, 'splunk')).toEqual(['b', 'c']);
    expect(store.depth()).toBe(3);
    expect(store.stats().pendingBytes).toBe(recordBytes(['a', 'b', 'c']));
    deliverAll(store, 'splunk');
    expect(store.depth()).toBe(0);
    expect(store.stats().pendingBytes).toBe(0);
  });

  it.each([
    { quirk: 'bytes: one event over the budget still comes alone', limits: { maxBytes: 1, maxEvents: 100 }, expected: ['a'] },
    { quirk: 'bytes: two events fit', limits: { maxBytes: 2 * Buffer.byteLength(eventJson('a')), maxEvents: 100 }, expected: ['a', 'b'] },
    { quirk: 'count limit', limits: { maxBytes: 1e9, maxEvents: 3 }, expected: ['a', 'b', 'c'] },
  ])('reads pending events in order within limits ($quirk)', async ({ limits, expected }) => {
    const store = open(dataDir(), ['s']);
    await store.commitBatch(batch(['a', 'b', 'c', 'd']));
    expect(store.readPending('s', limits).map((e) => e.id)).toEqual(expected);
  });

  it('resumes from the cursor after reopening', async () => {
    const dir = dataDir();
    const first = open(dir, ['s']);
    await first.commitBatch(batch(['a', 'b', 'c']));
    const [a] = first.readPending('s', { maxBytes: 1, maxEvents: 1 });
    first.completeDelivery('s', a?.seq ?? 0, []);
    await first.close();
    expect(pendingIds(open(dir, ['s']), 's')).toEqual(['b', 'c']);
  });

  it('never moves a cursor backwards', async () => {
    const store = open(dataDir(), ['s']);
    await store.commitBatch(batch(['a', 'b']));
    const [a, b] = store.readPending('s', all);
    store.completeDelivery('s', b?.seq ?? 0, []);
    store.completeDelivery('s', a?.seq ?? 0, []);
    expect(pendingIds(store, 's')).toEqual([]);
  });

  it('stores the dead letters of a step and moves past them', async () => {
    const store = open(dataDir(), ['s']);
    await store.commitBatch(batch(['a', 'b']));
    const [a, b] = store.readPending('s', all);
    store.completeDelivery('s', b?.seq ?? 0, [{ seq: a?.seq ?? 0, id: 'a', json: a?.json ?? '', code: 'KAR_ERR_SINK_REJECTED', reason: 'bad event' }]);
    expect(store.depth()).toBe(0);
    expect(store.listDeadLetters({ limit: 10 })).toMatchObject([{ sink: 's', id: 'a', json: eventJson('a'), code: 'KAR_ERR_SINK_REJECTED', reason: 'bad event' }]);
  });

  it('sequence numbers are not reused after the queue empties (cursors stay meaningful)', async () => {
    const dir = dataDir();
    const store = open(dir, ['s']);
    await store.commitBatch(batch(['a']));
    deliverAll(store, 's');
    await store.close();
    const again = open(dir, ['s']);
    await again.commitBatch(batch(['b']));
    expect(pendingIds(again, 's')).toEqual(['b']);
  });
});

describe('sinks appearing and disappearing', () => {
  it('a sink added later starts with the events committed from then on', async () => {
    const dir = dataDir();
    const first = open(dir, ['splunk']);
    await first.commitBatch(batch(['old']));
    await first.close();
    const second = open(dir, ['splunk', 'file']);
    await second.commitBatch(batch(['new']));
    expect(pendingIds(second, 'file')).toEqual(['new']);
    expect(pendingIds(second, 'splunk')).toEqual(['old', 'new']);
  });

  it('a sink removed from the configuration no longer holds events back', async () => {
    const dir = dataDir();
    const first = open(dir, ['splunk', 'file']);
    await first.commitBatch(batch(['a', 'b']));
    deliverAll(first, 'file');
    await first.close();
    const second = open(dir, ['file']);
    expect(second.depth()).toBe(0);
    expect(second.sinks()).toEqual([
      { name: 'file', cursor: expect.any(Number), active: true },
      { name: 'splunk', cursor: recordEndPosition(0), active: false },
    ]);
  });

  it('renaming the only sink hands the stored queue over (nothing lost)', async () => {
    const dir = dataDir();
    const first = open(dir, ['splunk']);
    await first.commitBatch(batch(['a', 'b']));
    await first.close();
    expect(pendingIds(open(dir, ['splunk-prod']), 'splunk-prod')).toEqual(['a', 'b']);
  });

  it('a sink that comes back resumes from its old cursor', async () => {
    const dir = dataDir();
    const first = open(dir, ['splunk', 'file']);
    await first.commitBatch(batch(['a', 'b']));
    await first.close();
    await open(dir, ['file']).close();
    expect(pendingIds(open(dir, ['splunk', 'file']), 'splunk')).toEqual(['a', 'b']);
  });

  it('opening without sinkNames (the CLI) leaves the registration alone', async () => {
    const dir = dataDir();
    const serve = open(dir, ['splunk']);
    await serve.commitBatch(batch(['a']));
    const cli = open(dir, undefined);
    expect(cli.sinks()).toEqual([{ name: 'splunk', cursor: recordEndPosition(0), active: true }]);
    expect(cli.depth()).toBe(1);
  });

  it('with no sink at all, nothing is removed', async () => {
    const store = open(dataDir(), []);
    await store.commitBatch(batch(['a']));
    expect(store.prune().events).toBe(0);
    expect(store.depth()).toBe(1);
  });
});

describe('pruning and stats', () => {
  it('reports depth, bytes and the age of the oldest undelivered event', async () => {
    const clock = manualClock();
    const store = open(dataDir(), ['s'], { now: clock.now });
    expect(store.stats()).toMatchObject({ pendingEvents: 0, oldestPendingAgeSeconds: 0 });
    await store.commitBatch(batch(ids('e', 4)));
    clock.advance(90_000);
    expect(store.stats()).toMatchObject({ pendingEvents: 4, pendingBytes: recordBytes(ids('e', 4)), oldestPendingAgeSeconds: 90 });
  });

  it('prune() removes expired dedup ids to the end, not only one chunk', async () => {
    const clock = manualClock();
    const store = open(dataDir(), ['s'], { now: clock.now, dedupWindowMs: 10 });
    await store.commitBatch(batch(ids('e', 12_000)));
    clock.advance(100);
    expect(store.prune().dedupIds).toBe(12_000);
    expect(store.stats().dedupIds).toBe(0);
  });
});

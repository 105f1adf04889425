import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type SqliteStore } from '../../src/store/index.js';
import { batch, event, eventJson, quarantined, tempDir } from './support/batches.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function open(dir: string, sinkNames?: readonly string[]): SqliteStore {
  const store = openStore({ dataDir: dir, ...(sinkNames === undefined ? {} : { sinkNames }) });
  cleanups.push(() => store.close());
  return store;
}

function dataDir(): string {
  const { dir, cleanup } = tempDir('records');
  cleanups.push(cleanup);
  return dir;
}

const all = { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 1_000_000 };

describe('quarantine', () => {
  it('lists entries in pages with what was kept', async () => {
    const store = open(dataDir(), ['s']);
    await store.commitBatch(batch([], { quarantine: [quarantined('one'), quarantined('two', 'rejected'), quarantined('three')] }));
    const first = store.listQuarantine({ limit: 2 });
    expect(first).toMatchObject([
      { id: 'sig-of-one', kind: 'quarantined', code: 'KAR_ERR_SIG_INVALID', raw: 'one', receivedAt: '2025-06-23T14:28:48.001Z' },
      { id: 'hash-of-two', kind: 'rejected', code: 'KAR_ERR_LINE_UNRECOGNIZED', raw: 'two' },
    ]);
    expect(store.listQuarantine({ after: first.at(-1)?.qid ?? 0, limit: 10 }).map((e) => e.raw)).toEqual(['three']);
  });

  it('releases re-verified lines into the delivery queue, deduplicated', async () => {
    const store = open(dataDir(), ['s']);
    await store.commitBatch(batch(['arrived-again'], { quarantine: [quarantined('x'), quarantined('y'), quarantined('z')] }));
    const [x, y] = store.listQuarantine({ limit: 10 });
    const result = store.releaseQuarantine([
      { qid: x?.qid ?? 0, event: event('now-valid') },
      { qid: y?.qid ?? 0, event: event('arrived-again') },
    ]);
    expect(result).toEqual({ accepted: 1, duplicates: 1 });
    expect(store.listQuarantine({ limit: 10 }).map((e) => e.raw)).toEqual(['z']);
    expect(store.readPending('s', all).map((e) => e.id)).toEqual(['arrived-again', 'now-valid']);
  });
});

describe('dead letters', () => {
  async function withDeadLetters(dir: string): Promise<SqliteStore> {
    const store = open(dir, ['splunk', 'file']);
    await store.commitBatch(batch(['a', 'b']));
    for (const sink of ['splunk', 'file']) {
      const pending = store.readPending(sink, all);
      const dead = sink === 'splunk' ? pending : pending.slice(0, 1);
      store.completeDelivery(sink, pending.at(-1)?.seq ?? 0, dead.map((e) => ({ seq: e.seq, id: e.id, json: e.json, code: 'KAR_ERR_SINK_REJECTED' as const, reason: `${sink} said no` })));
    }
    return store;
  }

  it('lists by sink', async () => {
    const store = await withDeadLetters(dataDir());
    expect(store.listDeadLetters({ limit: 10 }).map((d) => `${d.sink}:${d.id}`)).toEqual(['splunk:a', 'splunk:b', 'file:a']);
    expect(store.listDeadLetters({ limit: 10, sink: 'file' })).toMatchObject([{ sink: 'file', id: 'a', json: eventJson('a'), reason: 'file said no' }]);
  });

  it('re-queues each dead letter for its own sink only', async () => {
    const store = await withDeadLetters(dataDir());
    expect(store.depth()).toBe(0);
    expect(store.requeueDeadLetters({ sink: 'splunk' })).toEqual({ requeued: 2, inactiveSinks: [] });
    expect(store.readPending('splunk', all).map((e) => e.id)).toEqual(['a', 'b']);
    expect(store.readPending('file', all)).toEqual([]);
    expect(store.listDeadLetters({ limit: 10 }).map((d) => d.sink)).toEqual(['file']);
    // Once splunk delivered them they are gone: file never held them back.
    const last = store.readPending('splunk', all).at(-1);
    store.completeDelivery('splunk', last?.seq ?? 0, []);
    expect(store.depth()).toBe(0);
  });

  it('honours the limit and leaves dead letters of sinks no longer configured', async () => {
    const dir = dataDir();
    await (await withDeadLetters(dir)).close();
    const store = open(dir, ['file']);
    expect(store.requeueDeadLetters({ limit: 5 })).toEqual({ requeued: 1, inactiveSinks: ['splunk'] });
    expect(store.listDeadLetters({ limit: 10 }).map((d) => d.sink)).toEqual(['splunk', 'splunk']);
  });

  it('a CLI process re-queues while the serving store reads the result', async () => {
    const dir = dataDir();
    const serve = await withDeadLetters(dir);
    const cli = open(dir);
    expect(cli.requeueDeadLetters({ sink: 'file' }).requeued).toBe(1);
    expect(serve.readPending('file', all).map((e) => e.id)).toEqual(['a']);
    expect(serve.depth()).toBe(1);
  });
});

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isKarError, type KarError } from '../../src/errors/index.js';
import { openStore, STORE_FILE_NAME, type SqliteStore, type StoreOptions } from '../../src/store/index.js';
import { batch, batchOf, event, recordBytes, eventJson, ids, manualClock, quarantined, tempDir } from './support/batches.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(options: Partial<StoreOptions> = {}): { dir: string; open: (more?: Partial<StoreOptions>) => SqliteStore } {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const open = (more: Partial<StoreOptions> = {}): SqliteStore => {
    const store = openStore({ dataDir: dir, sinkNames: ['s'], ...options, ...more });
    cleanups.push(() => store.close());
    return store;
  };
  return { dir, open };
}

function pendingIds(store: SqliteStore, sink = 's'): string[] {
  return store.readPending(sink, { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 1_000_000 }).map((e) => e.id);
}

async function rejection(promise: Promise<unknown>): Promise<KarError> {
  try {
    await promise;
  } catch (error) {
    if (isKarError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('commitBatch', () => {
  it('stores the events in order and answers the summary', async () => {
    const store = setup().open();
    const summary = await store.commitBatch(batch(['a', 'b', 'c'], { quarantine: [quarantined('bad sig'), quarantined('not a line', 'rejected')], dropped: 2 }));
    expect(summary).toEqual({ accepted: 3, duplicates: 0, quarantined: 1, rejected: 1 });
    expect(pendingIds(store)).toEqual(['a', 'b', 'c']);
    expect(store.depth()).toBe(3);
    const pending = store.readPending('s', { maxBytes: 1e9, maxEvents: 10 });
    expect(pending[0]?.json).toBe(eventJson('a'));
    expect(pending.map((e) => e.seq)).toEqual([...pending.map((e) => e.seq)].sort((x, y) => x - y));
  });

  it.each([
    { quirk: 'one event', size: 1 },
    { quirk: 'exactly one multi-row INSERT (100)', size: 100 },
    { quirk: 'one past a statement (101)', size: 101 },
    { quirk: 'several statements and a remainder (250)', size: 250 },
  ])('stores a batch of $quirk in order, with sequence numbers in that order', async ({ size }) => {
    const store = setup().open();
    await store.commitBatch(batch(['e3', 'e7']));
    const wanted = ids('e', size);
    const summary = await store.commitBatch(batch(wanted));
    expect(summary).toMatchObject({ accepted: size - wanted.filter((id) => id === 'e3' || id === 'e7').length, duplicates: wanted.filter((id) => id === 'e3' || id === 'e7').length });
    const pending = store.readPending('s', { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 1_000 });
    expect(pending.map((e) => e.id)).toEqual(['e3', 'e7', ...wanted.filter((id) => id !== 'e3' && id !== 'e7')]);
    expect(pending.every((e, i) => i === 0 || e.seq > (pending[i - 1]?.seq ?? 0))).toBe(true);
    expect(pending.find((e) => e.id === 'e42')?.json ?? eventJson('e42')).toBe(eventJson('e42'));
    // The store counts the bytes of its records (each batch's, duplicates included), not of the JSON it reads back.
    expect(store.stats().pendingBytes).toBe(recordBytes(['e3', 'e7']) + recordBytes(wanted));
  });

  it.each([
    { quirk: 'a Konnect retry of the same batch', first: ['a', 'b'], second: ['a', 'b'], accepted: 0, duplicates: 2 },
    { quirk: 'a replay overlapping the previous batch', first: ['a', 'b'], second: ['b', 'c'], accepted: 1, duplicates: 1 },
    { quirk: 'the same line twice inside one batch', first: [], second: ['x', 'x', 'y'], accepted: 2, duplicates: 1 },
  ])('dedups $quirk', async ({ first, second, accepted, duplicates }) => {
    const store = setup().open();
    await store.commitBatch(batch(first));
    const summary = await store.commitBatch(batch(second));
    expect(summary).toMatchObject({ accepted, duplicates });
    expect(new Set(pendingIds(store)).size).toBe(pendingIds(store).length);
  });

  it('keeps counting duplicates after close and reopen of the same data dir', async () => {
    const { open } = setup();
    const first = open();
    await first.commitBatch(batch(['a', 'b']));
    await first.close();
    const second = open();
    expect(await second.commitBatch(batch(['a', 'b', 'c']))).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(pendingIds(second)).toEqual(['a', 'b', 'c']);
  });

  it('forgets ids once the dedup window has passed (injected clock)', async () => {
    const clock = manualClock();
    const store = setup({ now: clock.now, dedupWindowMs: 1000 }).open();
    await store.commitBatch(batch(['a']));
    clock.advance(999);
    expect(await store.commitBatch(batch(['a']))).toMatchObject({ accepted: 0, duplicates: 1 });
    clock.advance(2);
    expect(await store.commitBatch(batch(['a']))).toMatchObject({ accepted: 1, duplicates: 0 });
    // Pruned or re-claimed, an expired id is held once.
    expect(store.stats().dedupIds).toBeLessThanOrEqual(1);
  });

  it('prunes expired ids as part of commits', async () => {
    const clock = manualClock();
    const store = setup({ now: clock.now, dedupWindowMs: 1000 }).open();
    await store.commitBatch(batch(ids('old', 50)));
    clock.advance(5000);
    await store.commitBatch(batch(['new']));
    expect(store.stats().dedupIds).toBe(1);
  });

  it('evicts the oldest ids beyond maxDedupIds', async () => {
    const store = setup({ maxDedupIds: 10 }).open();
    await store.commitBatch(batch(ids('e', 15)));
    expect(store.stats().dedupIds).toBe(10);
    // e0..e4 were evicted (a redelivery of them is no longer caught), e5..e14 are still known.
    expect(await store.commitBatch(batch(['e0']))).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await store.commitBatch(batch(['e14']))).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it.each([
    { quirk: 'a valid event after a forwarded forgery reusing its sig', first: 'invalid', second: 'valid', accepted: 1 },
    { quirk: 'a forwarded forgery after the valid event', first: 'valid', second: 'invalid', accepted: 1 },
    { quirk: 'a replayed forgery', first: 'invalid', second: 'invalid', accepted: 0 },
  ] as const)('keys dedup by status: $quirk', async ({ first, second, accepted }) => {
    const store = setup().open();
    await store.commitBatch(batchOf([event('same-sig', first)]));
    expect(await store.commitBatch(batchOf([event('same-sig', second)]))).toMatchObject({ accepted });
  });

  it('counts a quarantined line seen again (same bytes) as a duplicate', async () => {
    const store = setup().open();
    await store.commitBatch(batch([], { quarantine: [quarantined('forged'), quarantined('garbage', 'rejected')] }));
    const again = await store.commitBatch(batch([], { quarantine: [quarantined('forged'), quarantined('garbage', 'rejected'), quarantined('forged 2')] }));
    expect(again).toEqual({ accepted: 0, duplicates: 2, quarantined: 1, rejected: 0 });
    expect(store.stats().quarantineRecords).toBe(3);
  });
});

describe('a full store', () => {
  // Room for a batch of two events and one of one: the third batch of the group fits, the second does not.
  const roomFor3 = recordBytes(['a0', 'a1']) + recordBytes(['c0']);

  it('throws STORE_FULL and commits nothing of the batch', async () => {
    const store = setup({ maxBytes: roomFor3 }).open();
    await store.commitBatch(batch(['a0', 'a1']));
    const error = await rejection(store.commitBatch(batch(['b0', 'b1'], { quarantine: [quarantined('q')] })));
    expect(error.code).toBe('KAR_ERR_STORE_FULL');
    expect(pendingIds(store)).toEqual(['a0', 'a1']);
    expect(store.stats().quarantineRecords).toBe(0);
    expect(store.health().ok).toBe(true);
    // Nothing of the refused batch was remembered: once the sink drained the
    // queue, Konnect's retry is stored in full, not counted as duplicates.
    const last = store.readPending('s', { maxBytes: 1e9, maxEvents: 10 }).at(-1);
    store.completeDelivery('s', last?.seq ?? 0, []);
    expect(await store.commitBatch(batch(['b0', 'b1'], { quarantine: [quarantined('q')] }))).toEqual({ accepted: 2, duplicates: 0, quarantined: 1, rejected: 0 });
  });

  it('still answers a batch of duplicates only, and health reports full while staying ready (429 beats a balancer 503)', async () => {
    const store = setup({ maxBytes: recordBytes(['a0', 'a1']) }).open();
    await store.commitBatch(batch(['a0', 'a1']));
    expect(store.health()).toMatchObject({ ok: true, reason: expect.stringContaining('KAR_ERR_STORE_FULL') });
    expect(await store.commitBatch(batch(['a0', 'a1']))).toMatchObject({ accepted: 0, duplicates: 2 });
  });

  it('fails only the batch that overflows when several are merged in one transaction', async () => {
    const store = setup({ maxBytes: roomFor3 }).open();
    const results = await Promise.allSettled([store.commitBatch(batch(['a0', 'a1'])), store.commitBatch(batch(['b0', 'b1'])), store.commitBatch(batch(['c0']))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(pendingIds(store)).toEqual(['a0', 'a1', 'c0']);
  });
});

describe('group commit', () => {
  it('merges concurrent commitBatch calls into fewer transactions, all durable after reopen', async () => {
    const { open } = setup();
    const store = open();
    const calls = Array.from({ length: 40 }, (_, i) => store.commitBatch(batch(ids(`r${i}-`, 5))));
    const summaries = await Promise.all(calls);
    expect(summaries.every((s) => s.accepted === 5)).toBe(true);
    const stats = store.stats();
    expect(stats.committedBatches).toBe(40);
    expect(stats.commitTransactions).toBeLessThan(40);
    await store.close();
    const reopened = open();
    expect(pendingIds(reopened)).toHaveLength(200);
    expect(new Set(pendingIds(reopened)).size).toBe(200);
  });

  it('rejects commits after close with STORE_UNAVAILABLE', async () => {
    const store = setup().open();
    await store.close();
    expect((await rejection(store.commitBatch(batch(['a'])))).code).toBe('KAR_ERR_STORE_UNAVAILABLE');
    expect(store.health().ok).toBe(false);
  });

  it('commits what was queued when close is called before the flush ran', async () => {
    const { open } = setup();
    const store = open();
    const pending = store.commitBatch(batch(['late']));
    await store.close();
    expect(await pending).toMatchObject({ accepted: 1 });
    expect(pendingIds(open())).toEqual(['late']);
  });
});

describe('storage failures', () => {
  it('answers STORE_UNAVAILABLE (500) while another process holds the write lock past busy_timeout, and recovers', async () => {
    const { dir, open } = setup({ busyTimeoutMs: 20 });
    const store = open();
    const other = new Database(join(dir, STORE_FILE_NAME));
    cleanups.push(() => {
      other.close();
    });
    other.exec('BEGIN IMMEDIATE');
    const error = await rejection(store.commitBatch(batch(['a'])));
    expect(error.code).toBe('KAR_ERR_STORE_UNAVAILABLE');
    expect(error.details).toMatchObject({ sqlite: 'SQLITE_BUSY' });
    expect(store.health()).toMatchObject({ ok: false });
    other.exec('ROLLBACK');
    expect(await store.commitBatch(batch(['a']))).toMatchObject({ accepted: 1 });
    expect(store.health()).toEqual({ ok: true });
  });
});

describe('opening', () => {
  it('refuses to create a store when create is false (the CLI)', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    expect(() => openStore({ dataDir: `${dir}/nothing-here`, create: false })).toThrow(expect.objectContaining({ code: 'KAR_ERR_IO_READ' }));
  });

  it.each([
    { quirk: 'zero maxBytes', options: { maxBytes: 0 } },
    { quirk: 'negative window', options: { dedupWindowMs: -1 } },
    { quirk: 'NaN bound', options: { maxDedupIds: Number.NaN } },
  ])('rejects $quirk as invalid configuration', ({ options }) => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    expect(() => openStore({ dataDir: dir, ...options })).toThrow(expect.objectContaining({ code: 'KAR_ERR_CONFIG_INVALID' }));
  });
});

/**
 * The recent-events cache (src/store/recent.ts): unit tests of the run it
 * keeps, then the property that matters against real SQLite files: a store
 * that answers from memory gives every sink exactly what the query alone
 * gives, while a second process (the CLI) writes to the same file.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isKarError } from '../../src/errors/index.js';
import { openStore, type BatchSummary, type PendingEvent, type SqliteStore } from '../../src/store/index.js';
import { createRecentEvents, type RecentEventsOptions } from '../../src/store/recent.js';
import { batch, event, eventJson, manualClock, quarantined, tempDir } from './support/batches.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// ── Unit: createRecentEvents ───────────────────────────────────────────────

const ev = (seq: number, bytes = 10): PendingEvent => ({ seq, id: `e${seq}`, json: `{"seq":${seq}}`, bytes, storedAtMs: 1000 + seq });
const span = (from: number, to: number, bytes = 10): PendingEvent[] => Array.from({ length: to - from + 1 }, (_, i) => ev(from + i, bytes));
const seqsOf = (events: readonly PendingEvent[] | undefined): number[] | undefined => events?.map((e) => e.seq);
const unlimited = { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: Number.MAX_SAFE_INTEGER };

function filled(adds: readonly (readonly PendingEvent[])[], options?: RecentEventsOptions): ReturnType<typeof createRecentEvents> {
  const recent = createRecentEvents(options);
  for (const added of adds) recent.add(added);
  return recent;
}

describe('createRecentEvents', () => {
  it.each([
    { quirk: 'two consecutive commits join one run', adds: [span(5, 6), span(7, 9)], held: [5, 6, 7, 8, 9] },
    { quirk: 'a gap (another path took seq 8) restarts the run at the next commit', adds: [span(5, 7), span(9, 10)], held: [9, 10] },
    { quirk: 'a commit that does not follow the run (lower seqs) restarts it', adds: [span(5, 6), span(3, 4)], held: [3, 4] },
    { quirk: 'an empty commit changes nothing', adds: [span(5, 6), [], span(7, 7)], held: [5, 6, 7] },
    { quirk: 'the first commit may start at any seq', adds: [span(42, 43)], held: [42, 43] },
  ])('keeps one run of consecutive seqs: $quirk', ({ adds, held }) => {
    const recent = filled(adds);
    const first = held[0] ?? 0;
    expect(recent.size()).toBe(held.length);
    expect(seqsOf(recent.after(first - 1, unlimited))).toEqual(held);
    // One before the run's first event: the reader may be missing an event the run does not hold.
    expect(recent.after(first - 2, unlimited)).toBeUndefined();
  });

  it.each([
    { quirk: 'an empty cache', adds: [], cursor: 0, expected: undefined },
    { quirk: 'far before the run', adds: [span(5, 8)], cursor: 0, expected: undefined },
    { quirk: 'one event missing before the run (cursor 3, run starts at 5)', adds: [span(5, 8)], cursor: 3, expected: undefined },
    { quirk: 'just before the first event', adds: [span(5, 8)], cursor: 4, expected: [5, 6, 7, 8] },
    { quirk: 'inside the run', adds: [span(5, 8)], cursor: 5, expected: [6, 7, 8] },
    { quirk: 'before the last event', adds: [span(5, 8)], cursor: 7, expected: [8] },
    { quirk: 'at the end of the run (the query must look for newer events)', adds: [span(5, 8)], cursor: 8, expected: undefined },
    { quirk: 'past the end of the run', adds: [span(5, 8)], cursor: 12, expected: undefined },
  ])('after() answers from the right position: $quirk', ({ adds, cursor, expected }) => {
    expect(seqsOf(filled(adds).after(cursor, unlimited))).toEqual(expected);
  });

  // seqs 5..8 weigh 10, 20, 30, 40 bytes.
  const weighted = (): PendingEvent[] => [ev(5, 10), ev(6, 20), ev(7, 30), ev(8, 40)];
  it.each([
    { quirk: 'maxEvents 2', cursor: 4, limits: { maxBytes: 1e9, maxEvents: 2 }, expected: [5, 6] },
    { quirk: 'maxEvents 0 still gives one event', cursor: 4, limits: { maxBytes: 1e9, maxEvents: 0 }, expected: [5] },
    { quirk: 'a byte budget below the first event gives it alone', cursor: 4, limits: { maxBytes: 1, maxEvents: 10 }, expected: [5] },
    { quirk: 'a zero byte budget gives one event', cursor: 4, limits: { maxBytes: 0, maxEvents: 10 }, expected: [5] },
    { quirk: 'an exact byte fit', cursor: 4, limits: { maxBytes: 30, maxEvents: 10 }, expected: [5, 6] },
    { quirk: 'one byte short of the third event', cursor: 4, limits: { maxBytes: 59, maxEvents: 10 }, expected: [5, 6] },
    { quirk: 'the byte limit counts from the cursor, not the run start', cursor: 6, limits: { maxBytes: 69, maxEvents: 10 }, expected: [7] },
    { quirk: 'from the middle, an event over the budget comes alone', cursor: 6, limits: { maxBytes: 1, maxEvents: 10 }, expected: [7] },
    { quirk: 'the count limit before the byte limit', cursor: 4, limits: { maxBytes: 1e9, maxEvents: 3 }, expected: [5, 6, 7] },
  ])('after() respects the limits like the query: $quirk', ({ cursor, limits, expected }) => {
    const added = weighted();
    const answer = filled([added]).after(cursor, limits);
    expect(seqsOf(answer)).toEqual(expected);
    // The very objects that were added (nothing is copied or re-created).
    answer?.forEach((e) => expect(e).toBe(added.find((a) => a.seq === e.seq)));
  });

  it.each([
    { quirk: 'a seq before the run drops nothing', upTo: 3, held: [5, 6, 7, 8] },
    { quirk: 'a seq inside the run drops a prefix', upTo: 6, held: [7, 8] },
    { quirk: 'the last seq empties it', upTo: 8, held: [] },
    { quirk: 'a seq past the run empties it', upTo: 100, held: [] },
  ])('dropUpTo forgets what every sink is past: $quirk', ({ upTo, held }) => {
    const recent = filled([span(5, 8)]);
    recent.dropUpTo(upTo);
    expect(recent.size()).toBe(held.length);
    const first = held[0];
    if (first === undefined) {
      expect(recent.after(upTo, unlimited)).toBeUndefined();
    } else {
      expect(seqsOf(recent.after(first - 1, unlimited))).toEqual(held);
      expect(recent.after(first - 2, unlimited)).toBeUndefined();
    }
  });

  it.each([
    { quirk: 'after a prefix was dropped, the next consecutive commit extends the run', drop: 6, next: span(9, 9), cursor: 6, expected: [7, 8, 9] },
    { quirk: 'after a prefix was dropped, a gap still restarts the run', drop: 6, next: span(11, 11), cursor: 10, expected: [11] },
    { quirk: 'once emptied, the next commit starts a run at any seq', drop: 8, next: span(20, 21), cursor: 19, expected: [20, 21] },
  ])('dropUpTo then add: $quirk', ({ drop, next, cursor, expected }) => {
    const recent = filled([span(5, 8)]);
    recent.dropUpTo(drop);
    recent.add(next);
    expect(seqsOf(recent.after(cursor, unlimited))).toEqual(expected);
    expect(recent.size()).toBe(expected.length);
  });

  it.each([
    { quirk: 'maxEvents within one commit', options: { maxEvents: 3, maxBytes: 1e9 }, adds: [span(1, 5)], held: [3, 4, 5] },
    { quirk: 'maxEvents across commits', options: { maxEvents: 3, maxBytes: 1e9 }, adds: [span(1, 2), span(3, 4)], held: [2, 3, 4] },
    { quirk: 'maxBytes', options: { maxEvents: 100, maxBytes: 25 }, adds: [span(1, 4)], held: [3, 4] },
    { quirk: 'maxBytes exactly reached keeps them', options: { maxEvents: 100, maxBytes: 30 }, adds: [span(1, 4)], held: [2, 3, 4] },
    { quirk: 'maxBytes below one event still holds the newest', options: { maxEvents: 100, maxBytes: 5 }, adds: [span(1, 4)], held: [4] },
    { quirk: 'maxBytes with mixed sizes', options: { maxEvents: 100, maxBytes: 70 }, adds: [[ev(1, 10), ev(2, 20), ev(3, 30), ev(4, 40)]], held: [3, 4] },
  ])('the bounds evict the oldest: $quirk', ({ options, adds, held }) => {
    const recent = filled(adds, options);
    const first = held[0] ?? 0;
    expect(recent.size()).toBe(held.length);
    expect(seqsOf(recent.after(first - 1, unlimited))).toEqual(held);
    expect(recent.after(first - 2, unlimited)).toBeUndefined();
  });

  it('clear forgets everything and the next commit starts a new run', () => {
    const recent = filled([span(5, 8)]);
    recent.clear();
    expect(recent.size()).toBe(0);
    expect(recent.after(4, unlimited)).toBeUndefined();
    recent.add(span(9, 10));
    expect(seqsOf(recent.after(8, unlimited))).toEqual([9, 10]);
    expect(recent.after(4, unlimited)).toBeUndefined();
  });

  it('keeps answering from the right position over thousands of commits (the evicted prefix is compacted now and then)', () => {
    const recent = createRecentEvents({ maxEvents: 1000, maxBytes: 1e9 });
    const added: PendingEvent[] = [];
    for (let seq = 1; seq <= 3000; seq++) {
      added.push(ev(seq));
      recent.add(added.slice(-1));
      expect(recent.size()).toBe(Math.min(seq, 1000));
    }
    expect(seqsOf(recent.after(2000, unlimited))).toEqual(span(2001, 3000).map((e) => e.seq));
    expect(recent.after(1999, unlimited)).toBeUndefined();
    recent.dropUpTo(2500);
    expect(recent.size()).toBe(500);
    expect(recent.after(2700, { maxBytes: 1e9, maxEvents: 2 })).toEqual([added[2700], added[2701]]);
    expect(recent.after(2700, { maxBytes: 1e9, maxEvents: 2 })?.[0]).toBe(added[2700]);
    expect(recent.after(2499, unlimited)).toBeUndefined();
  });

  /** The same rules on a plain array: checks the head/compaction bookkeeping over long runs. */
  it('agrees with a plain-array model over long random runs (eviction, dropUpTo, compaction)', () => {
    type Step = { kind: 'add'; count: number; gap: number } | { kind: 'drop'; back: number } | { kind: 'clear' } | { kind: 'after'; back: number; maxEvents: number; maxBytes: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), count: fc.noBias(fc.integer({ min: 0, max: 700 })), gap: fc.constantFrom(0, 0, 0, 0, 1, 5) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const), back: fc.noBias(fc.integer({ min: 0, max: 1500 })) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
      {
        weight: 4,
        arbitrary: fc.record({ kind: fc.constant('after' as const), back: fc.noBias(fc.integer({ min: 0, max: 2500 })), maxEvents: fc.integer({ min: 0, max: 3000 }), maxBytes: fc.integer({ min: 0, max: 40_000 }) }),
      },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 10, maxLength: 40 }), fc.noBias(fc.integer({ min: 1, max: 2000 })), fc.noBias(fc.integer({ min: 1, max: 30_000 })), (steps, maxEvents, maxBytes) => {
        const recent = createRecentEvents({ maxEvents, maxBytes });
        let model: PendingEvent[] = [];
        let next = 1;
        for (const s of steps) {
          if (s.kind === 'add') {
            next += s.gap;
            const added = Array.from({ length: s.count }, (_, i) => ev(next + i, 1 + ((next + i) % 23)));
            next += s.count;
            recent.add(added);
            const end = model.at(-1);
            if (added[0] !== undefined && end !== undefined && added[0].seq !== end.seq + 1) model = [];
            model.push(...added);
            let bytes = model.reduce((sum, e) => sum + e.bytes, 0);
            while (model.length > maxEvents || (bytes > maxBytes && model.length > 1)) bytes -= model.shift()?.bytes ?? 0;
          } else if (s.kind === 'drop') {
            recent.dropUpTo(next - s.back);
            model = model.filter((e) => e.seq > next - s.back);
          } else if (s.kind === 'clear') {
            recent.clear();
            model = [];
          } else {
            const cursor = next - 1 - s.back;
            const first = model[0];
            const last = model.at(-1);
            let expected: PendingEvent[] | undefined;
            if (first !== undefined && last !== undefined && cursor >= first.seq - 1 && cursor < last.seq) {
              expected = [];
              let taken = 0;
              for (const e of model.filter((m) => m.seq > cursor)) {
                if (expected.length >= Math.max(1, s.maxEvents) || (expected.length > 0 && taken + e.bytes > s.maxBytes)) break;
                expected.push(e);
                taken += e.bytes;
              }
            }
            expect(seqsOf(recent.after(cursor, s))).toEqual(seqsOf(expected));
          }
          expect(recent.size()).toBe(model.length);
        }
      }),
      { numRuns: 60 },
    );
  });
});

// ── The store answering from memory (real SQLite files) ─────────────────────

const all = { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 1_000_000 };

/** A serving store (sinks registered), a CLI-like one and a reader that never writes (so its recent cache stays empty). */
function threeStores(sinkNames: readonly string[], maxBytes?: number): { serve: SqliteStore; cli: SqliteStore; reader: SqliteStore } {
  const { dir, cleanup } = tempDir('recent');
  cleanups.push(cleanup);
  const clock = manualClock();
  const open = (withSinks: boolean): SqliteStore => {
    const store = openStore({ dataDir: dir, now: clock.now, ...(withSinks ? { sinkNames } : {}), ...(maxBytes === undefined ? {} : { maxBytes }) });
    cleanups.push(() => store.close());
    return store;
  };
  return { serve: open(true), cli: open(false), reader: open(false) };
}

describe('readPending with the recent events', () => {
  it('answers a sink that keeps up from memory: the same objects on every read, while the query creates new ones', async () => {
    const { serve, reader } = threeStores(['s']);
    await serve.commitBatch(batch(['a', 'b', 'c']));
    const first = serve.readPending('s', all);
    const again = serve.readPending('s', all);
    expect(first.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    first.forEach((e, i) => expect(again[i]).toBe(e));
    // The query (a store without the cache) answers equal but distinct objects.
    const fromDisk = reader.readPending('s', all);
    expect(fromDisk).toEqual(first);
    expect(fromDisk[0]).not.toBe(first[0]);
    expect(reader.readPending('s', all)[0]).not.toBe(fromDisk[0]);
    expect(reader.stats().commitTransactions).toBe(0);
  });

  it('after another process queued events, serves the run from memory and the rest from the query, then restarts the run at the next commit', async () => {
    const { serve, cli, reader } = threeStores(['s']);
    await serve.commitBatch(batch(['a', 'b']));
    const held = serve.readPending('s', all);
    await cli.commitBatch(batch(['from-cli']));
    const mixed = serve.readPending('s', all);
    expect(mixed).toEqual(reader.readPending('s', all));
    expect(mixed.map((e) => e.id)).toEqual(['a', 'b', 'from-cli']);
    expect(mixed[0]).toBe(held[0]);
    expect(mixed[1]).toBe(held[1]);
    // The next commit does not follow the run (from-cli took a seq): the run restarts with it.
    await serve.commitBatch(batch(['c']));
    const restarted = serve.readPending('s', all);
    expect(restarted).toEqual(reader.readPending('s', all));
    expect(restarted.map((e) => e.id)).toEqual(['a', 'b', 'from-cli', 'c']);
    expect(restarted[0]).not.toBe(held[0]);
    const upToCli = restarted[2]?.seq ?? 0;
    serve.completeDelivery('s', upToCli, []);
    const [c] = serve.readPending('s', all);
    expect(c?.id).toBe('c');
    expect(serve.readPending('s', all)[0]).toBe(c);
  });

  const one = Buffer.byteLength(eventJson('a'));
  it.each([
    { quirk: 'maxEvents counts the events from memory', delivered: 0, limits: { maxBytes: 1e9, maxEvents: 3 }, expected: ['a', 'b', 'x'] },
    { quirk: 'maxEvents, cursor inside the run', delivered: 1, limits: { maxBytes: 1e9, maxEvents: 2 }, expected: ['b', 'x'] },
    { quirk: 'maxBytes counts the bytes from memory', delivered: 0, limits: { maxBytes: 3 * one, maxEvents: 100 }, expected: ['a', 'b', 'x'] },
    { quirk: 'maxBytes one byte short of the next event', delivered: 0, limits: { maxBytes: 3 * one - 1, maxEvents: 100 }, expected: ['a', 'b'] },
    { quirk: 'the run fills the limit exactly', delivered: 0, limits: { maxBytes: 1e9, maxEvents: 2 }, expected: ['a', 'b'] },
  ])('continues after the run with the query, within one set of limits: $quirk', async ({ delivered, limits, expected }) => {
    const { serve, cli, reader } = threeStores(['s']);
    await serve.commitBatch(batch(['a', 'b']));
    await cli.commitBatch(batch(['x', 'y', 'z']));
    if (delivered > 0) serve.completeDelivery('s', serve.readPending('s', { maxBytes: 1e9, maxEvents: delivered }).at(-1)?.seq ?? 0, []);
    const answer = serve.readPending('s', limits);
    expect(answer).toEqual(reader.readPending('s', limits));
    expect(answer.map((e) => e.id)).toEqual(expected);
  });

  it.each([
    { quirk: 'dead letters re-queued in this process', other: (store: SqliteStore): unknown => store.requeueDeadLetters(), s: ['a', 'b', 'c'], t: ['b', 'c', 'a'] },
    {
      quirk: 'quarantined lines released in this process',
      other: (store: SqliteStore): unknown => store.releaseQuarantine(store.listQuarantine({ limit: 10 }).map((q) => ({ qid: q.qid, event: event('released') }))),
      s: ['a', 'b', 'c', 'released'],
      t: ['b', 'c', 'released'],
    },
  ])('answers what the query answers after $quirk', async ({ other, s, t }) => {
    const { serve, reader } = threeStores(['s', 't']);
    await serve.commitBatch(batch(['a', 'b', 'c'], { quarantine: [quarantined('bad')] }));
    const [a] = serve.readPending('t', all);
    serve.completeDelivery('t', a?.seq ?? 0, [{ seq: a?.seq ?? 0, id: 'a', json: a?.json ?? '', code: 'KAR_ERR_SINK_REJECTED', reason: 'no' }]);
    const before = serve.readPending('s', all);
    expect(serve.readPending('s', all)[0]).toBe(before[0]);
    other(serve);
    for (const [sink, ids] of [['s', s], ['t', t]] as const) {
      const answer = serve.readPending(sink, all);
      expect(answer).toEqual(reader.readPending(sink, all));
      expect(answer.map((e) => e.id)).toEqual(ids);
    }
  });

  it.each([
    { quirk: 'alone in its transaction', batches: [['c', 'd', 'e']], expected: [] },
    { quirk: 'between two batches of the same transaction (its seqs are given back)', batches: [['c'], ['d', 'e'], ['f']], expected: ['c', 'f'] },
  ])('keeps nothing of a batch refused as STORE_FULL $quirk, for a sink that keeps up', async ({ batches, expected }) => {
    const size = Buffer.byteLength(eventJson('a'));
    // fast delivers at once, slow not at all: the store fills while fast reads from memory.
    const { serve, reader } = threeStores(['fast', 'slow'], 4 * size);
    await serve.commitBatch(batch(['a', 'b']));
    const [, b] = serve.readPending('fast', all);
    serve.completeDelivery('fast', b?.seq ?? 0, []);
    const outcomes = await Promise.allSettled(batches.map((ids) => serve.commitBatch(batch(ids))));
    expect(outcomes.map((o) => (o.status === 'rejected' && isKarError(o.reason) ? o.reason.code : o.status))).toContain('KAR_ERR_STORE_FULL');
    const answer = serve.readPending('fast', all);
    expect(answer).toEqual(reader.readPending('fast', all));
    expect(answer.map((e) => e.id)).toEqual(expected);
    expect(serve.readPending('slow', all)).toEqual(reader.readPending('slow', all));
  });

  it.each([
    { quirk: 'memory answers (the serving store, cursor in the run)', fromMemory: true },
    { quirk: 'the query answers (a store with nothing in memory)', fromMemory: false },
  ])('gives one event for a zero byte budget when $quirk', async ({ fromMemory }) => {
    const { serve, reader } = threeStores(['s']);
    await serve.commitBatch(batch(['a', 'b']));
    const store = fromMemory ? serve : reader;
    expect(store.readPending('s', { maxBytes: 0, maxEvents: 10 }).map((e) => e.id)).toEqual(['a']);
    expect(store.readPending('s', { maxBytes: 1, maxEvents: 0 }).map((e) => e.id)).toEqual(['a']);
  });
});

// ── Property: memory or not, every sink gets exactly its events ─────────────

type Sink = 'a' | 'b';
type From = 'serve' | 'cli';
const SINKS: readonly Sink[] = ['a', 'b'];
const EVENT_BYTES = Buffer.byteLength(eventJson('e00'));
/** Small enough that some commits overflow (STORE_FULL) while the sinks lag. */
const STORE_MAX_BYTES = 12 * EVENT_BYTES;

interface Limits {
  readonly maxBytes: number;
  readonly maxEvents: number;
}
interface RawBatch {
  readonly ids: readonly string[];
  readonly quarantine: readonly string[];
}
type Op =
  | { readonly kind: 'commit'; readonly from: From; readonly batches: readonly RawBatch[] }
  | { readonly kind: 'read'; readonly sink: Sink; readonly limits: Limits }
  | { readonly kind: 'complete'; readonly sink: Sink; readonly limits: Limits; readonly take: number; readonly deadMask: number; readonly stale: boolean }
  | { readonly kind: 'release'; readonly from: From; readonly mask: number; readonly reuse: number }
  | { readonly kind: 'requeue'; readonly from: From; readonly sink: Sink | undefined; readonly limit: number | undefined }
  | { readonly kind: 'catchUp'; readonly sink: Sink; readonly limits: Limits }
  | { readonly kind: 'prune' };

const sinkArb = fc.constantFrom<Sink>('a', 'b');
const fromArb = fc.constantFrom<From>('serve', 'serve', 'cli');
const limitsArb: fc.Arbitrary<Limits> = fc.record({
  maxBytes: fc.constantFrom(0, 1, EVENT_BYTES, 2 * EVENT_BYTES + 1, 3 * EVENT_BYTES, Number.MAX_SAFE_INTEGER),
  maxEvents: fc.constantFrom(0, 1, 2, 3, 5, 1000),
});
const idArb = fc.integer({ min: 0, max: 29 }).map((n) => `e${String(n).padStart(2, '0')}`);
const rawBatchArb: fc.Arbitrary<RawBatch> = fc.record({
  ids: fc.array(idArb, { maxLength: 4 }),
  quarantine: fc.array(fc.integer({ min: 0, max: 5 }).map((n) => `bad${n}`), { maxLength: 2 }),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('commit' as const), from: fromArb, batches: fc.array(rawBatchArb, { minLength: 1, maxLength: 3 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('read' as const), sink: sinkArb, limits: limitsArb }) },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('complete' as const), sink: sinkArb, limits: limitsArb, take: fc.nat(), deadMask: fc.nat({ max: 63 }), stale: fc.nat({ max: 7 }).map((n) => n === 0) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), from: fromArb, mask: fc.nat({ max: 63 }), reuse: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('requeue' as const),
      from: fromArb,
      sink: fc.option(sinkArb, { nil: undefined }),
      limit: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('catchUp' as const), sink: fc.constantFrom<Sink>('a', 'a', 'b'), limits: limitsArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'prune' as const }) },
);

/** What was queued, in the order it was queued (= seq order: one writer at a time). */
interface Queued {
  readonly id: string;
  readonly json: string;
  readonly bytes: number;
  readonly target: Sink | null;
  /** The seq the first sink saw it with (the other must see the same). */
  seq: number | undefined;
}

/** The store as it should be, kept without SQLite. */
function createModel(): {
  readonly queued: Queued[];
  readonly claimed: Set<string>;
  quarantine: string[];
  dead: { sink: Sink; id: string; json: string }[];
  readonly received: Record<Sink, PendingEvent[]>;
  readonly lastRead: Record<Sink, PendingEvent[]>;
  queue(id: string, json: string, target: Sink | null): void;
  expectedFor(sink: Sink): Queued[];
  pending(): { events: number; bytes: number };
} {
  const model = {
    queued: [] as Queued[],
    claimed: new Set<string>(),
    quarantine: [] as string[],
    dead: [] as { sink: Sink; id: string; json: string }[],
    received: { a: [], b: [] } as Record<Sink, PendingEvent[]>,
    lastRead: { a: [], b: [] } as Record<Sink, PendingEvent[]>,
    queue(id: string, json: string, target: Sink | null): void {
      model.queued.push({ id, json, bytes: Buffer.byteLength(json, 'utf8'), target, seq: undefined });
    },
    expectedFor(sink: Sink): Queued[] {
      return model.queued.filter((q) => q.target === null || q.target === sink);
    },
    /** An event stays until every sink it is for delivered it (each completeDelivery prunes). */
    pending(): { events: number; bytes: number } {
      const delivered = new Set<Queued>();
      const count = new Map<Queued, number>();
      for (const sink of SINKS) {
        for (const q of model.expectedFor(sink).slice(0, model.received[sink].length)) count.set(q, (count.get(q) ?? 0) + 1);
      }
      for (const [q, n] of count) if (n === (q.target === null ? SINKS.length : 1)) delivered.add(q);
      const left = model.queued.filter((q) => !delivered.has(q));
      return { events: left.length, bytes: left.reduce((sum, q) => sum + q.bytes, 0) };
    },
  };
  return model;
}

type Model = ReturnType<typeof createModel>;

/** Commits the batches concurrently (one group commit) and checks each outcome against the model. */
async function commitGroup(store: SqliteStore, batches: readonly RawBatch[], model: Model): Promise<void> {
  const settled = await Promise.allSettled(batches.map((b) => store.commitBatch(batch(b.ids, { quarantine: b.quarantine.map((raw) => quarantined(raw)) }))));
  let queuedBytes = model.pending().bytes;
  batches.forEach((b, i) => {
    const fresh = [...new Set(b.ids)].filter((id) => !model.claimed.has(id));
    const bytes = fresh.reduce((sum, id) => sum + Buffer.byteLength(eventJson(id)), 0);
    const outcome = settled[i];
    if (bytes > 0 && queuedBytes + bytes > STORE_MAX_BYTES) {
      // The whole batch is refused: no event, no quarantine record, no dedup claim.
      expect(outcome?.status === 'rejected' && isKarError(outcome.reason) ? outcome.reason.code : outcome).toBe('KAR_ERR_STORE_FULL');
      return;
    }
    queuedBytes += bytes;
    for (const id of fresh) {
      model.claimed.add(id);
      model.queue(id, eventJson(id), null);
    }
    let newRaws = 0;
    for (const raw of b.quarantine) {
      if (model.quarantine.includes(raw)) continue;
      model.quarantine.push(raw);
      newRaws++;
    }
    const summary: BatchSummary = { accepted: fresh.length, duplicates: b.ids.length - fresh.length + b.quarantine.length - newRaws, quarantined: newRaws, rejected: 0 };
    expect(outcome).toEqual({ status: 'fulfilled', value: summary });
  });
}

/** Reads like a sink worker and checks the answer against a store without the cache and against the model. */
function readChecked(serve: SqliteStore, reader: SqliteStore, sink: Sink, limits: Limits, model: Model): PendingEvent[] {
  const answer = serve.readPending(sink, limits);
  expect(answer).toEqual(reader.readPending(sink, limits));
  const done = model.received[sink].length;
  const next = model.expectedFor(sink).slice(done, done + answer.length);
  expect(answer.map((e) => [e.id, e.json])).toEqual(next.map((q) => [q.id, q.json]));
  return answer;
}

async function runOps(ops: readonly Op[], drainLimits: Limits): Promise<void> {
  const { serve, cli, reader } = threeStores(SINKS, STORE_MAX_BYTES);
  const storeOf = (from: From): SqliteStore => (from === 'serve' ? serve : cli);
  const model = createModel();
  /** A worker that keeps up: reads and delivers until nothing is pending. */
  const catchUp = (sink: Sink, limits: Limits): void => {
    for (let answer = readChecked(serve, reader, sink, limits, model); answer.length > 0; answer = readChecked(serve, reader, sink, limits, model)) {
      serve.completeDelivery(sink, answer.at(-1)?.seq ?? 0, []);
      model.received[sink].push(...answer);
    }
    model.lastRead[sink] = [];
  };

  for (const op of ops) {
    switch (op.kind) {
      case 'commit':
        await commitGroup(storeOf(op.from), op.batches, model);
        break;
      case 'read':
        model.lastRead[op.sink] = readChecked(serve, reader, op.sink, op.limits, model);
        break;
      case 'complete': {
        const old = model.received[op.sink];
        if (op.stale && old.length > 0) {
          // A step that is behind the cursor (cursors never move back): nothing changes.
          serve.completeDelivery(op.sink, old[op.take % old.length]?.seq ?? 0, []);
          break;
        }
        // Nothing read yet: read first, as a worker does.
        const read = model.lastRead[op.sink].length > 0 ? model.lastRead[op.sink] : readChecked(serve, reader, op.sink, op.limits, model);
        if (read.length === 0) break;
        const delivered = read.slice(0, 1 + (op.take % read.length));
        const refused = delivered.filter((_, i) => ((op.deadMask >> i) & 1) === 1);
        serve.completeDelivery(
          op.sink,
          delivered.at(-1)?.seq ?? 0,
          refused.map((e) => ({ seq: e.seq, id: e.id, json: e.json, code: 'KAR_ERR_SINK_REJECTED' as const, reason: `${op.sink} refused it` })),
        );
        model.received[op.sink].push(...delivered);
        model.dead.push(...refused.map((e) => ({ sink: op.sink, id: e.id, json: e.json })));
        // The rest of the read is still what comes next: a worker delivers it in the next step.
        model.lastRead[op.sink] = read.slice(delivered.length);
        break;
      }
      case 'release': {
        const store = storeOf(op.from);
        const entries = store.listQuarantine({ limit: 100 });
        expect(entries.map((q) => q.raw)).toEqual(model.quarantine);
        const chosen = entries.filter((_, i) => ((op.mask >> i) & 1) === 1);
        // Some released lines carry an id already seen (a duplicate), others a new one.
        const items = chosen.map((q, i) => ({ qid: q.qid, event: event((op.reuse + i) % 3 === 0 ? `e${String((op.reuse + i) % 30).padStart(2, '0')}` : `r-${q.raw}`) }));
        let accepted = 0;
        for (const item of items) {
          if (!model.claimed.has(item.event.id)) {
            model.claimed.add(item.event.id);
            model.queue(item.event.id, item.event.json, null);
            accepted++;
          }
        }
        model.quarantine = model.quarantine.filter((raw) => !chosen.some((q) => q.raw === raw));
        expect(store.releaseQuarantine(items)).toEqual({ accepted, duplicates: items.length - accepted });
        break;
      }
      case 'requeue': {
        const wanted = model.dead.filter((d) => op.sink === undefined || d.sink === op.sink).slice(0, op.limit ?? Number.POSITIVE_INFINITY);
        for (const d of wanted) model.queue(d.id, d.json, d.sink);
        model.dead = model.dead.filter((d) => !wanted.includes(d));
        const options = { ...(op.sink === undefined ? {} : { sink: op.sink }), ...(op.limit === undefined ? {} : { limit: op.limit }) };
        expect(storeOf(op.from).requeueDeadLetters(options)).toEqual({ requeued: wanted.length, inactiveSinks: [] });
        break;
      }
      case 'catchUp':
        catchUp(op.sink, op.limits);
        break;
      case 'prune':
        // Every completeDelivery already pruned: nothing is left to remove.
        expect(serve.prune().events).toBe(0);
        break;
    }
    const pending = model.pending();
    expect({ events: reader.depth(), bytes: reader.stats().pendingBytes }).toEqual(pending);
  }

  // Deliver everything, re-queue every dead letter, and deliver again.
  const drain = (): void => {
    for (const sink of SINKS) catchUp(sink, drainLimits);
  };
  drain();
  for (const d of model.dead) model.queue(d.id, d.json, d.sink);
  expect(serve.requeueDeadLetters().requeued).toBe(model.dead.length);
  model.dead = [];
  drain();

  for (const sink of SINKS) {
    const got = model.received[sink];
    const expected = model.expectedFor(sink);
    expect(got.map((e) => [e.id, e.json])).toEqual(expected.map((q) => [q.id, q.json]));
    // In seq order, none twice; an event for both sinks has the same seq for both.
    got.forEach((e, i) => expect(e.seq).toBeGreaterThan(got[i - 1]?.seq ?? 0));
    expected.forEach((q, i) => {
      q.seq ??= got[i]?.seq;
      expect(got[i]?.seq).toBe(q.seq);
    });
  }
  expect(reader.depth()).toBe(0);
  expect(reader.stats().pendingBytes).toBe(0);
  // The reference never committed, so it never had anything in memory: its answers were the query's.
  expect(reader.stats().commitTransactions).toBe(0);
}

describe('property: with the recent events, every sink gets exactly its events', () => {
  it('commits (duplicates, STORE_FULL), reads with random limits, deliveries, releases and re-queues here and from a CLI store', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 40 }), limitsArb, async (ops, drainLimits) => {
        try {
          await runOps(ops, drainLimits);
        } finally {
          for (const c of cleanups.splice(0).reverse()) await c();
        }
      }),
      { numRuns: 40 },
    );
  });
});

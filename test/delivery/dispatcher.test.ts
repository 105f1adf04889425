import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../../src/delivery/index.js';
import { deliveryMetrics } from '../../src/delivery/metrics.js';
import { createSilentLogger } from '../../src/observability/logger.js';
import type { Sink, WriteOutcome } from '../../src/sinks/types.js';
import { KarError } from '../../src/errors/index.js';
import { openStore, type DeliveryStore, type SqliteStore } from '../../src/store/index.js';
import { batch, batchOf, event, eventJson, ids, tempDir } from '../store/support/batches.js';
import { createScriptedSink, retryable } from './support/fake-sink.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dataDir(): string {
  const { dir, cleanup } = tempDir('delivery');
  cleanups.push(cleanup);
  return dir;
}

function open(dir: string, sinks: readonly Sink[]): SqliteStore {
  const store = openStore({ dataDir: dir, sinkNames: sinks.map((s) => s.name) });
  cleanups.push(() => store.close());
  return store;
}

/** Fast, deterministic retries: no jitter, 1 ms waits; batches go at once. */
function dispatcher(store: SqliteStore, sinks: readonly Sink[], more: Partial<DispatcherOptions> = {}): Dispatcher {
  const d = createDispatcher({ store, sinks, logger: createSilentLogger(), batchMaxAgeMs: 0, pollIntervalMs: 60_000, backoff: { baseMs: 1, maxMs: 1 }, random: () => 1, ...more });
  cleanups.push(() => d.stop({ flushTimeoutMs: 0 }));
  return d;
}

const oneEvent = Buffer.byteLength(eventJson('e00'));
const until = (check: () => void): Promise<void> => vi.waitFor(check, { timeout: 20_000, interval: 5 });

describe('dispatcher', () => {
  it('rides out a sink that is down, then throttled with Retry-After, then back: nothing lost, order kept, no duplicates', async () => {
    const sink = createScriptedSink({
      maxBatchBytes: 3 * oneEvent,
      answer: (call) => (call < 3 ? retryable() : call < 5 ? retryable(2) : { kind: 'delivered' }),
    });
    const store = open(dataDir(), [sink]);
    const d = dispatcher(store, [sink]);
    const all = ids('e', 20, 10);
    await store.commitBatch(batch(all.slice(0, 10)));
    await d.start();
    await store.commitBatch(batch(all.slice(10)));
    await until(() => expect(sink.taken).toHaveLength(20));
    expect(sink.taken).toEqual(all);
    // The first write was attempted 6 times (3 down, 2 throttled, then taken), always the same events.
    expect(sink.writes.slice(0, 6).every((w) => JSON.stringify(w) === JSON.stringify(sink.writes[0]))).toBe(true);
    await until(() => expect(store.depth()).toBe(0));
    expect(d.stats().sinks[0]).toMatchObject({ name: 'fake', delivered: 20, retries: 5, consecutiveFailures: 0, lastError: { code: 'KAR_ERR_SINK_THROTTLED' } });
    expect(store.listDeadLetters({ limit: 10 })).toEqual([]);
  });

  it('dead-letters a batch the sink rejects for good, and moves on', async () => {
    const sink = createScriptedSink({
      maxBatchBytes: 2 * oneEvent,
      answer: (call): WriteOutcome => (call === 0 ? { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED', reason: 'HTTP 400 invalid data format' } : { kind: 'delivered' }),
    });
    const store = open(dataDir(), [sink]);
    await store.commitBatch(batch(ids('e', 4, 10)));
    await dispatcher(store, [sink]).start();
    await until(() => expect(sink.taken).toEqual(['e12', 'e13']));
    await until(() => expect(store.depth()).toBe(0));
    expect(store.listDeadLetters({ limit: 10 })).toMatchObject([
      { sink: 'fake', id: 'e10', json: eventJson('e10'), code: 'KAR_ERR_SINK_REJECTED', reason: 'HTTP 400 invalid data format' },
      { sink: 'fake', id: 'e11', code: 'KAR_ERR_SINK_REJECTED' },
    ]);
  });

  it('dead-letters only the records a delivered write lists as rejected (Splunk invalid-event-number)', async () => {
    const sink = createScriptedSink({
      answer: (call): WriteOutcome => (call === 0 ? { kind: 'delivered', rejected: [{ index: 1, reason: 'invalid event number 1' }, { index: 3, reason: 'invalid event number 3' }, { index: 99, reason: 'out of range' }] } : { kind: 'delivered' }),
    });
    const store = open(dataDir(), [sink]);
    await store.commitBatch(batch(ids('e', 5, 10)));
    await dispatcher(store, [sink]).start();
    await until(() => expect(store.depth()).toBe(0));
    expect(sink.taken).toEqual(['e10', 'e12', 'e14']);
    expect(store.listDeadLetters({ limit: 10 }).map((d) => [d.id, d.reason])).toEqual([
      ['e11', 'invalid event number 1'],
      ['e13', 'invalid event number 3'],
    ]);
  });

  it('retries only what a failed write did not settle', async () => {
    const sink = createScriptedSink({
      answer: (call): WriteOutcome =>
        call === 0 ? { ...retryable(), settled: { delivered: [0, 2], rejected: [{ index: 3, reason: 'too large' }] } } : { kind: 'delivered' },
    });
    const store = open(dataDir(), [sink]);
    await store.commitBatch(batch(ids('e', 5, 10)));
    await dispatcher(store, [sink]).start();
    await until(() => expect(store.depth()).toBe(0));
    expect(sink.writes).toEqual([
      ['e10', 'e11', 'e12', 'e13', 'e14'],
      ['e11', 'e14'],
    ]);
    expect(sink.taken.sort()).toEqual(['e10', 'e11', 'e12', 'e14']);
    expect(store.listDeadLetters({ limit: 10 }).map((d) => d.id)).toEqual(['e13']);
  });

  it('keeps two sinks independent: one down does not block the other', async () => {
    const down = createScriptedSink({ name: 'splunk', answer: () => retryable() });
    const up = createScriptedSink({ name: 'file' });
    const store = open(dataDir(), [down, up]);
    await dispatcher(store, [down, up]).start();
    await store.commitBatch(batch(ids('e', 6, 10)));
    await until(() => expect(up.taken).toEqual(ids('e', 6, 10)));
    await until(() => expect(down.writes.length).toBeGreaterThan(3));
    expect(down.taken).toEqual([]);
    // Still held for the sink that is down.
    expect(store.depth()).toBe(6);
    expect(store.readPending('splunk', { maxBytes: 1e9, maxEvents: 100 })).toHaveLength(6);
    expect((await deliveryMetrics.retries.get()).values.some((v) => v.labels.sink === 'splunk' && v.labels.code === 'KAR_ERR_SINK_UNREACHABLE' && v.value > 0)).toBe(true);
  });

  it('resumes from the cursor after a restart mid-way (dispatcher and store closed and reopened)', async () => {
    const dir = dataDir();
    const all = ids('e', 12, 10);
    const first = createScriptedSink({ name: 's', maxBatchBytes: 1, answer: (call) => (call < 5 ? { kind: 'delivered' } : retryable()) });
    const store1 = open(dir, [first]);
    const d1 = dispatcher(store1, [first]);
    await store1.commitBatch(batch(all));
    await d1.start();
    await until(() => expect(first.writes.length).toBeGreaterThan(6));
    await d1.stop({ flushTimeoutMs: 0 });
    expect(first.closed()).toBe(true);
    await store1.close();

    const second = createScriptedSink({ name: 's', maxBatchBytes: 1 });
    const store2 = open(dir, [second]);
    await dispatcher(store2, [second]).start();
    await until(() => expect(store2.depth()).toBe(0));
    expect(first.taken).toEqual(all.slice(0, 5));
    expect(second.taken).toEqual(all.slice(5));
  });

  it('wakes on a commit instead of waiting for the poll', async () => {
    const sink = createScriptedSink();
    const store = open(dataDir(), [sink]);
    await dispatcher(store, [sink], { pollIntervalMs: 3_600_000 }).start();
    await until(() => expect(sink.starts()).toBe(1));
    await store.commitBatch(batch(['late']));
    await until(() => expect(sink.taken).toEqual(['late']));
  });

  it('picks up events queued by another process (dead-letter retry from the CLI) by polling', async () => {
    const dir = dataDir();
    const sink = createScriptedSink({ answer: (call): WriteOutcome => (call === 0 ? { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED', reason: 'no' } : { kind: 'delivered' }) });
    const store = open(dir, [sink]);
    await store.commitBatch(batch(['x']));
    await dispatcher(store, [sink], { pollIntervalMs: 10 }).start();
    await until(() => expect(store.listDeadLetters({ limit: 1 })).toHaveLength(1));
    const cli = openStore({ dataDir: dir, create: false });
    cleanups.push(() => cli.close());
    expect(cli.requeueDeadLetters().requeued).toBe(1);
    await until(() => expect(sink.taken).toEqual(['x']));
  });

  it('stop() flushes what is stored without waiting for batches to fill, then closes the sinks', async () => {
    const sink = createScriptedSink();
    const store = open(dataDir(), [sink]);
    const d = dispatcher(store, [sink], { batchMaxAgeMs: 3_600_000 });
    await d.start();
    await store.commitBatch(batch(ids('e', 3, 10)));
    await d.stop({ flushTimeoutMs: 20_000 });
    expect(sink.taken).toEqual(ids('e', 3, 10));
    expect(sink.closed()).toBe(true);
    expect(store.depth()).toBe(0);
    expect(d.stats()).toMatchObject({ running: false, sinks: [{ state: 'stopped', delivered: 3 }] });
  });

  it('stop() does not wait for a sink that is down: its events stay stored', async () => {
    const sink = createScriptedSink({ answer: () => retryable() });
    const store = open(dataDir(), [sink]);
    const d = dispatcher(store, [sink], { backoff: { baseMs: 3_600_000, maxMs: 3_600_000 } });
    await store.commitBatch(batch(['a']));
    await d.start();
    await until(() => expect(d.stats().sinks[0]?.state).toBe('backoff'));
    await d.stop({ flushTimeoutMs: 3_600_000 });
    expect(store.depth()).toBe(1);
  });

  it('retries a sink whose start() fails, and one whose write() throws', async () => {
    let threw = false;
    const sink = createScriptedSink({
      startFailures: 2,
      answer: () => {
        if (!threw) {
          threw = true;
          throw new Error('bug in the sink');
        }
        return { kind: 'delivered' };
      },
    });
    const store = open(dataDir(), [sink]);
    await store.commitBatch(batch(['a']));
    await dispatcher(store, [sink]).start();
    await until(() => expect(sink.taken).toEqual(['a']));
    expect(sink.starts()).toBe(3);
    expect(sink.writes).toEqual([['a'], ['a']]);
  });

  it('retries recording progress when the store fails, without sending the batch again', async () => {
    const sink = createScriptedSink();
    const store = open(dataDir(), [sink]);
    let failures = 1;
    const flaky: DeliveryStore = {
      readPending: (name, limits) => store.readPending(name, limits),
      onCommit: (listener) => store.onCommit(listener),
      completeDelivery(name, upto, dead) {
        if (failures-- > 0) throw new KarError('KAR_ERR_STORE_UNAVAILABLE', 'database is locked');
        store.completeDelivery(name, upto, dead);
      },
    };
    await store.commitBatch(batch(['a', 'b']));
    await dispatcher(store, [sink], { store: flaky }).start();
    await until(() => expect(store.depth()).toBe(0));
    expect(sink.writes).toEqual([['a', 'b']]);
  });

  it('batches by the sink maxBatchBytes', async () => {
    const sink = createScriptedSink({ maxBatchBytes: 2 * oneEvent });
    const store = open(dataDir(), [sink]);
    await store.commitBatch(batch(ids('e', 5, 10)));
    await dispatcher(store, [sink]).start();
    await until(() => expect(sink.taken).toHaveLength(5));
    expect(sink.writes).toEqual([['e10', 'e11'], ['e12', 'e13'], ['e14']]);
  });

  it.each([
    { quirk: 'two sinks with one name', sinks: [createScriptedSink({ name: 'a' }), createScriptedSink({ name: 'a' })], more: {} },
    { quirk: 'a backoff with maxMs below baseMs', sinks: [createScriptedSink()], more: { backoff: { baseMs: 10, maxMs: 1 } } },
    { quirk: 'a negative poll interval', sinks: [createScriptedSink()], more: { pollIntervalMs: -1 } },
  ])('refuses $quirk', ({ sinks, more }) => {
    const store = open(dataDir(), []);
    expect(() => createDispatcher({ store, sinks, logger: createSilentLogger(), ...more })).toThrow(expect.objectContaining({ code: 'KAR_ERR_CONFIG_INVALID' }));
  });
});

describe('delivery metrics', () => {
  it('exposes depth, oldest age and per-sink counters on the shared registry', async () => {
    const { metricsRegistry } = await import('../../src/observability/metrics.js');
    const sink = createScriptedSink({ name: 'metrics-sink', answer: (call): WriteOutcome => (call === 0 ? { kind: 'delivered', rejected: [{ index: 0, reason: 'bad' }] } : { kind: 'delivered' }) });
    const store = open(dataDir(), [sink]);
    await store.commitBatch(batch(['m1', 'm2']));
    const before = await metricsRegistry.metrics();
    expect(before).toMatch(/konnect_audit_store_pending_events \d+/);
    expect(before).toContain('konnect_audit_store_oldest_pending_age_seconds');
    await dispatcher(store, [sink]).start();
    await until(() => expect(store.depth()).toBe(0));
    const after = await metricsRegistry.metrics();
    expect(after).toContain('konnect_audit_sink_delivered_events_total{sink="metrics-sink"} 1');
    expect(after).toContain('konnect_audit_sink_dead_lettered_events_total{sink="metrics-sink",code="KAR_ERR_SINK_REJECTED"} 1');
    expect(after).toContain('konnect_audit_sink_rejected_writes_total{sink="metrics-sink",code="KAR_ERR_SINK_REJECTED"} 1');
  });

  it.each([
    ['a sink that formats fields itself (usesEvent) dead-letters it before writing', true, { taken: ['e10', 'e12'], deadLettered: ['e11'] }],
    ['a sink that sends the stored JSON (the default) delivers it untouched, never parsing it', false, { taken: ['e10', 'e11', 'e12'], deadLettered: [] }],
  ])('a stored event that is not valid JSON: %s', async (_case, usesEvent, expected) => {
    const taken: string[] = [];
    const sent: string[] = [];
    const sink: Sink = {
      name: 'corrupt',
      type: 'fake',
      maxBatchBytes: 1_000_000,
      usesEvent,
      async start() {},
      async write(records) {
        for (const r of records) {
          taken.push(r.id);
          sent.push(usesEvent ? JSON.stringify(r.event) : r.json);
        }
        return { kind: 'delivered' };
      },
      health: () => ({ ok: true }),
      async close() {},
    };
    const store = open(dataDir(), [sink]);
    await store.commitBatch(batchOf(ids('e', 3, 10).map((id) => (id === 'e11' ? { ...event(id), json: '{"id":"e11", cut short' } : event(id)))));
    await dispatcher(store, [sink]).start();
    await until(() => expect(store.depth()).toBe(0));
    expect(taken).toEqual(expected.taken);
    if (!usesEvent) expect(sent[1]).toBe('{"id":"e11", cut short');
    expect(store.listDeadLetters({ limit: 10 }).map((d) => [d.id, d.code])).toEqual(expected.deadLettered.map((id) => [id, 'KAR_ERR_INTERNAL']));
  });
});

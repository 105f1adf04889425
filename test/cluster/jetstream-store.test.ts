/**
 * The JetStream store against a real three-node nats-server cluster on
 * loopback, in process: a batch answered is stored once across two receivers'
 * stores, delivery through the shared per-sink consumer hands every event to
 * exactly one receiver, dead letters are kept, unsettled work goes to the
 * other receiver when one stops, and a lost quorum fails commits (500) and
 * turns health red, and back.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isKarError } from '../../src/errors/index.js';
import { openJetStreamStore, type JetStreamStore } from '../../src/store/jetstream/index.js';
import type { PendingEvent } from '../../src/store/types.js';
import { createTestPki, type TestPki } from '../sinks/support/tls.js';
import { externalDaemon } from '../support/external-daemon.js';
import { startNatsCluster, type NatsCluster } from './support/nats-cluster.js';
import { batchOf, testEvents } from './support/records.js';

const nats = externalDaemon('nats-server', 'nats-server');

describe.runIf(nats.path !== undefined)('JetStream store on a three-node nats-server cluster', () => {
  let cluster: NatsCluster;
  const stores: JetStreamStore[] = [];
  const open = async (sinkNames: string[], ackWaitMs = 2000): Promise<JetStreamStore> => {
    const store = await openJetStreamStore({ servers: cluster.urls.split(','), replicas: 3, maxBytes: 64 * 1024 * 1024, dedupWindowMs: 60 * 60 * 1000, sinkNames, ackWaitMs, requestTimeoutMs: 2000 });
    stores.push(store);
    return store;
  };
  // Every test's sink has its own consumer on the one events stream, which also holds the other tests' events: keep the test's own.
  const readAll = (store: JetStreamStore, sink: string): PendingEvent[] => store.readPending(sink, { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 100_000 }).filter((e) => e.id.startsWith(`${sink}-`));

  beforeAll(async () => {
    if (nats.path === undefined) return;
    cluster = await startNatsCluster(nats.path, 3);
  }, 60_000);
  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => undefined);
    await cluster?.stop();
  });

  it('stores a batch posted to two receivers once, and counts the copy as duplicates', async () => {
    const [a, b] = [await open(['once']), await open(['once'])];
    const events = testEvents('once', 30);
    const [first, second] = await Promise.all([a.commitBatch(batchOf(events)), b.commitBatch(batchOf(events))]);
    // Concurrent copies may both claim as the same batch (then the stream's message id keeps one copy).
    expect(first.accepted + first.duplicates).toBe(30);
    expect(second.accepted + second.duplicates).toBe(30);
    const later = await b.commitBatch(batchOf(events.slice(0, 10)));
    expect(later).toEqual({ accepted: 0, duplicates: 10, quarantined: 0, rejected: 0 });
    const delivered: string[] = [];
    await vi.waitFor(
      () => {
        for (const store of [a, b]) {
          const pending = readAll(store, 'once');
          delivered.push(...pending.map((e) => e.id));
          const last = pending.at(-1);
          if (last !== undefined) store.completeDelivery('once', last.seq, []);
        }
        expect(new Set(delivered).size).toBe(30);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(delivered.length).toBe(30);
  });

  it('keeps dead letters and quarantine, and acknowledges only settled records', async () => {
    const store = await open(['dead']);
    const events = testEvents('dead', 3);
    const summary = await store.commitBatch(batchOf(events, [{ id: 'q1', kind: 'quarantined', code: 'KAR_ERR_SIG_INVALID', reason: 'bad', raw: 'raw q1' }]));
    expect(summary).toEqual({ accepted: 3, duplicates: 0, quarantined: 1, rejected: 0 });
    let pending: PendingEvent[] = [];
    await vi.waitFor(() => {
      pending = readAll(store, 'dead');
      expect(pending.length).toBe(3);
    }, { timeout: 10_000, interval: 50 });
    const [refused] = pending;
    store.completeDelivery('dead', pending.at(-1)?.seq ?? 0, [{ seq: refused?.seq ?? 0, id: refused?.id ?? '', json: refused?.json ?? '', code: 'KAR_ERR_SINK_REJECTED', reason: 'refused' }]);
    expect(readAll(store, 'dead')).toEqual([]);
    const jsm = store.connection.jsm;
    await vi.waitFor(async () => {
      expect((await jsm.streams.info('KAR_DEAD_LETTERS')).state.messages).toBeGreaterThanOrEqual(1);
      expect((await jsm.streams.info('KAR_QUARANTINE')).state.messages).toBeGreaterThanOrEqual(1);
    }, { timeout: 10_000, interval: 100 });
  });

  it('hands a stopped receiver’s unsettled records to another receiver', async () => {
    const first = await open(['handover']);
    const events = testEvents('handover', 5);
    await first.commitBatch(batchOf(events));
    await vi.waitFor(() => expect(readAll(first, 'handover').length).toBe(5), { timeout: 10_000, interval: 50 });
    await first.close();
    const second = await open(['handover']);
    await vi.waitFor(() => expect(readAll(second, 'handover').map((e) => e.id)).toEqual(events.map((e) => e.id)), { timeout: 15_000, interval: 100 });
  });

  it('fails commits with KAR_ERR_STORE_UNAVAILABLE and reports unhealthy without a quorum, then recovers', async () => {
    const store = await open(['quorum']);
    await vi.waitFor(() => expect(store.health().ok).toBe(true), { timeout: 10_000, interval: 100 });
    await cluster.kill(1);
    await cluster.kill(2);
    const failure = await store.commitBatch(batchOf(testEvents('noquorum', 2))).then(
      () => 'stored',
      (error: unknown) => (isKarError(error) ? error.code : String(error)),
    );
    expect(failure).toBe('KAR_ERR_STORE_UNAVAILABLE');
    await vi.waitFor(() => expect(store.health().ok).toBe(false), { timeout: 15_000, interval: 100 });
    await cluster.restart(1);
    await cluster.restart(2);
    await cluster.waitHealthy();
    await vi.waitFor(() => expect(store.health().ok).toBe(true), { timeout: 30_000, interval: 200 });
    await vi.waitFor(async () => expect((await store.commitBatch(batchOf(testEvents('quorum-back', 2)))).accepted).toBe(2), { timeout: 30_000, interval: 500 });
  }, 90_000);
});

describe.runIf(nats.path !== undefined)('JetStream store: a batch that cannot be stored takes its dedup claims back', () => {
  let single: NatsCluster;
  beforeAll(async () => {
    if (nats.path === undefined) return;
    single = await startNatsCluster(nats.path, 1);
  }, 60_000);
  afterAll(async () => {
    await single?.stop();
  });

  it('answers KAR_ERR_STORE_FULL when the events stream is full, and a later batch with the same lines is not a duplicate', async () => {
    const events = testEvents('full', 200);
    // The sink below never acknowledges: interest retention keeps every record until the stream is full.
    const tiny = await openJetStreamStore({ servers: [single.urls], replicas: 1, maxBytes: 4096, dedupWindowMs: 60 * 60 * 1000, sinkNames: ['held'], requestTimeoutMs: 2000 });
    let refusedLines: typeof events = [];
    try {
      for (let n = 0; n < 20 && refusedLines.length === 0; n++) {
        const lines = events.slice(n * 10, n * 10 + 10);
        const outcome = await tiny.commitBatch(batchOf(lines)).then(
          () => 'stored',
          (error: unknown) => (isKarError(error) ? error.code : String(error)),
        );
        if (outcome !== 'stored') {
          expect(outcome).toBe('KAR_ERR_STORE_FULL');
          refusedLines = lines;
        }
      }
      expect(refusedLines).toHaveLength(10);
    } finally {
      await tiny.close();
    }
    const roomy = await openJetStreamStore({ servers: [single.urls], replicas: 1, maxBytes: 64 * 1024 * 1024, dedupWindowMs: 60 * 60 * 1000, sinkNames: ['held'], requestTimeoutMs: 2000 });
    try {
      // The same lines in another batch (a replay): stored, since the refused batch released its claims.
      const replay = [...refusedLines].reverse();
      expect(await roomy.commitBatch(batchOf(replay))).toEqual({ accepted: 10, duplicates: 0, quarantined: 0, rejected: 0 });
    } finally {
      await roomy.close();
    }
  });
});

describe.runIf(nats.path !== undefined)('JetStream store over TLS (KONNECT_AUDIT_NATS_CA)', () => {
  let secure: NatsCluster;
  let pki: TestPki;
  beforeAll(async () => {
    if (nats.path === undefined) return;
    pki = await createTestPki('konnect-audit NATS test CA');
    secure = await startNatsCluster(nats.path, 1, { tls: { certFile: pki.certFile, keyFile: pki.keyFile } });
  }, 60_000);
  afterAll(async () => {
    await secure?.stop();
    if (pki !== undefined) rmSync(pki.dir, { recursive: true, force: true });
  });

  it.each([
    ['trusts the servers through the configured CA and stores', true, 'stored'],
    ['refuses servers it cannot verify (no CA configured): KAR_ERR_STORE_UNAVAILABLE', false, 'KAR_ERR_STORE_UNAVAILABLE'],
  ])('%s', async (_name, withCa, expected) => {
    const outcome = await openJetStreamStore({ servers: [secure.urls], replicas: 1, maxBytes: 1024 * 1024, dedupWindowMs: 60 * 60 * 1000, requestTimeoutMs: 2000, ...(withCa ? { caFile: pki.caFile } : {}) }).then(
      async (store) => {
        try {
          return (await store.commitBatch(batchOf(testEvents('tls', 2)))).accepted === 2 ? 'stored' : 'not stored';
        } finally {
          await store.close();
        }
      },
      (error: unknown) => (isKarError(error) ? error.code : String(error)),
    );
    expect(outcome).toBe(expected);
  });
});

describe.runIf(nats.path !== undefined)('JetStream store: a record larger than max_payload', () => {
  let small: NatsCluster;
  beforeAll(async () => {
    if (nats.path === undefined) return;
    small = await startNatsCluster(nats.path, 1, { maxPayload: 16 * 1024 });
  }, 60_000);
  afterAll(async () => {
    await small?.stop();
  });

  it('is stored as parts that each fit, and every line is delivered once', async () => {
    const store = await openJetStreamStore({ servers: [small.urls], replicas: 1, maxBytes: 64 * 1024 * 1024, dedupWindowMs: 60 * 60 * 1000, sinkNames: ['big'], requestTimeoutMs: 2000 });
    try {
      const events = testEvents('big', 40).map((e) => ({ id: e.id, json: JSON.stringify({ id: e.id, padding: 'x'.repeat(2000) }) }));
      expect(await store.commitBatch(batchOf(events))).toEqual({ accepted: 40, duplicates: 0, quarantined: 0, rejected: 0 });
      await vi.waitFor(() => expect(store.readPending('big', { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 1000 }).map((e) => e.id)).toEqual(events.map((e) => e.id)), { timeout: 15_000, interval: 100 });
      expect((await store.connection.jsm.streams.info('KAR_EVENTS')).state.messages).toBeGreaterThan(4);
    } finally {
      await store.close();
    }
  });
});

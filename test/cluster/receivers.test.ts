/**
 * Cluster mode with real processes: a three-node nats-server cluster on
 * loopback, receivers started as `node dist/cli/bin.js serve` with
 * KONNECT_AUDIT_STORE set to it, an HTTP collector as their sink.
 *
 * - the same batches posted to two receivers: each event delivered once;
 * - kill -9 of a receiver under load (its sink down, so it holds records it
 *   has not delivered), then of a NATS node under load: every event answered
 *   200 is delivered (duplicates counted: at least once);
 * - quorum lost: 500 or 429, never 200, /readyz 503 and
 *   konnect_audit_nats_connected 0; quorum back: /readyz 200 and delivery resumes.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { externalDaemon } from '../support/external-daemon.js';
import { startNatsCluster, type NatsCluster } from './support/nats-cluster.js';
import { bin, post, readyz, receiverFleet, startCollector, type Collector, type ReceiverFleet } from './support/receivers.js';

const nats = externalDaemon('nats-server', 'nats-server');
const key = loadTestKey('primary').privateKey;
const PER_BATCH = 20;
let seed = 5000;
const makeBatches = (count: number): string[][] => Array.from({ length: count }, () => makeSignedKonnectLines({ format: 'cef', count: PER_BATCH, seed: seed++, key }));

/** Lines acknowledged but never delivered, and how many deliveries beyond the first the collector saw for them. */
function account(collector: Collector, lines: readonly string[]): { missing: number; duplicates: number } {
  let missing = 0;
  let duplicates = 0;
  for (const line of lines) {
    const count = collector.counts.get(line) ?? 0;
    if (count === 0) missing++;
    else duplicates += count - 1;
  }
  return { missing, duplicates };
}

describe.runIf(nats.path !== undefined)('receivers in cluster mode on a three-node JetStream', () => {
  let cluster: NatsCluster;
  let collector: Collector;
  let fleet: ReceiverFleet;

  beforeAll(async () => {
    if (nats.path === undefined) return;
    expect(existsSync(bin), 'dist/cli/bin.js is missing: run `npx tsc -p tsconfig.build.json` (npm test does)').toBe(true);
    cluster = await startNatsCluster(nats.path, 3);
    collector = await startCollector();
    fleet = receiverFleet({ natsUrls: cluster.urls, sinkUrl: collector.url, ackWaitMs: 3000 });
    await fleet.add();
    await fleet.add();
  }, 90_000);
  afterAll(async () => {
    await fleet?.stop();
    await collector?.close();
    await cluster?.stop();
  });

  it('delivers each event once when the same batches reach two receivers', async () => {
    const [a, b] = fleet.receivers;
    const batches = makeBatches(20);
    const answers = await Promise.all(batches.flatMap((lines) => [post(a?.url ?? '', lines), post(b?.url ?? '', lines)]));
    expect(answers.map((answer) => answer.status).filter((status) => status !== 200)).toEqual([]);
    const lines = batches.flat();
    await vi.waitFor(() => expect(account(collector, lines).missing).toBe(0), { timeout: 30_000, interval: 200 });
    // Settle: nothing more arrives late.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(account(collector, lines)).toEqual({ missing: 0, duplicates: 0 });
    const accepted = answers.reduce((sum, answer) => sum + (JSON.parse(answer.body) as { accepted: number }).accepted, 0);
    const duplicates = answers.reduce((sum, answer) => sum + (JSON.parse(answer.body) as { duplicates: number }).duplicates, 0);
    // Each line is accepted by one receiver and a duplicate at the other, except where both claimed it as the same batch at once.
    expect(accepted + duplicates).toBe(2 * lines.length);
    expect(accepted).toBeGreaterThanOrEqual(lines.length);
  }, 60_000);

  it('delivers every acknowledged event after kill -9 of a receiver under load', async () => {
    const [a, b] = fleet.receivers;
    if (a === undefined || b === undefined) throw new Error('two receivers expected');
    const batches = makeBatches(200);
    const acked: string[] = [];
    let next = 0;
    let killed = false;
    // The sink is down: both receivers hold records they cannot deliver when one dies; its share must reach the sink through the other.
    collector.setUp(false);
    const poster = async (n: number): Promise<void> => {
      while (next < batches.length) {
        const lines = batches[next++] ?? [];
        const target = n % 2 === 0 && !killed ? a : b;
        const answer = await post(target.url, lines);
        if (answer.status === 200) acked.push(...lines);
        if (!killed && acked.length >= 40 * PER_BATCH) {
          killed = true;
          await a.kill('SIGKILL');
        }
      }
    };
    await Promise.all([poster(0), poster(1), poster(2), poster(3)]);
    expect(killed).toBe(true);
    expect(acked.length).toBeGreaterThan(100 * PER_BATCH);
    collector.setUp(true);
    await vi.waitFor(() => expect(account(collector, acked).missing).toBe(0), { timeout: 90_000, interval: 250 });
    const { duplicates } = account(collector, acked);
    console.info(`kill -9 of a receiver: ${acked.length} lines acknowledged, all delivered, ${duplicates} delivered twice (at least once)`);
    await a.start();
  }, 120_000);

  it('delivers every acknowledged event after kill -9 of a NATS node under load', async () => {
    const [a, b] = fleet.receivers;
    if (a === undefined || b === undefined) throw new Error('two receivers expected');
    const batches = makeBatches(200);
    const acked: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let killed = false;
    const poster = async (n: number): Promise<void> => {
      while (next < batches.length) {
        const lines = batches[next++] ?? [];
        // Like Konnect: a batch answered 500 or 429 is sent again (bounded here).
        for (let attempt = 0; attempt < 40; attempt++) {
          const answer = await post((n % 2 === 0 ? a : b).url, lines);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status === 200) {
            acked.push(...lines);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        if (!killed && acked.length >= 40 * PER_BATCH) {
          killed = true;
          await cluster.kill(0);
        }
      }
    };
    await Promise.all([poster(0), poster(1), poster(2), poster(3)]);
    expect(killed).toBe(true);
    // Only 200, 429 or 500 (Konnect retries those): never a status it drops.
    expect([...statuses.keys()].filter((status) => ![200, 429, 500].includes(status))).toEqual([]);
    expect(acked.length).toBe(batches.length * PER_BATCH);
    await vi.waitFor(() => expect(account(collector, acked).missing).toBe(0), { timeout: 60_000, interval: 250 });
    console.info(`kill -9 of a NATS node: ${acked.length} lines acknowledged, all delivered, ${account(collector, acked).duplicates} delivered twice; statuses ${JSON.stringify([...statuses])}`);
    await cluster.restart(0);
    await cluster.waitHealthy();
  }, 120_000);

  it('answers 500 or 429 (never 200) and /readyz 503 without a quorum, and delivers again once it is back', async () => {
    const [a] = fleet.receivers;
    if (a === undefined) throw new Error('a receiver expected');
    await vi.waitFor(async () => expect(await readyz(a.base)).toBe(200), { timeout: 30_000, interval: 250 });
    // Stored while the sink is down: must be delivered after the outage.
    collector.setUp(false);
    const before = makeBatches(3);
    for (const lines of before) expect((await post(a.url, lines)).status).toBe(200);
    const metrics = async (): Promise<string> => (await fetch(`${a.base}/metrics`)).text();
    const healthy = await metrics();
    expect(healthy).toMatch(/^konnect_audit_nats_connected 1$/m);
    expect(healthy).toMatch(/^konnect_audit_nats_publish_seconds_count\{outcome="stored"\} [1-9]/m);
    expect(healthy).toMatch(/^konnect_audit_nats_consumer_lag_messages\{sink="http"\} \d+$/m);
    // The store gauges the alerts use: the records stored while the sink is down are pending, with an age.
    await vi.waitFor(async () => {
      const text = await metrics();
      expect(text).toMatch(/^konnect_audit_store_pending_events [1-9]/m);
      expect(text).toMatch(/^konnect_audit_sink_oldest_pending_age_seconds\{sink="http"\} [0-9.e+-]+$/m);
      expect(text).toMatch(/^konnect_audit_store_max_bytes [1-9]/m);
    }, { timeout: 15_000, interval: 500 });
    await cluster.kill(1);
    await cluster.kill(2);
    await vi.waitFor(async () => expect(await readyz(a.base)).toBe(503), { timeout: 20_000, interval: 250 });
    expect(await metrics()).toMatch(/^konnect_audit_nats_connected 0$/m);
    const during = makeBatches(3);
    const answers = await Promise.all(during.map((lines) => post(a.url, lines)));
    for (const answer of answers) expect([429, 500]).toContain(answer.status);
    await cluster.restart(1);
    await cluster.restart(2);
    await cluster.waitHealthy(60_000);
    await vi.waitFor(async () => expect(await readyz(a.base)).toBe(200), { timeout: 60_000, interval: 250 });
    collector.setUp(true);
    // Konnect retries what was answered 500: here, once quorum is back.
    for (const lines of during) await vi.waitFor(async () => expect((await post(a.url, lines)).status).toBe(200), { timeout: 30_000, interval: 500 });
    const lines = [...before, ...during].flat();
    await vi.waitFor(() => expect(account(collector, lines).missing).toBe(0), { timeout: 60_000, interval: 250 });
  }, 180_000);
});

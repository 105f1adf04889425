/**
 * The documented HAProxy configuration (ops/haproxy/haproxy.cfg) in front of
 * cluster-mode receivers, all real processes on loopback:
 * - no receiver ready: HAProxy answers 500 with Retry-After (Konnect retries),
 *   never the 503 it would say by default (Konnect would drop the batch);
 * - a rolling restart of every receiver while batches flow: the client sees
 *   no 5xx (a receiver shutting down answers 429, which Konnect retries) and
 *   every acknowledged event is delivered.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { externalDaemon } from '../support/external-daemon.js';
import { startHaproxy, type HaproxyProcess } from './support/haproxy.js';
import { freePort, startNatsCluster, type NatsCluster } from './support/nats-cluster.js';
import { bin, post, readyz, receiverFleet, startCollector, type Collector, type ReceiverFleet } from './support/receivers.js';

const nats = externalDaemon('nats-server', 'nats-server');
const haproxy = externalDaemon('haproxy', 'haproxy');
const key = loadTestKey('primary').privateKey;
const PER_BATCH = 10;
const LB_DOWN_MS = 2500;

describe.runIf(nats.path !== undefined && haproxy.path !== undefined)('HAProxy in front of cluster-mode receivers', () => {
  let cluster: NatsCluster;
  let collector: Collector;
  let fleet: ReceiverFleet;
  const proxies: HaproxyProcess[] = [];

  beforeAll(async () => {
    if (nats.path === undefined || haproxy.path === undefined) return;
    expect(existsSync(bin), 'dist/cli/bin.js is missing: run `npx tsc -p tsconfig.build.json` (npm test does)').toBe(true);
    cluster = await startNatsCluster(nats.path, 3);
    collector = await startCollector();
    fleet = receiverFleet({ natsUrls: cluster.urls, sinkUrl: collector.url, ackWaitMs: 3000 });
  }, 90_000);
  afterAll(async () => {
    for (const proxy of proxies) await proxy.stop();
    await fleet?.stop();
    await collector?.close();
    await cluster?.stop();
  });

  it('answers 500 with Retry-After, not 503, when no receiver is ready', async () => {
    const proxy = await startHaproxy(haproxy.path ?? '', [await freePort(), await freePort()]);
    proxies.push(proxy);
    const answer = await post(`${proxy.url}/audit-logs`, makeSignedKonnectLines({ format: 'cef', count: 2, seed: 1, key }));
    expect(answer.status).toBe(500);
    expect(answer.retryAfter).toBe('5');
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'KAR_ERR_STORE_UNAVAILABLE' } });
  });

  it('loses nothing and shows no 5xx to the client during a rolling restart of every receiver', async () => {
    const receivers = [await fleet.add(), await fleet.add()];
    const proxy = await startHaproxy(haproxy.path ?? '', receivers.map((r) => r.port));
    proxies.push(proxy);
    await vi.waitFor(async () => expect((await post(`${proxy.url}/audit-logs`, [])).status).toBe(200), { timeout: 20_000, interval: 200 });

    const statuses = new Map<number, number>();
    const acked: string[] = [];
    let seed = 90_000;
    let restarting = true;
    const poster = async (): Promise<void> => {
      // Bounded: the restarts take a few seconds each; 2000 batches is far beyond.
      for (let n = 0; n < 2000 && restarting; n++) {
        const lines = makeSignedKonnectLines({ format: 'cef', count: PER_BATCH, seed: seed++, key });
        const answer = await post(`${proxy.url}/audit-logs`, lines);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 200) acked.push(...lines);
      }
    };
    const posting = Promise.all([poster(), poster(), poster()]);
    for (const receiver of receivers) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await receiver.kill('SIGTERM');
      await receiver.start();
      await vi.waitFor(async () => expect(await readyz(receiver.base)).toBe(200), { timeout: 20_000, interval: 100 });
      // HAProxy takes it back after `rise 2` checks of `inter 1s`.
      await new Promise((resolve) => setTimeout(resolve, LB_DOWN_MS));
    }
    restarting = false;
    await posting;
    expect(acked.length).toBeGreaterThan(0);
    // 429 (a receiver shutting down) is retried by Konnect; a 5xx from HAProxy or a receiver is what must not happen.
    const haproxyEvents = proxy.logs().split('\n').filter((line) => !line.includes('POST')).slice(-20).join('\n');
    expect([...statuses.entries()].filter(([status]) => status >= 500 || status === 0), haproxyEvents).toEqual([]);
    await vi.waitFor(() => expect(acked.filter((line) => !collector.counts.has(line))).toEqual([]), { timeout: 60_000, interval: 250 });
    console.info(`rolling restart behind HAProxy: statuses ${JSON.stringify([...statuses])}, ${acked.length} lines acknowledged and delivered`);
  }, 120_000);
});

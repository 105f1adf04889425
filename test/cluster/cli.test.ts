/**
 * `konnect-audit dead-letter` and `quarantine` (list, export, retry) against
 * a cluster's JetStream (KONNECT_AUDIT_STORE = NATS URLs), with a real
 * receiver process storing into a real three-node nats-server cluster.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixtureKeyFiles, loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { externalDaemon } from '../support/external-daemon.js';
import { startNatsCluster, type NatsCluster } from './support/nats-cluster.js';
import { bin, post, receiverFleet, root, startCollector, type Collector, type ReceiverFleet } from './support/receivers.js';

const nats = externalDaemon('nats-server', 'nats-server');
const run = promisify(execFile);

describe.runIf(nats.path !== undefined)('quarantine and dead-letter commands in cluster mode', () => {
  let cluster: NatsCluster;
  let collector: Collector;
  let fleet: ReceiverFleet;
  const cli = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(process.execPath, [bin, ...args], { cwd: root, env: { PATH: process.env['PATH'] ?? '', KONNECT_AUDIT_STORE: cluster.urls }, timeout: 30_000 });
    return stdout;
  };
  const jsonLines = (text: string): Record<string, unknown>[] => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    if (nats.path === undefined) return;
    cluster = await startNatsCluster(nats.path, 3);
    collector = await startCollector();
    // The key set before the rotation: lines signed with the rotated key are quarantined.
    fleet = receiverFleet({ natsUrls: cluster.urls, sinkUrl: collector.url, jwks: fixtureKeyFiles.jwksBeforeRotation });
    await fleet.add();
  }, 90_000);
  afterAll(async () => {
    await fleet?.stop();
    await collector?.close();
    await cluster?.stop();
  });

  it('lists, exports and re-queues dead letters, and verifies quarantined lines again', async () => {
    const receiver = fleet.receivers[0];
    if (receiver === undefined) throw new Error('a receiver expected');
    collector.setRejecting(true);
    const refused = makeSignedKonnectLines({ format: 'cef', count: 3, seed: 71, key: loadTestKey('primary').privateKey });
    const rotated = makeSignedKonnectLines({ format: 'cef', count: 2, seed: 72, key: loadTestKey('rotated').privateKey });
    expect(JSON.parse((await post(receiver.url, refused)).body)).toMatchObject({ accepted: 3 });
    expect(JSON.parse((await post(receiver.url, rotated)).body)).toMatchObject({ quarantined: 2 });

    await vi.waitFor(async () => expect(jsonLines(await cli('dead-letter', 'list', '--format', 'json'))).toHaveLength(3), { timeout: 30_000, interval: 500 });
    const exported = jsonLines(await cli('dead-letter', 'export'));
    expect(exported.map((d) => (d['event'] as { raw: string }).raw).sort()).toEqual([...refused].sort());
    expect(exported.every((d) => d['sink'] === 'http' && d['code'] === 'KAR_ERR_SINK_REJECTED')).toBe(true);

    collector.setRejecting(false);
    expect(await cli('dead-letter', 'retry')).toBe('re-queued 3 dead letters for delivery\n');
    await vi.waitFor(() => expect(refused.filter((line) => !collector.counts.has(line))).toEqual([]), { timeout: 30_000, interval: 250 });
    expect(jsonLines(await cli('dead-letter', 'list', '--format', 'json'))).toEqual([]);

    const quarantined = jsonLines(await cli('quarantine', 'export'));
    expect(quarantined.map((q) => q['raw']).sort()).toEqual([...rotated].sort());
    expect(await cli('quarantine', 'list')).toContain('2 of 2 quarantined lines');
    const retried = JSON.parse(await cli('quarantine', 'retry', '--jwks', fixtureKeyFiles.jwks, '--format', 'json')) as Record<string, number>;
    expect(retried).toEqual({ examined: 2, verified: 2, queued: 2, duplicates: 0, still_failing: 0 });
    await vi.waitFor(() => expect(rotated.filter((line) => !collector.counts.has(line))).toEqual([]), { timeout: 30_000, interval: 250 });
    expect(jsonLines(await cli('quarantine', 'export'))).toEqual([]);
  }, 120_000);
});

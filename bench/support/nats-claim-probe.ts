/**
 * The client's CPU per dedup claim (store/jetstream/claimer.ts): 20,000
 * claims on a subject-per-id stream of a fresh one-node nats-server, sent
 * with `js.publish` and with a plain publish answered on one shared reply
 * subscription, twice each (the first round warms up).
 *
 *   npx tsx bench/support/nats-claim-probe.ts
 */
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { createClaimer } from '../../src/store/jetstream/claimer.js';
import { startNatsCluster } from '../../test/cluster/support/nats-cluster.js';

const N = 20_000;
const WINDOW = 500;
const cluster = await startNatsCluster(process.env['NATS_SERVER'] ?? 'nats-server', 1);
const nc = await connect({ servers: cluster.urls });
try {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'ids', subjects: ['ids.>'], storage: StorageType.File, max_msgs_per_subject: 1, discard: DiscardPolicy.New, discard_new_per_subject: true });
  const js = jetstream(nc);
  const claimer = createClaimer(nc, 5000);
  const key = new TextEncoder().encode('batchkey-0123456789abcd');
  const ways = {
    'js.publish': (subject: string) => js.publish(subject, key),
    'plain publish, shared reply subscription': (subject: string) => claimer.publish(subject, key),
  };
  for (let round = 0; round < 2; round++) {
    for (const [name, claim] of Object.entries(ways)) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < N; i += WINDOW) await Promise.all(Array.from({ length: WINDOW }, () => claim(`ids.${randomBytes(16).toString('hex')}`)));
      const cpu = process.cpuUsage(cpu0);
      console.log(`${name}: ${((cpu.user + cpu.system) / N).toFixed(1)} µs client CPU per claim, ${Math.round(N / ((performance.now() - t0) / 1000))} claims/s`);
    }
  }
  claimer.close();
} finally {
  await nc.close();
  await cluster.stop();
}

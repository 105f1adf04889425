/**
 * What each JetStream way of remembering event ids costs the server, for
 * Konnect's 7-day replay window (docs/CLUSTER.md, "Sizing"). For each
 * approach a fresh one-node nats-server (file storage in a temp dir) stores N
 * distinct 86-character ids (the length of a base64url Ed25519 signature);
 * the script reports server RSS and disk before and after, per id, and
 * extrapolated to 10 million ids.
 *
 *   npx tsx bench/support/nats-dedup-cost.ts [ids=200000] [msgid|kv|subject] [id characters=86]
 *
 * - msgid:   one stream, Nats-Msg-Id per id, duplicate_window 8 days
 * - kv:      a KV bucket (history 1, TTL 8 days), create-only writes
 * - subject: a stream with a subject per id, max_msgs_per_subject 1,
 *            discard new per subject, max_age 8 days (what src/store/jetstream uses)
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, nanos } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { startNatsCluster } from '../../test/cluster/support/nats-cluster.js';

const WINDOW_MS = 8 * 24 * 60 * 60 * 1000;
const count = Number(process.argv[2] ?? 200_000);
const approaches = ['msgid', 'kv', 'subject'] as const;

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(line.replace(/\D+/g, '')) * 1024;
}
function diskBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}
/** 86 characters: a signature's base64url; 22: a 16-byte dedup key in base64url (what src/store/jetstream claims). */
const idChars = Number(process.argv[4] ?? 86);
function id(): string {
  return randomBytes(Math.ceil((idChars * 3) / 4)).toString('base64url').slice(0, idChars);
}

async function measure(approach: (typeof approaches)[number]): Promise<void> {
  const cluster = await startNatsCluster(process.env['NATS_SERVER'] ?? 'nats-server', 1);
  const node = cluster.nodes[0];
  const pid = node?.process?.pid;
  if (node === undefined || pid === undefined) throw new Error('no server');
  const nc = await connect({ servers: node.url });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    let write: (key: string) => Promise<unknown>;
    if (approach === 'msgid') {
      await jsm.streams.add({ name: 'ids', subjects: ['ids'], storage: StorageType.File, duplicate_window: nanos(WINDOW_MS), max_age: nanos(WINDOW_MS) });
      write = (key) => js.publish('ids', '', { msgID: key });
    } else if (approach === 'kv') {
      const kv = await new Kvm(nc).create('ids', { history: 1, ttl: WINDOW_MS });
      write = (key) => kv.create(key, '');
    } else {
      await jsm.streams.add({
        name: 'ids',
        subjects: ['ids.>'],
        storage: StorageType.File,
        max_msgs_per_subject: 1,
        discard: DiscardPolicy.New,
        discard_new_per_subject: true,
        max_age: nanos(WINDOW_MS),
      });
      write = (key) => js.publish(`ids.${key}`, 'batchkey-0123456789abcd');
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rss0 = rssBytes(pid);
    const disk0 = diskBytes(node.storeDir);
    const started = Date.now();
    for (let done = 0; done < count; ) {
      const window = Math.min(2000, count - done);
      await Promise.all(Array.from({ length: window }, () => write(id())));
      done += window;
    }
    const seconds = (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rss = rssBytes(pid) - rss0;
    const disk = diskBytes(node.storeDir) - disk0;
    const per = (bytes: number): string => `${(bytes / count).toFixed(0)} B/id, ${((bytes / count) * 10_000_000 / 1024 ** 3).toFixed(2)} GiB at 10M`;
    console.log(`${approach.padEnd(8)} ${count} ids of ${idChars} characters in ${seconds.toFixed(1)} s (${Math.round(count / seconds)}/s): RSS +${(rss / 1024 ** 2).toFixed(0)} MiB (${per(rss)}); disk +${(disk / 1024 ** 2).toFixed(0)} MiB (${per(disk)})`);
  } finally {
    await nc.close();
    await cluster.stop();
  }
}

for (const approach of approaches) {
  if (process.argv[3] === undefined || process.argv[3] === approach) await measure(approach);
}

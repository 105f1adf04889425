/**
 * @module store/jetstream/admin
 * What `konnect-audit quarantine|dead-letter` need from the cluster: page
 * through the quarantine and dead-letter streams (a record's position is its
 * stream sequence), queue dead letters again for the sink that refused them,
 * and store released quarantine lines. Connects without creating anything:
 * the streams are the receivers' (created at their start).
 */
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { ErrorCode } from '../../errors/index.js';
import { KarError } from '../../errors/index.js';
import { encodeEventsRecord } from '../record-codec.js';
import { natsCredsAuthenticator } from './connection.js';
import type { DeadLetterEntry, QuarantineEntry } from '../sqlite/records.js';
import type { QuarantineRecord } from '../types.js';
import { DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT_PREFIX, EVENTS_SUBJECT, QUARANTINE_STREAM, sinkConsumerName } from './names.js';

/** A record re-queued for one sink only: every other sink's consumer skips it. */
export const SINK_HEADER = 'Kar-Sink';

export interface ClusterStoreAddress {
  readonly servers: readonly string[];
  readonly credsFile?: string;
  readonly caFile?: string;
}

/** KONNECT_AUDIT_STORE (and the NATS credentials) from the environment; undefined for the embedded store. */
export function clusterStoreOf(env: NodeJS.ProcessEnv): ClusterStoreAddress | undefined {
  const store = env['KONNECT_AUDIT_STORE'];
  if (store === undefined || store === '' || store === 'sqlite') return undefined;
  const servers = store.split(',').map((url) => url.trim());
  if (!servers.every((url) => /^(nats|tls):\/\/\S+$/.test(url))) throw new KarError('KAR_ERR_CONFIG_INVALID', 'KONNECT_AUDIT_STORE must be sqlite or comma-separated nats:// (or tls://) URLs');
  const creds = env['KONNECT_AUDIT_NATS_CREDS'];
  const ca = env['KONNECT_AUDIT_NATS_CA'];
  return { servers, ...(creds === undefined || creds === '' ? {} : { credsFile: creds }), ...(ca === undefined || ca === '' ? {} : { caFile: ca }) };
}

/** Positions are stream sequences: `qid` in the quarantine stream, `dlid` in the dead-letter stream. */
export type ClusterQuarantineEntry = Omit<QuarantineEntry, 'json'>;
export type ClusterDeadLetterEntry = DeadLetterEntry;

export interface ClusterRecords {
  quarantine(after: number, limit: number): Promise<ClusterQuarantineEntry[]>;
  quarantineCount(): Promise<number>;
  deadLetters(after: number, limit: number, sink?: string): Promise<ClusterDeadLetterEntry[]>;
  deadLetterCount(): Promise<number>;
  /** Queues the entries again, each for its own sink, then removes them from the dead letters. */
  requeueDeadLetters(entries: readonly ClusterDeadLetterEntry[]): Promise<number>;
  /** Removes quarantine entries (released after they verified). */
  removeQuarantine(qids: readonly number[]): Promise<void>;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  close(): Promise<void>;
}

const decoder = new TextDecoder();

export async function openClusterRecords(address: ClusterStoreAddress): Promise<ClusterRecords> {
  const authenticator = address.credsFile === undefined ? undefined : natsCredsAuthenticator(address.credsFile);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: [...address.servers],
      name: 'konnect-audit-cli',
      timeout: 5000,
      ...(authenticator === undefined ? {} : { authenticator }),
      ...(address.caFile === undefined ? {} : { tls: { caFile: address.caFile } }),
    });
  } catch (error) {
    throw new KarError('KAR_ERR_STORE_UNAVAILABLE', `cannot connect to NATS at ${address.servers.join(',')}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);

  /** Messages of a stream after sequence `after`, oldest first, up to `limit` (an ordered consumer, gone when done). */
  async function page(stream: string, after: number, limit: number, subject?: string): Promise<{ seq: number; data: Uint8Array; time: string }[]> {
    const info = await jsm.streams.info(stream);
    if (info.state.messages === 0 || after >= info.state.last_seq) return [];
    const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1, ...(subject === undefined ? {} : { filter_subjects: subject }) });
    const out: { seq: number; data: Uint8Array; time: string }[] = [];
    const messages = await consumer.fetch({ max_messages: limit, expires: 2000 });
    for await (const msg of messages) {
      out.push({ seq: msg.seq, data: msg.data, time: new Date(Math.floor(msg.info.timestampNanos / 1e6)).toISOString() });
      if (msg.info.pending === 0 || out.length >= limit) break;
    }
    await consumer.delete().catch(() => undefined);
    return out;
  }

  return {
    js,
    jsm,
    async quarantine(after, limit) {
      return (await page(QUARANTINE_STREAM, after, limit)).map(({ seq, data, time }) => {
        const record = JSON.parse(decoder.decode(data)) as QuarantineRecord & { receivedAt?: string };
        return { qid: seq, id: record.id, kind: record.kind, code: record.code, reason: record.reason, raw: record.raw, receivedAt: record.receivedAt ?? time };
      });
    },
    async quarantineCount() {
      return (await jsm.streams.info(QUARANTINE_STREAM)).state.messages;
    },
    async deadLetters(after, limit, sink) {
      const subject = sink === undefined ? undefined : `${DEAD_LETTER_SUBJECT_PREFIX}${sinkConsumerName(sink)}`;
      return (await page(DEAD_LETTER_STREAM, after, limit, subject)).map(({ seq, data, time }) => {
        const dead = JSON.parse(decoder.decode(data)) as { sink: string; id: string; json: string; code: ErrorCode; reason: string; at?: string };
        return { dlid: seq, sink: dead.sink, id: dead.id, json: dead.json, code: dead.code, reason: dead.reason, failedAt: dead.at ?? time };
      });
    },
    async deadLetterCount() {
      return (await jsm.streams.info(DEAD_LETTER_STREAM)).state.messages;
    },
    async requeueDeadLetters(entries) {
      const bySink = new Map<string, ClusterDeadLetterEntry[]>();
      for (const entry of entries) bySink.set(entry.sink, [...(bySink.get(entry.sink) ?? []), entry]);
      for (const [sink, group] of bySink) {
        for (let i = 0; i < group.length; i += 500) {
          const chunk = group.slice(i, i + 500);
          const h = headers();
          h.set(SINK_HEADER, sink);
          // Stored before the dead letters go: a failure between the two re-queues twice, never loses.
          await js.publish(EVENTS_SUBJECT, encodeEventsRecord(chunk.map((e) => ({ id: e.id, json: e.json }))), { headers: h });
          for (const entry of chunk) await jsm.streams.deleteMessage(DEAD_LETTER_STREAM, entry.dlid, false);
        }
      }
      return entries.length;
    },
    async removeQuarantine(qids) {
      for (const qid of qids) await jsm.streams.deleteMessage(QUARANTINE_STREAM, qid, false);
    },
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}

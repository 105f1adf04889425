/**
 * @module store/jetstream/names
 * The streams, subjects and consumers cluster mode keeps in JetStream, and
 * their configurations (created or checked at start, idempotently). Every
 * receiver of a cluster uses the same names: that is what makes their
 * dedup and their delivery shared.
 */
import { createHash } from 'node:crypto';
import { nanos } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type ConsumerConfig, type StreamConfig } from '@nats-io/jetstream';

/** Batches of events for delivery: one message per stored batch chunk. */
export const EVENTS_STREAM = 'KAR_EVENTS';
export const EVENTS_SUBJECT = 'kar.events';
/** One subject per event id (its first claim): the shared dedup index. */
export const IDS_STREAM = 'KAR_IDS';
export const IDS_SUBJECT_PREFIX = 'kar.ids.';
/** Lines kept aside (quarantined or rejected). */
export const QUARANTINE_STREAM = 'KAR_QUARANTINE';
export const QUARANTINE_SUBJECT = 'kar.quarantine';
/** Events a sink refused for good: `kar.dead.<sink>`. */
export const DEAD_LETTER_STREAM = 'KAR_DEAD_LETTERS';
export const DEAD_LETTER_SUBJECT_PREFIX = 'kar.dead.';

/** How long quarantine and dead-letter records are kept (they are for inspection and retry by an operator). */
export const RECORDS_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

export interface StreamSettings {
  readonly replicas: number;
  /** Undelivered bytes the events stream holds; beyond, publishes fail and batches are answered 429. */
  readonly maxBytes: number;
  readonly dedupWindowMs: number;
}

/**
 * The events stream: interest retention (a message goes once every sink's
 * consumer acknowledged it), discard new when full (so a full stream refuses
 * the publish: 429, never a silent drop of old events), file storage.
 * The duplicate window covers a batch chunk's message id, so that two
 * receivers storing the same batch at once store it once.
 */
export function eventsStreamConfig(settings: StreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: EVENTS_STREAM,
    subjects: [EVENTS_SUBJECT],
    retention: RetentionPolicy.Interest,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    num_replicas: settings.replicas,
    max_bytes: settings.maxBytes,
    duplicate_window: nanos(settings.dedupWindowMs),
  };
}

/** The dedup index: a subject per id, the first claim wins, forgotten after the window (docs/CLUSTER.md, Sizing). */
export function idsStreamConfig(settings: StreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: IDS_STREAM,
    subjects: [`${IDS_SUBJECT_PREFIX}>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    discard_new_per_subject: true,
    max_msgs_per_subject: 1,
    max_age: nanos(settings.dedupWindowMs),
    num_replicas: settings.replicas,
    // A short window: only two claims of one id racing each other matter here.
    duplicate_window: nanos(60_000),
  };
}

export function recordsStreamConfig(name: string, subjects: string[], replicas: number): Partial<StreamConfig> & { name: string } {
  return { name, subjects, retention: RetentionPolicy.Limits, storage: StorageType.File, discard: DiscardPolicy.Old, max_age: nanos(RECORDS_MAX_AGE_MS), num_replicas: replicas };
}

/** Consumer names allow [A-Za-z0-9_-]: a sink name is kept readable and made unique by a short hash. */
export function sinkConsumerName(sink: string): string {
  const readable = sink.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32);
  return `sink-${readable}-${createHash('sha256').update(sink).digest('hex').slice(0, 8)}`;
}

/** The per-sink durable pull consumer every receiver pulls from (shared work, redelivered after ackWait). */
export function sinkConsumerConfig(sink: string, ackWaitMs: number): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: sinkConsumerName(sink),
    description: `konnect-audit sink ${sink}`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    max_deliver: -1,
    max_ack_pending: 1000,
  };
}

/** The subject of a line's claim: its 16-byte dedup key (store/dedup-key.ts) in base64url (22 characters, subject-safe: the server keeps every subject in memory). */
export function keySubject(keys: Uint8Array, line: number): string {
  return IDS_SUBJECT_PREFIX + Buffer.from(keys.buffer, keys.byteOffset + line * 16, 16).toString('base64url');
}

/** A batch's identity: the hash of its lines' dedup keys in order (a Konnect retry sends the same lines). */
export function batchKey(keyLists: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const keys of keyLists) hash.update(keys);
  return hash.digest('base64url').slice(0, 22);
}

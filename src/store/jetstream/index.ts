/**
 * @module store/jetstream
 * Cluster mode's store: batches in a replicated JetStream stream, a shared
 * dedup index, per-sink consumers shared by every receiver (docs/CLUSTER.md).
 */
export { openJetStreamStore, DEFAULT_NATS_ACK_WAIT_MS, type JetStreamStore, type JetStreamStoreOptions } from './jetstream-store.js';
export { EVENTS_STREAM, IDS_STREAM, QUARANTINE_STREAM, DEAD_LETTER_STREAM, sinkConsumerName } from './names.js';
export { openClusterStore, type NatsStoreChoice } from './open.js';

/**
 * @module store/jetstream/jetstream-store
 * `openJetStreamStore`: the receiver's store in cluster mode (SPEC 10,
 * docs/CLUSTER.md). Connects to NATS, creates or checks the streams and the
 * per-sink consumers (idempotently: every receiver of a cluster does it at
 * start), and offers the same Store and DeliveryStore contracts as the
 * embedded SQLite store.
 */
import { jetstream, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { KarError } from '../../errors/index.js';
import { createSilentLogger, type Logger } from '../../observability/logger.js';
import { registerStoreGauges } from '../metrics.js';
import type { DeliveryStore, Store } from '../types.js';
import { createClaimer } from './claimer.js';
import { commitBatch } from './commit.js';
import { openClusterConnection, type ClusterConnection } from './connection.js';
import { createJetStreamDelivery } from './delivery.js';
import {
  DEAD_LETTER_STREAM,
  DEAD_LETTER_SUBJECT_PREFIX,
  eventsStreamConfig,
  EVENTS_STREAM,
  idsStreamConfig,
  QUARANTINE_STREAM,
  QUARANTINE_SUBJECT,
  recordsStreamConfig,
  sinkConsumerConfig,
} from './names.js';

export const DEFAULT_NATS_ACK_WAIT_MS = 30_000;

export interface JetStreamStoreOptions {
  readonly servers: readonly string[];
  readonly replicas: number;
  readonly maxBytes: number;
  readonly dedupWindowMs: number;
  /** The sinks this receiver delivers to (one shared consumer each); none for the CLI. */
  readonly sinkNames?: readonly string[];
  readonly ackWaitMs?: number;
  readonly credsFile?: string;
  readonly caFile?: string;
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
}

export type JetStreamStore = Store & DeliveryStore & { readonly connection: ClusterConnection };

/** JetStream's "stream name already in use" and "consumer already exists" codes: then update to our configuration. */
const STREAM_EXISTS = 10058;
const CONSUMER_EXISTS = new Set([10013, 10148]);

function code(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof (error as { code: unknown }).code === 'number' ? (error as { code: number }).code : undefined;
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (error) {
    if (code(error) !== STREAM_EXISTS) throw error;
    const { name, ...rest } = config;
    // A replica count the cluster cannot change in place is reported, not hidden.
    await jsm.streams.update(name, rest);
  }
}

export async function openJetStreamStore(options: JetStreamStoreOptions): Promise<JetStreamStore> {
  const logger = options.logger ?? createSilentLogger();
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_NATS_ACK_WAIT_MS;
  const connection = (await openClusterConnection({
    servers: options.servers,
    logger,
    ...(options.credsFile === undefined ? {} : { credsFile: options.credsFile }),
    ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  })) as ClusterConnection & { start(): void };
  const { nc, jsm } = connection;
  const sinks = options.sinkNames ?? [];
  try {
    const settings = { replicas: options.replicas, maxBytes: options.maxBytes, dedupWindowMs: options.dedupWindowMs };
    await ensureStream(jsm, eventsStreamConfig(settings));
    await ensureStream(jsm, idsStreamConfig(settings));
    await ensureStream(jsm, recordsStreamConfig(QUARANTINE_STREAM, [QUARANTINE_SUBJECT], options.replicas));
    await ensureStream(jsm, recordsStreamConfig(DEAD_LETTER_STREAM, [`${DEAD_LETTER_SUBJECT_PREFIX}>`], options.replicas));
    for (const sink of sinks) {
      const config = sinkConsumerConfig(sink, ackWaitMs);
      try {
        await jsm.consumers.add(EVENTS_STREAM, config);
      } catch (error) {
        if (!CONSUMER_EXISTS.has(code(error) ?? 0)) throw error;
        await jsm.consumers.update(EVENTS_STREAM, config.durable_name, config);
      }
    }
  } catch (error) {
    await connection.close();
    throw new KarError('KAR_ERR_STORE_UNAVAILABLE', `cannot create or check the JetStream streams and consumers (replicas ${options.replicas}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  connection.start();
  const js = jetstream(nc, { timeout: options.requestTimeoutMs ?? 5000 });
  const delivery = createJetStreamDelivery({ js, jsm, sinks, logger }, { ackWaitMs });
  delivery.start();
  // The store gauges every receiver exports (store/metrics.ts); here pending "events" are records (up to 1,000 lines each).
  const unregister = registerStoreGauges({
    gauges() {
      const { streams, sinkOldestPendingAgeSeconds } = delivery.gauges();
      return {
        pendingEvents: streams.records,
        pendingBytes: streams.bytes,
        oldestPendingAgeSeconds: streams.oldestAgeSeconds,
        quarantineRecords: streams.quarantine,
        deadLetterRecords: streams.deadLetters,
        maxBytes: options.maxBytes,
        sinkOldestPendingAgeSeconds,
      };
    },
  });
  logger.info({ servers: options.servers, replicas: options.replicas, sinks, ackWaitMs }, 'cluster mode: storing batches in JetStream');
  const claimer = createClaimer(nc, options.requestTimeoutMs ?? 5000);
  const commitDeps = { js, jsm, claimer, maxPayload: nc.info?.max_payload ?? 1024 * 1024, onFailure: (reason: string) => connection.reportFailure(reason) };
  let closed = false;
  return {
    connection,
    commitBatch: (batch) => commitBatch(commitDeps, batch),
    health: () => connection.health(),
    depth: () => delivery.depth(),
    readPending: (sink, limits) => delivery.readPending(sink, limits),
    completeDelivery: (sink, uptoSeq, deadLetters) => delivery.completeDelivery(sink, uptoSeq, deadLetters),
    onCommit: (listener) => delivery.onCommit(listener),
    async close() {
      if (closed) return;
      closed = true;
      unregister();
      await delivery.stop();
      claimer.close();
      await connection.close();
    },
  };
}

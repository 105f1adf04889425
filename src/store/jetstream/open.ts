/**
 * @module store/jetstream/open
 * The receiver's factory branch for cluster mode: the JetStream store from
 * a validated configuration whose `store` is a list of NATS URLs.
 */
import type { ReceiverConfig, StoreChoice } from '../../config/index.js';
import type { Logger } from '../../observability/logger.js';
import { openJetStreamStore, type JetStreamStore } from './jetstream-store.js';

export type NatsStoreChoice = Extract<StoreChoice, { kind: 'nats' }>;

export function openClusterStore(config: Pick<ReceiverConfig, 'storeMaxBytes' | 'dedupWindowMs' | 'sinks'> & { readonly store: NatsStoreChoice }, logger: Logger): Promise<JetStreamStore> {
  const choice = config.store;
  return openJetStreamStore({
    servers: choice.servers,
    replicas: choice.replicas,
    maxBytes: config.storeMaxBytes,
    dedupWindowMs: config.dedupWindowMs,
    sinkNames: config.sinks.map((sink) => sink.name),
    ackWaitMs: choice.ackWaitMs,
    logger,
    ...(choice.credsFile === undefined ? {} : { credsFile: choice.credsFile }),
    ...(choice.caFile === undefined ? {} : { caFile: choice.caFile }),
  });
}

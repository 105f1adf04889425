/**
 * @module store/open-store
 * The receiver's store, chosen by the configuration (`KONNECT_AUDIT_STORE`):
 * the embedded SQLite store in the data dir (the default), or JetStream in
 * cluster mode (SPEC 10). Both keep the same records (store/types.ts).
 */
import type { ReceiverConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import { openClusterStore } from './jetstream/index.js';
import { openStore } from './sqlite/sqlite-store.js';
import type { DeliveryStore, Store } from './types.js';

export type ReceiverStore = Store & DeliveryStore;

export async function openReceiverStore(config: ReceiverConfig, logger: Logger): Promise<ReceiverStore> {
  const sinkNames = config.sinks.map((sink) => sink.name);
  if (config.store.kind === 'sqlite') {
    return openStore({ dataDir: config.dataDir, maxBytes: config.storeMaxBytes, dedupWindowMs: config.dedupWindowMs, maxDedupIds: config.dedupMaxIds, sinkNames, logger });
  }
  return openClusterStore({ ...config, store: config.store }, logger);
}

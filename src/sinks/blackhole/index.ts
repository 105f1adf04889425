/**
 * @module sinks/blackhole
 * Counts and discards (benchmarks: the receiver's throughput without a
 * sink's cost). Every write is delivered.
 */
import type { SinkDeps } from '../deps.js';
import { createRecordFormatter, payloadUsesEvent } from '../payload.js';
import type { Sink } from '../types.js';
import type { BlackholeConfig } from './config.js';
import { measureBatch } from './encode.js';

export interface BlackholeStats {
  readonly batches: number;
  readonly records: number;
  /** Bytes the records' payload lines would have taken. */
  readonly bytes: number;
}

export interface BlackholeSink extends Sink {
  stats(): BlackholeStats;
}

export function createBlackholeSink(config: BlackholeConfig, _deps: SinkDeps): BlackholeSink {
  const format = createRecordFormatter(config);
  let batches = 0;
  let records = 0;
  let bytes = 0;
  return {
    name: config.name,
    type: 'blackhole',
    maxBatchBytes: config.maxBatchBytes,
    usesEvent: payloadUsesEvent(config),
    start: () => Promise.resolve(),
    write: (batch) => {
      batches += 1;
      records += batch.length;
      bytes += measureBatch(batch, format);
      return Promise.resolve({ kind: 'delivered' });
    },
    health: () => ({ ok: true }),
    stats: () => ({ batches, records, bytes }),
    close: () => Promise.resolve(),
  };
}

/**
 * @module sinks/stdout
 * Normalized events as NDJSON on standard output (containers, `| jq`).
 * A write is delivered once the stream has taken the bytes (its write
 * callback), so that backpressure reaches the dispatcher. Logs go to stderr
 * (observability/logger), so stdout stays data.
 */
import type { Writable } from 'node:stream';
import type { SinkDeps } from '../deps.js';
import { createRecordFormatter, payloadUsesEvent } from '../payload.js';
import type { Sink, SinkHealth, WriteOutcome } from '../types.js';
import type { StdoutConfig } from './config.js';
import { encodeStdout } from './encode.js';

export interface StdoutSinkDeps extends SinkDeps {
  /** Where to write; default `process.stdout`. Never closed by the sink. */
  readonly stream?: Writable;
}

export function createStdoutSink(config: StdoutConfig, deps: StdoutSinkDeps): Sink {
  const stream = deps.stream ?? process.stdout;
  const format = createRecordFormatter(config);
  let health: SinkHealth = { ok: true };
  // Without a listener an 'error' (EPIPE when the reader went away) would crash the process;
  // the failed write already reports it as retryable.
  const onError = (error: Error): void => {
    health = { ok: false, detail: `stdout: ${error.message}` };
  };

  return {
    name: config.name,
    type: 'stdout',
    maxBatchBytes: config.maxBatchBytes,
    usesEvent: payloadUsesEvent(config),
    start: () => {
      stream.on('error', onError);
      return Promise.resolve();
    },
    write: async (batch) => {
      if (batch.length === 0) return { kind: 'delivered' };
      const outcome = await writeTo(stream, encodeStdout(batch, format));
      health = outcome.kind === 'delivered' ? { ok: true } : { ok: false, detail: outcome.reason };
      if (outcome.kind !== 'delivered') deps.logger.warn({ code: outcome.code, reason: outcome.reason }, 'stdout write failed');
      return outcome;
    },
    health: () => health,
    close: () => {
      stream.off('error', onError);
      return Promise.resolve();
    },
  };
}

function writeTo(stream: Writable, bytes: Buffer): Promise<WriteOutcome> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) {
      resolve({ kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason: 'stdout is closed' });
      return;
    }
    stream.write(bytes, (error) => {
      resolve(
        error == null
          ? { kind: 'delivered' }
          : { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason: `stdout: ${error.message}` },
      );
    });
  });
}

/**
 * @module sinks/file
 * Normalized events as NDJSON in a file, with size-based rotation and
 * reopen on SIGHUP (logrotate's `postrotate kill -HUP`). A write is delivered
 * once the lines are written and, by default, fsync'd: the store forgets
 * delivered events, so "delivered" must survive a power loss.
 */
import { KarError } from '../../errors/index.js';
import type { SinkDeps } from '../deps.js';
import { createRecordFormatter, payloadUsesEvent } from '../payload.js';
import type { Sink, SinkHealth } from '../types.js';
import type { FileConfig } from './config.js';
import { encodeFileLines } from './encode.js';
import { createRotatingFile } from './rotating-file.js';

export interface FileSink extends Sink {
  /** Close and reopen the file (what SIGHUP does). */
  reopen(): Promise<void>;
}

export function createFileSink(config: FileConfig, deps: SinkDeps): FileSink {
  const file = createRotatingFile({
    path: config.path,
    maxFileBytes: config.maxFileBytes,
    maxFiles: config.maxFiles,
    fsync: config.fsync,
    mode: Number.parseInt(config.fileMode, 8),
  });
  const format = createRecordFormatter(config);
  let health: SinkHealth = { ok: true };

  const reopen = async (): Promise<void> => {
    await file.reopen();
    health = { ok: true };
    deps.logger.info({ path: config.path }, 'file sink reopened');
  };
  const onSighup = (): void => {
    reopen().catch((error: unknown) => {
      health = { ok: false, detail: `reopen failed: ${message(error)}` };
      deps.logger.error({ path: config.path, err: message(error) }, 'file sink cannot reopen its file');
    });
  };

  return {
    name: config.name,
    type: 'file',
    maxBatchBytes: config.maxBatchBytes,
    usesEvent: payloadUsesEvent(config),
    start: async () => {
      try {
        await file.open();
      } catch (error) {
        throw new KarError('KAR_ERR_IO_WRITE', `sink "${config.name}": cannot open ${config.path} for appending (${message(error)})`, {
          details: { sink: config.name, path: config.path },
          cause: error,
        });
      }
      if (config.reopenOnSighup) process.on('SIGHUP', onSighup);
    },
    write: async (batch) => {
      if (batch.length === 0) return { kind: 'delivered' };
      try {
        await file.append(encodeFileLines(batch, format));
        health = { ok: true };
        return { kind: 'delivered' };
      } catch (error) {
        const reason = `${config.path}: ${message(error)}`;
        health = { ok: false, detail: reason };
        deps.logger.warn({ code: 'KAR_ERR_SINK_UNREACHABLE', reason }, 'file sink write failed');
        return { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason };
      }
    },
    health: () => health,
    reopen,
    close: async () => {
      process.off('SIGHUP', onSighup);
      await file.close();
    },
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

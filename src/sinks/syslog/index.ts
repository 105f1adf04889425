/**
 * @module sinks/syslog
 * RFC 5424 over TCP (RFC 6587) or TLS (RFC 5425) to a syslog collector
 * (rsyslog, syslog-ng, QRadar, ArcSight, LogRhythm): the original Konnect
 * line as MSG by default (payload `raw`; v1, ocsf or ecs put JSON there),
 * never truncated, octet-counting framing, a stable HOSTNAME.
 * See docs/sinks/syslog.md.
 */
import { readCaFile } from '../ca-file.js';
import type { SinkDeps } from '../deps.js';
import { createRecordFormatter } from '../payload.js';
import type { Sink, SinkHealth } from '../types.js';
import { withStructuredData, type SyslogConfig } from './config.js';
import { createSyslogConnection, type SyslogConnection } from './connection.js';
import { encodeSyslogBatch, type SyslogFormat } from './encode.js';

export function createSyslogSink(config: SyslogConfig, deps: SinkDeps): Sink {
  const log = deps.logger.child({ target: `${config.protocol}://${config.host}:${config.port}` });
  const format: SyslogFormat = {
    facility: config.facility,
    hostname: config.hostname,
    appName: config.appName,
    framing: config.framing,
    structuredDataId: withStructuredData(config) ? config.structuredDataId : undefined,
  };
  const payload = createRecordFormatter(config);
  let connection: SyslogConnection | undefined;
  let health: SinkHealth = { ok: true };
  // One write at a time: frames of two batches must never interleave on the stream.
  let queue: Promise<unknown> = Promise.resolve();

  return {
    name: config.name,
    type: 'syslog',
    maxBatchBytes: config.maxBatchBytes,
    usesEvent: true,
    start: async () => {
      const ca = config.caFile === undefined ? undefined : await readCaFile(config.caFile, config.name);
      const conn = createSyslogConnection({
        protocol: config.protocol,
        host: config.host,
        port: config.port,
        ca,
        servername: config.servername,
        connectTimeoutMs: config.connectTimeoutMs,
        writeTimeoutMs: config.writeTimeoutMs,
      });
      connection = conn;
      // Reachability is reported, not required: events wait in the store until the collector is back.
      try {
        await conn.connect();
      } catch (error) {
        health = { ok: false, detail: message(error) };
        log.warn({ code: 'KAR_ERR_SINK_UNREACHABLE', reason: message(error) }, 'syslog collector not reachable yet; events wait in the store');
      }
    },
    write: (batch) => {
      const conn = connection;
      if (conn === undefined) throw new Error(`sink "${config.name}": write() before start()`);
      const run = async () => {
        if (batch.length === 0) return { kind: 'delivered' } as const;
        try {
          await conn.send(encodeSyslogBatch(batch, format, payload));
          health = { ok: true };
          return { kind: 'delivered' } as const;
        } catch (error) {
          const reason = message(error);
          health = { ok: false, detail: reason };
          log.warn({ code: 'KAR_ERR_SINK_UNREACHABLE', reason, records: batch.length }, 'syslog write failed; will reconnect');
          return { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason } as const;
        }
      };
      const next = queue.then(run, run);
      queue = next;
      return next;
    },
    health: () => health,
    close: async () => {
      await queue.catch(() => undefined);
      await connection?.close();
      connection = undefined;
    },
  };
}

function message(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  if (err instanceof Error) return err.code === undefined ? err.message : `${err.code}: ${err.message}`;
  return String(error);
}

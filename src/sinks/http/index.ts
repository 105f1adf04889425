/**
 * @module sinks/http
 * A generic NDJSON POST (any collector with an HTTP input: Vector, Fluent
 * Bit, Logstash, Elastic, a custom service). One request per batch; the
 * answer maps to an outcome through the shared table (sinks/http-outcome).
 */
import { readCaFile } from '../ca-file.js';
import { describeUrl } from '../config-common.js';
import type { SinkDeps } from '../deps.js';
import { createRecordFormatter, payloadUsesEvent } from '../payload.js';
import { gzip } from '../gzip.js';
import { createHttpClient, type HttpClient } from '../http-client.js';
import { outcomeForStatus } from '../http-outcome.js';
import { redactText } from '../secret.js';
import type { Sink, SinkHealth, WriteOutcome } from '../types.js';
import type { HttpConfig } from './config.js';
import { encodeHttpRequest } from './encode.js';

export function createHttpSink(config: HttpConfig, deps: SinkDeps): Sink {
  const url = new URL(config.url);
  const log = deps.logger.child({ url: describeUrl(config.url) });
  const secrets = Object.values(config.headers);
  const format = createRecordFormatter(config);
  let client: HttpClient | undefined;
  let health: SinkHealth = { ok: true };

  const send = async (http: HttpClient, batch: Parameters<Sink['write']>[0]): Promise<WriteOutcome> => {
    const encoded = encodeHttpRequest(batch, config, format);
    const headers: Record<string, string> = { ...encoded.headers, 'user-agent': 'konnect-audit-receiver' };
    for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value.reveal();
    if (config.gzip) headers['content-encoding'] = 'gzip';
    const body = config.gzip ? await gzip(encoded.body) : encoded.body;
    const answer = await http.post({ url, headers, body, timeoutMs: config.timeoutMs });
    if (!answer.ok) return { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason: answer.reason };
    return outcomeForStatus(answer.status, answer.headers, answer.body);
  };

  return {
    name: config.name,
    type: 'http',
    maxBatchBytes: config.maxBatchBytes,
    usesEvent: payloadUsesEvent(config),
    start: async () => {
      const ca = config.caFile === undefined ? undefined : await readCaFile(config.caFile, config.name);
      client = createHttpClient(ca === undefined ? {} : { ca });
    },
    write: async (batch) => {
      if (batch.length === 0) return { kind: 'delivered' };
      if (client === undefined) throw new Error(`sink "${config.name}": write() before start()`);
      const raw = await send(client, batch);
      // A server may echo a header value back; no reason that reaches a log may carry it.
      const outcome = raw.kind === 'delivered' ? raw : { ...raw, reason: redactText(raw.reason, secrets) };
      health = outcome.kind === 'retryable' ? { ok: false, detail: `${outcome.code}: ${outcome.reason}` } : { ok: true };
      if (outcome.kind !== 'delivered') log.warn({ code: outcome.code, reason: outcome.reason, records: batch.length }, 'http sink write not delivered');
      return outcome;
    },
    health: () => health,
    close: () => {
      client?.close();
      client = undefined;
      return Promise.resolve();
    },
  };
}

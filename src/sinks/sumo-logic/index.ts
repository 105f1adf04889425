/**
 * @module sinks/sumo-logic
 * Sumo Logic HTTP Logs & Metrics source: NDJSON POSTed to the source URL,
 * gzip'd (`Content-Encoding: gzip`), X-Sumo-Category/-Name/-Host/-Fields,
 * requests kept under Sumo's 1 MB limit, 429 means send again later.
 * The URL is the credential: it never reaches a log or an outcome reason.
 */
import { readCaFile } from '../ca-file.js';
import { sendChunks } from '../chunks.js';
import { describeUrl } from '../config-common.js';
import type { SinkDeps } from '../deps.js';
import { gzip } from '../gzip.js';
import { createHttpClient, type HttpClient } from '../http-client.js';
import { outcomeForStatus } from '../http-outcome.js';
import { joinLines, lineBytes } from '../ndjson.js';
import { createRecordFormatter, payloadUsesEvent } from '../payload.js';
import { Secret, redactText } from '../secret.js';
import type { Sink, SinkHealth, SinkRecord, WriteOutcome } from '../types.js';
import type { SumoLogicConfig } from './config.js';
import { sumoChunks, sumoFieldsHeader, sumoHeaders, verdictFields } from './encode.js';

export function createSumoLogicSink(config: SumoLogicConfig, deps: SinkDeps): Sink {
  const url = new URL(config.url.reveal());
  // The path is the token; an error message may quote the path alone.
  const secrets = [config.url, new Secret(url.href), ...(url.pathname.length > 8 ? [new Secret(url.pathname)] : [])];
  const log = deps.logger.child({ url: describeUrl(url.href) });
  const headers = sumoHeaders(config);
  if (config.gzip) headers['content-encoding'] = 'gzip';
  const format = createRecordFormatter(config);
  const raw = config.payload === 'raw';
  // A raw line carries no verdict: it goes in X-Sumo-Fields, beside the configured fields.
  const headersFor = (record: SinkRecord): Record<string, string> =>
    raw ? { ...headers, 'x-sumo-fields': sumoFieldsHeader({ ...config.fields, ...verdictFields(record) }) } : headers;
  let client: HttpClient | undefined;
  let health: SinkHealth = { ok: true };

  const send = async (http: HttpClient, plain: Buffer, requestHeaders: Record<string, string>): Promise<WriteOutcome> => {
    const body = config.gzip ? await gzip(plain) : plain;
    const answer = await http.post({ url, headers: requestHeaders, body, timeoutMs: config.timeoutMs });
    if (!answer.ok) return { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason: answer.reason };
    return outcomeForStatus(answer.status, answer.headers, answer.body);
  };

  return {
    name: config.name,
    type: 'sumo-logic',
    maxBatchBytes: config.maxBatchBytes,
    usesEvent: payloadUsesEvent(config),
    start: async () => {
      const ca = config.caFile === undefined ? undefined : await readCaFile(config.caFile, config.name);
      client = createHttpClient(ca === undefined ? {} : { ca });
    },
    write: async (batch) => {
      if (batch.length === 0) return { kind: 'delivered' };
      const http = client;
      if (http === undefined) throw new Error(`sink "${config.name}": write() before start()`);
      // Sumo's 1 MB limit is on what is sent: sizes are taken on the payload lines, not on the stored JSON.
      const texts = batch.map(format);
      const chunks = sumoChunks(batch, texts.map(lineBytes), config.maxBatchBytes, raw);
      const answer = await sendChunks(chunks, (chunk) => send(http, joinLines(texts.slice(chunk.start, chunk.end)), headersFor(batch[chunk.start] as SinkRecord)));
      const outcome = redactOutcome(answer, secrets);
      health = outcome.kind === 'retryable' ? { ok: false, detail: `${outcome.code}: ${outcome.reason}` } : { ok: true };
      if (outcome.kind !== 'delivered') log.warn({ code: outcome.code, reason: outcome.reason, records: batch.length }, 'sumo-logic write not delivered');
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

function redactOutcome(outcome: WriteOutcome, secrets: readonly Secret[]): WriteOutcome {
  if (outcome.kind === 'delivered') {
    return outcome.rejected === undefined ? outcome : { ...outcome, rejected: outcome.rejected.map((r) => ({ ...r, reason: redactText(r.reason, secrets) })) };
  }
  return { ...outcome, reason: redactText(outcome.reason, secrets) };
}

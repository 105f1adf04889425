/**
 * @module sinks/splunk-hec
 * Splunk HTTP Event Collector: POST /services/collector/event with
 * `Authorization: Splunk <token>`, concatenated event objects, gzip, ~1 MB
 * requests, the `invalid-event-number` partial failure resent from the right
 * event, optional indexer acknowledgement. See docs/sinks/splunk-hec.md.
 */
import { randomUUID } from 'node:crypto';
import { readCaFile } from '../ca-file.js';
import { describeUrl } from '../config-common.js';
import type { SinkDeps } from '../deps.js';
import { createHttpClient, type HttpClient } from '../http-client.js';
import { redactText } from '../secret.js';
import type { Sink, SinkHealth } from '../types.js';
import { createRecordFormatter, payloadUsesEvent } from '../payload.js';
import { HEC_ACK_PATH, HEC_EVENT_PATH, defaultSourcetypes, hecBaseUrl, hecUrl, type SplunkHecConfig } from './config.js';
import { deliverHec } from './deliver.js';
import { encodeHecEvents, type HecEventMeta } from './encode.js';

export function createSplunkHecSink(config: SplunkHecConfig, deps: SinkDeps): Sink {
  const base = hecBaseUrl(config.url);
  const eventUrl = hecUrl(base, HEC_EVENT_PATH);
  const ackUrl = hecUrl(base, HEC_ACK_PATH);
  const channel = config.channel ?? randomUUID();
  const log = deps.logger.child({ url: describeUrl(base.href) });
  const meta: HecEventMeta = {
    host: config.host,
    source: config.source,
    sourcetype: config.sourcetype ?? defaultSourcetypes[config.payload],
    index: config.index,
    indexedFields: config.indexedFields,
    fields: config.fields,
    payload: config.payload,
    format: createRecordFormatter(config),
  };
  let client: HttpClient | undefined;
  let closed = false;
  let warnedAckIdMissing = false;
  let health: SinkHealth = { ok: true };

  return {
    name: config.name,
    type: 'splunk-hec',
    // The envelope (time, host, source, fields) adds to each event's JSON: ask the dispatcher
    // for a little less so that a typical batch is one request.
    maxBatchBytes: Math.max(1, Math.floor(config.maxBatchBytes * 0.8)),
    usesEvent: payloadUsesEvent(config),
    start: async () => {
      const ca = config.caFile === undefined ? undefined : await readCaFile(config.caFile, config.name);
      client = createHttpClient(ca === undefined ? {} : { ca });
      closed = false;
    },
    write: async (batch) => {
      if (batch.length === 0) return { kind: 'delivered' };
      if (client === undefined) throw new Error(`sink "${config.name}": write() before start()`);
      const headers: Record<string, string> = {
        authorization: `Splunk ${config.token.reveal()}`,
        'user-agent': 'konnect-audit-receiver',
      };
      if (config.ack.enabled) headers['x-splunk-request-channel'] = channel;
      const raw = await deliverHec(encodeHecEvents(batch, meta), {
        client,
        eventUrl,
        ackUrl,
        headers,
        gzip: config.gzip,
        maxBatchBytes: config.maxBatchBytes,
        timeoutMs: config.timeoutMs,
        ack: config.ack,
        isClosed: () => closed,
        onAckIdMissing: () => {
          if (warnedAckIdMissing) return;
          warnedAckIdMissing = true;
          log.warn('ack.enabled is set but HEC answers without an ackId: the token has indexer acknowledgement off; events count as delivered when received');
        },
      });
      const outcome = raw.kind === 'delivered' ? raw : { ...raw, reason: redactText(raw.reason, [config.token]) };
      health = outcome.kind === 'retryable' ? { ok: false, detail: `${outcome.code}: ${outcome.reason}` } : { ok: true };
      if (outcome.kind !== 'delivered') log.warn({ code: outcome.code, reason: outcome.reason, records: batch.length }, 'splunk-hec write not delivered');
      else if (outcome.rejected !== undefined) {
        log.warn({ code: 'KAR_ERR_SINK_REJECTED', rejected: outcome.rejected.length, records: batch.length, reason: outcome.rejected[0]?.reason }, 'splunk-hec refused some events');
      }
      return outcome;
    },
    health: () => health,
    close: () => {
      closed = true;
      client?.close();
      client = undefined;
      return Promise.resolve();
    },
  };
}

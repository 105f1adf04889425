/**
 * @module sinks/splunk-hec/config
 */
import { z } from 'zod';
import { bytesField, caFileField, defaultHostname, httpUrlField, msField, nameField } from '../config-common.js';
import { secretSchema } from '../secret.js';
import { payloadField, rawDataField } from '../payload.js';

/** Splunk's channel identifiers are GUIDs ("X-Splunk-Request-Channel"). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const HEC_EVENT_PATH = '/services/collector/event';
export const HEC_ACK_PATH = '/services/collector/ack';

const ackSchema = z
  .strictObject({
    /** Wait for indexer acknowledgement (the token must have it on): delivered means indexed, not just received. */
    enabled: z.boolean().default(false),
    /** Give up waiting after this long; the events are sent again (retryable). */
    timeoutMs: msField(60_000),
    /** Time between two polls of /services/collector/ack. */
    pollIntervalMs: msField(1_000, 60_000),
  })
  .default({ enabled: false, timeoutMs: 60_000, pollIntervalMs: 1_000 });

export const splunkHecConfigSchema = z.strictObject({
  type: z.literal('splunk-hec'),
  name: nameField('splunk-hec'),
  /** What is sent per event: v1 (the normalized event), ocsf, ecs or raw (the signed line); see docs/SIEM.md. */
  payload: payloadField(),
  /** ocsf/ecs: add the original line (`raw_data` / `event.original`). */
  rawData: rawDataField,
  /** HEC base URL, e.g. https://splunk.example.com:8088 (a URL ending in /services/collector[/event] is accepted too). */
  url: httpUrlField('the HEC base URL'),
  /** The HEC token (sent as `Authorization: Splunk <token>`). */
  token: secretSchema,
  /** Target index; omitted: the token's default index. */
  index: z.string().min(1).optional(),
  source: z.string().min(1).default('konnect-audit-receiver'),
  /** Default by payload: konnect:audit (v1, what the TA-konnect-audit add-on maps to CIM), konnect:audit:ocsf, konnect:audit:ecs, konnect:audit:raw. */
  sourcetype: z.string().min(1).optional(),
  /** The `host` of every event: stable across restarts (default: this machine's host name). */
  host: z.string().min(1).default(defaultHostname),
  /** Add `signature_status` and `category` as indexed fields (fast `tstats`/filtering). */
  indexedFields: z.boolean().default(true),
  /** Extra static indexed fields on every event (e.g. {"environment":"prod"}). */
  fields: z.record(z.string().min(1), z.string()).default({}),
  gzip: z.boolean().default(true),
  /** Largest request body before compression; ~1 MB is what Splunk recommends per batch. */
  maxBatchBytes: bytesField(1_000_000),
  timeoutMs: msField(30_000),
  caFile: caFileField,
  ack: ackSchema,
  /** Channel GUID for indexer acknowledgement; default: a new one per process. */
  channel: z.string().regex(GUID, 'a GUID such as 0b7f6a2e-2c1d-4e59-9f5a-3c8e1d2b4a6f').optional(),
});

export type SplunkHecConfig = z.infer<typeof splunkHecConfigSchema>;

/** The sourcetype each payload gets unless one is configured (siem/splunk/TA-konnect-audit defines them). */
export const defaultSourcetypes = {
  v1: 'konnect:audit',
  ocsf: 'konnect:audit:ocsf',
  ecs: 'konnect:audit:ecs',
  raw: 'konnect:audit:raw',
} as const;

/** The base URL the HEC paths are appended to (accepts a URL that already names an HEC endpoint). */
export function hecBaseUrl(url: string): URL {
  const base = new URL(url);
  base.pathname = base.pathname.replace(/\/services\/collector(\/event(\/1\.0)?|\/raw|\/ack)?\/?$/, '').replace(/\/+$/, '');
  base.search = '';
  base.hash = '';
  return base;
}

export function hecUrl(base: URL, path: string): URL {
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  return url;
}

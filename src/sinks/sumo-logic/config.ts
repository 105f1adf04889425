/**
 * @module sinks/sumo-logic/config
 */
import { z } from 'zod';
import { bytesField, caFileField, defaultHostname, isHttpUrl, msField, nameField } from '../config-common.js';
import { secretSchema } from '../secret.js';
import { payloadField, rawDataField } from '../payload.js';

/** Sumo Logic: "You may send batched requests up to but not exceeding 1MB of uncompressed data." */
export const SUMO_MAX_REQUEST_BYTES = 1_000_000;

/** X-Sumo-Fields is `key=value,key=value`: neither may hold the separators. */
const fieldText = z.string().regex(/^[^,=\r\n]+$/, 'no ",", "=" or line breaks');

export const sumoLogicConfigSchema = z.strictObject({
  type: z.literal('sumo-logic'),
  name: nameField('sumo-logic'),
  /** What is sent per event: v1 (the normalized event), ocsf, ecs or raw (the signed line); see docs/SIEM.md. */
  payload: payloadField(),
  /** ocsf/ecs: add the original line (`raw_data` / `event.original`). */
  rawData: rawDataField,
  /** The HTTP Logs & Metrics source URL. It embeds the source's credential: a secret, never logged. */
  url: secretSchema.refine((url) => isHttpUrl(url.reveal()), 'must be the http(s) URL of a Sumo Logic HTTP source'),
  /** X-Sumo-Category (overrides the source category). */
  category: z.string().min(1).optional(),
  /** X-Sumo-Name (overrides the source name). */
  sourceName: z.string().min(1).optional(),
  /** X-Sumo-Host (default: this machine's host name, stable across restarts). */
  sourceHost: z.string().min(1).default(defaultHostname),
  /** X-Sumo-Fields: fields attached to every message (the fields must exist in Sumo or they are dropped there). */
  fields: z.record(fieldText, fieldText).default({}),
  gzip: z.boolean().default(true),
  /** Request size before compression; Sumo recommends 100 KB–1 MB and refuses more than 1 MB. */
  maxBatchBytes: bytesField(SUMO_MAX_REQUEST_BYTES, SUMO_MAX_REQUEST_BYTES),
  timeoutMs: msField(30_000),
  caFile: caFileField,
});

export type SumoLogicConfig = z.infer<typeof sumoLogicConfigSchema>;

/**
 * @module sinks/http/config
 */
import { z } from 'zod';
import { MIB, bytesField, caFileField, httpUrlField, msField, nameField } from '../config-common.js';
import { secretSchema } from '../secret.js';
import { payloadField, rawDataField } from '../payload.js';

/** Headers the sink sets itself (framing, compression): configuring them would corrupt the request. */
const RESERVED_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'host', 'connection']);

const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid HTTP header name (RFC 9110 token)')
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), 'set by the sink itself');

export const httpConfigSchema = z.strictObject({
  type: z.literal('http'),
  name: nameField('http'),
  /** What is sent per event: v1 (the normalized event), ocsf, ecs or raw (the signed line); see docs/SIEM.md. */
  payload: payloadField(),
  /** ocsf/ecs: add the original line (`raw_data` / `event.original`). */
  rawData: rawDataField,
  /** Where to POST (credentials in the URL are never logged, but prefer a header). */
  url: httpUrlField('the endpoint that receives NDJSON'),
  /** Extra request headers (e.g. Authorization); values are secrets, never logged. */
  headers: z.record(headerName, secretSchema).default({}),
  contentType: z.string().min(1).default('application/x-ndjson'),
  gzip: z.boolean().default(true),
  timeoutMs: msField(30_000),
  caFile: caFileField,
  maxBatchBytes: bytesField(MIB),
});

export type HttpConfig = z.infer<typeof httpConfigSchema>;

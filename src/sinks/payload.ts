/**
 * @module sinks/payload
 * What a sink sends for each record, chosen per sink (`payload` in its
 * config, issue 14): the stored `konnect-audit/v1` JSON as it is, an OCSF or
 * ECS document made by the shared mapping (src/payload), or the original
 * signed line (`raw`). Sizes for request limits are taken on these texts,
 * never on the stored JSON: an ECS or raw payload is much smaller, an OCSF
 * one may be larger.
 */
import { z } from 'zod';
import { formatPayload, payloadSchemas, type PayloadSchema } from '../payload/index.js';
import type { SinkRecord } from './types.js';

export type { PayloadSchema } from '../payload/index.js';

/** `payload`: the schema a sink sends (default `v1`; syslog's is `raw`, the line as today). */
export function payloadField(defaultSchema: PayloadSchema = 'v1') {
  return z.enum(payloadSchemas).default(defaultSchema);
}

/** `rawData`: add the original line to an OCSF (`raw_data`) or ECS (`event.original`) payload. */
export const rawDataField = z.boolean().default(false);

export interface PayloadConfig {
  readonly payload: PayloadSchema;
  readonly rawData: boolean;
}

/** One record → its payload text (no newline). */
export type RecordFormatter = (record: SinkRecord) => string;

export function createRecordFormatter(config: PayloadConfig): RecordFormatter {
  const { payload, rawData } = config;
  // v1: the JSON the store serialized once; parsing and re-serializing it would only cost.
  if (payload === 'v1') return (record) => record.json;
  if (payload === 'raw') return (record) => record.event.raw;
  const options = { rawData };
  return (record) => formatPayload(record.event, payload, options);
}

/** Whether the sink reads `record.event` (every payload but v1 is made from it). */
export function payloadUsesEvent(config: PayloadConfig): boolean {
  return config.payload !== 'v1';
}

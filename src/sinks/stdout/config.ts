/**
 * @module sinks/stdout/config
 */
import { z } from 'zod';
import { MIB, bytesField, nameField } from '../config-common.js';
import { payloadField, rawDataField } from '../payload.js';

export const stdoutConfigSchema = z.strictObject({
  type: z.literal('stdout'),
  name: nameField('stdout'),
  /** What is sent per event: v1 (the normalized event), ocsf, ecs or raw (the signed line); see docs/SIEM.md. */
  payload: payloadField(),
  /** ocsf/ecs: add the original line (`raw_data` / `event.original`). */
  rawData: rawDataField,
  /** Preferred batch size for the dispatcher (bytes of NDJSON). */
  maxBatchBytes: bytesField(MIB),
});

export type StdoutConfig = z.infer<typeof stdoutConfigSchema>;

/**
 * @module sinks/blackhole/config
 */
import { z } from 'zod';
import { MIB, bytesField, nameField } from '../config-common.js';
import { payloadField, rawDataField } from '../payload.js';

export const blackholeConfigSchema = z.strictObject({
  type: z.literal('blackhole'),
  name: nameField('blackhole'),
  /** What is sent per event: v1 (the normalized event), ocsf, ecs or raw (the signed line); see docs/SIEM.md. */
  payload: payloadField(),
  /** ocsf/ecs: add the original line (`raw_data` / `event.original`). */
  rawData: rawDataField,
  maxBatchBytes: bytesField(MIB),
});

export type BlackholeConfig = z.infer<typeof blackholeConfigSchema>;

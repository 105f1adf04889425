/**
 * @module sinks/file/config
 */
import { z } from 'zod';
import { MIB, bytesField, nameField } from '../config-common.js';
import { payloadField, rawDataField } from '../payload.js';

export const fileConfigSchema = z.strictObject({
  type: z.literal('file'),
  name: nameField('file'),
  /** What is sent per event: v1 (the normalized event), ocsf, ecs or raw (the signed line); see docs/SIEM.md. */
  payload: payloadField(),
  /** ocsf/ecs: add the original line (`raw_data` / `event.original`). */
  rawData: rawDataField,
  /** The NDJSON file; its directory is created when missing. */
  path: z.string().min(1),
  /** Rotate before the file would grow past this size; 0 turns size rotation off (use logrotate + SIGHUP). */
  maxFileBytes: z.number().int().min(0).default(100 * MIB),
  /** Rotated files kept (`PATH.1` is the newest); older ones are deleted. */
  maxFiles: z.number().int().min(1).max(1000).default(10),
  /** fsync after every batch: a delivered batch survives a power loss (the store forgets delivered events). */
  fsync: z.boolean().default(true),
  /** Permissions of new files, octal (audit events are sensitive: no world access by default). */
  fileMode: z
    .string()
    .regex(/^0?[0-7]{3}$/, 'an octal mode such as "0640"')
    .default('0640'),
  /** Reopen the file on SIGHUP (after logrotate renamed it). */
  reopenOnSighup: z.boolean().default(true),
  maxBatchBytes: bytesField(MIB),
});

export type FileConfig = z.infer<typeof fileConfigSchema>;

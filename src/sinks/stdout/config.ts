/**
 * @module sinks/stdout/config
 */
import { z } from 'zod';
import { MIB, bytesField, nameField } from '../config-common.js';

export const stdoutConfigSchema = z.strictObject({
  type: z.literal('stdout'),
  name: nameField('stdout'),
  /** Preferred batch size for the dispatcher (bytes of NDJSON). */
  maxBatchBytes: bytesField(MIB),
});

export type StdoutConfig = z.infer<typeof stdoutConfigSchema>;

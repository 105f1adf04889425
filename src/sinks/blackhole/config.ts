/**
 * @module sinks/blackhole/config
 */
import { z } from 'zod';
import { MIB, bytesField, nameField } from '../config-common.js';

export const blackholeConfigSchema = z.strictObject({
  type: z.literal('blackhole'),
  name: nameField('blackhole'),
  maxBatchBytes: bytesField(MIB),
});

export type BlackholeConfig = z.infer<typeof blackholeConfigSchema>;

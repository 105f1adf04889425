/**
 * @module payload/types
 * What a sink (or `konnect-audit parse --schema`) sends for one event.
 */
export const payloadSchemas = ['v1', 'ocsf', 'ecs', 'raw'] as const;
export type PayloadSchema = (typeof payloadSchemas)[number];

export function isPayloadSchema(value: unknown): value is PayloadSchema {
  return typeof value === 'string' && (payloadSchemas as readonly string[]).includes(value);
}

export interface PayloadOptions {
  /** Add the original signed line (OCSF `raw_data`, ECS `event.original`); v1 always has `raw`. */
  readonly rawData?: boolean;
}

/** A JSON object as the mappings build it (property order = output order). */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

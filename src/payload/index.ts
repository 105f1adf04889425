/**
 * @module payload
 * One `konnect-audit/v1` event → what a sink sends for it, in the schema the
 * sink is set to (SIEM-native events, issue 14):
 *
 * - `v1`: the normalized event itself (SPEC 6);
 * - `ocsf`: OCSF 1.8.0 (Authentication 3002, API Activity 6003);
 * - `ecs`: Elastic Common Schema;
 * - `raw`: the original signed line, byte for byte.
 *
 * Pure functions: the sinks and `konnect-audit parse --schema` share them.
 */
import type { NormalizedEvent } from '../normalize/event.js';
import { serializeEvent } from '../normalize/serialize.js';
import { toEcs } from './ecs.js';
import { toOcsf } from './ocsf.js';
import type { PayloadOptions, PayloadSchema } from './types.js';

export { payloadSchemas, isPayloadSchema, type PayloadSchema, type PayloadOptions, type JsonObject, type JsonValue } from './types.js';
export { toOcsf } from './ocsf.js';
export { OCSF_VERSION } from './ocsf-common.js';
export { AUTHENTICATION_CLASS_UID } from './ocsf-authentication.js';
export { API_ACTIVITY_CLASS_UID, SECURITY_CONTROL_PROFILE } from './ocsf-api-activity.js';
export { toEcs, ECS_DATASET, ECS_VERSION } from './ecs.js';

/**
 * The payload of one event as text (no newline): JSON for v1/ocsf/ecs, the
 * original line for raw. `raw` is a JSON string only where a sink wraps it
 * (HEC); here it is the line itself.
 */
export function formatPayload(event: NormalizedEvent, schema: PayloadSchema, options: PayloadOptions = {}): string {
  switch (schema) {
    case 'v1':
      return serializeEvent(event);
    case 'ocsf':
      return JSON.stringify(toOcsf(event, options));
    case 'ecs':
      return JSON.stringify(toEcs(event, options));
    case 'raw':
      return event.raw;
  }
}

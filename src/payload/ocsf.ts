/**
 * @module payload/ocsf
 * A `konnect-audit/v1` event as an OCSF 1.8.0 event: logins are
 * Authentication (3002), API calls and permission checks API Activity
 * (6003). See docs/SIEM.md for the field table.
 */
import type { NormalizedEvent } from '../normalize/event.js';
import { toOcsfApiActivity } from './ocsf-api-activity.js';
import { toOcsfAuthentication } from './ocsf-authentication.js';
import type { JsonObject, PayloadOptions } from './types.js';

export function toOcsf(event: NormalizedEvent, options: PayloadOptions = {}): JsonObject {
  return event.category === 'authentication' ? toOcsfAuthentication(event, options) : toOcsfApiActivity(event, options);
}

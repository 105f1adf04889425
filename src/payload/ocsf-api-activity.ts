/**
 * @module payload/ocsf-api-activity
 * Konnect API calls (`Ingress`) and permission checks (`Authz.*`) as OCSF
 * 1.8.0 API Activity (class 6003, category Application Activity); a
 * permission check adds the `security_control` profile: `action_id`
 * Allowed/Denied, `disposition_id` Allowed/Blocked and the decision in
 * `actor.authorizations`. An event of unknown family is API Activity with
 * activity Unknown (it came through Konnect's API all the same).
 */
import type { NormalizedEvent } from '../normalize/event.js';
import { authzResource, operationOf, outcomeOf, present, verbOf, type Verb } from './common.js';
import { ocsfHttpRequest, ocsfMetadata, ocsfSeverity, ocsfSourceEndpoint, ocsfStatus, ocsfTail, ocsfUnmapped, ocsfUser } from './ocsf-common.js';
import type { JsonObject, PayloadOptions } from './types.js';

export const API_ACTIVITY_CLASS_UID = 6003;
export const SECURITY_CONTROL_PROFILE = 'security_control';

const activities: Readonly<Record<Verb | 'unknown', { id: number; name: string }>> = {
  unknown: { id: 0, name: 'Unknown' },
  create: { id: 1, name: 'Create' },
  read: { id: 2, name: 'Read' },
  update: { id: 3, name: 'Update' },
  delete: { id: 4, name: 'Delete' },
  other: { id: 99, name: 'Other' },
};

export function toOcsfApiActivity(event: NormalizedEvent, options: PayloadOptions): JsonObject {
  const authz = event.category === 'authorization';
  const operation = operationOf(event);
  const verb = event.category === 'unknown' ? undefined : verbOf(operation);
  const activity = activities[verb ?? 'unknown'];
  const outcome = outcomeOf(event);
  const out: JsonObject = {
    class_uid: API_ACTIVITY_CLASS_UID,
    class_name: 'API Activity',
    category_uid: 6,
    category_name: 'Application Activity',
    activity_id: activity.id,
    // "Other": the caption is the source's own word (OCSF: activity_name holds it when activity_id is 99).
    activity_name: activity.id === 99 && operation !== undefined ? operation : activity.name,
    type_uid: API_ACTIVITY_CLASS_UID * 100 + activity.id,
    type_name: `API Activity: ${activity.id === 99 && operation !== undefined ? operation : activity.name}`,
    ...ocsfSeverity(event),
    ...ocsfStatus(outcome),
    metadata: ocsfMetadata(event, authz ? [SECURITY_CONTROL_PROFILE] : undefined),
  };
  const actor: JsonObject = { user: ocsfUser(event) };
  // For a permission check `event_class_id` names the Konnect service that asked (Kong: "don't rely on it" for the family).
  const service: JsonObject = { name: authz && event.header.event_class_id !== '' ? event.header.event_class_id : event.header.product };
  if (present(event.portal_id)) service.uid = event.portal_id;
  out.api = { operation: operation ?? event.header.name, service };
  out.actor = actor;
  // API Activity requires `src_endpoint`; a line without `src` says so instead of inventing an address.
  out.src_endpoint = ocsfSourceEndpoint(event) ?? { name: 'unknown' };
  const http = ocsfHttpRequest(event);
  if (http !== undefined) out.http_request = http;
  if (event.status !== undefined) out.http_response = { code: event.status };
  if (authz) addSecurityControl(event, out, actor, outcome);
  return ocsfTail(event, out, ocsfUnmapped(event, { portal: true, serviceName: authz }), options);
}

/** The `security_control` profile: was the permission granted. */
function addSecurityControl(event: NormalizedEvent, out: JsonObject, actor: JsonObject, outcome: ReturnType<typeof outcomeOf>): void {
  const resource = authzResource(event);
  if (resource !== undefined) out.resources = [{ ...resource }];
  if (outcome === 'unknown') {
    out.action_id = 0;
    out.action = 'Unknown';
    out.disposition_id = 0;
    out.disposition = 'Unknown';
    return;
  }
  const allowed = outcome === 'success';
  out.action_id = allowed ? 1 : 2;
  out.action = allowed ? 'Allowed' : 'Denied';
  out.disposition_id = allowed ? 1 : 2;
  out.disposition = allowed ? 'Allowed' : 'Blocked';
  actor.authorizations = [{ decision: allowed ? 'allowed' : 'denied', policy: { name: event.header.name } }];
}

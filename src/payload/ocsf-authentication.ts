/**
 * @module payload/ocsf-authentication
 * Konnect and Dev Portal logins as OCSF 1.8.0 Authentication (class 3002,
 * category Identity & Access Management), activity Logon.
 */
import type { NormalizedEvent } from '../normalize/event.js';
import { authenticationMethod, outcomeOf, present } from './common.js';
import { ocsfHttpRequest, ocsfMetadata, ocsfSeverity, ocsfSourceEndpoint, ocsfStatus, ocsfTail, ocsfUnmapped, ocsfUser } from './ocsf-common.js';
import type { JsonObject, PayloadOptions } from './types.js';

export const AUTHENTICATION_CLASS_UID = 3002;
const LOGON = 1;

export function toOcsfAuthentication(event: NormalizedEvent, options: PayloadOptions): JsonObject {
  const out: JsonObject = {
    class_uid: AUTHENTICATION_CLASS_UID,
    class_name: 'Authentication',
    category_uid: 3,
    category_name: 'Identity & Access Management',
    activity_id: LOGON,
    activity_name: 'Logon',
    type_uid: AUTHENTICATION_CLASS_UID * 100 + LOGON,
    type_name: 'Authentication: Logon',
    ...ocsfSeverity(event),
    ...ocsfStatus(outcomeOf(event)),
    // AUTHENTICATION_OUTCOME_LOCKED, _INVALID_PASSWORD...: why a login failed.
    status_detail: event.header.name,
    metadata: ocsfMetadata(event),
    user: ocsfUser(event),
  };
  const method = authenticationMethod(event);
  // Konnect's types (BASIC = e-mail and password, SSO, PAT, SPAT) are not OCSF's protocols (NTLM, Kerberos, ...).
  if (method !== undefined) {
    out.auth_protocol_id = 99;
    out.auth_protocol = method;
  }
  // OCSF wants `service` or `dst_endpoint`: the service logged into, a Dev Portal by its id.
  const service: JsonObject = { name: event.header.product };
  if (present(event.portal_id)) service.uid = event.portal_id;
  out.service = service;
  const src = ocsfSourceEndpoint(event);
  if (src !== undefined) out.src_endpoint = src;
  const http = ocsfHttpRequest(event);
  if (http !== undefined) out.http_request = http;
  return ocsfTail(event, out, ocsfUnmapped(event, { portal: true }), options);
}

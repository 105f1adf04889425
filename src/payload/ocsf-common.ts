/**
 * @module payload/ocsf-common
 * The attributes every OCSF 1.8.0 event of this project carries, whatever
 * its class: metadata (version pinned), time, severity, status, the source
 * endpoint and `unmapped` (what OCSF has no attribute for, the signature
 * verdict among it).
 */
import type { NormalizedEvent } from '../normalize/event.js';
import { cefSeverity, eventEpochMs, otherFields, type Outcome, present, signatureOf, sourceIp, urlParts } from './common.js';
import type { JsonObject, PayloadOptions } from './types.js';

export const OCSF_VERSION = '1.8.0';

/** OCSF `severity_id` captions (base event). */
const severityNames = { 0: 'Unknown', 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Critical' } as const;

/**
 * CEF severity → OCSF `severity_id`. CEF's bands (0–3 Low, 4–6 Medium, 7–8
 * High, 9–10 Very-High) shifted so that Konnect's routine events (0 and 1:
 * logins, granted checks, 2xx calls) are Informational, "no action
 * required", rather than Low.
 */
export function ocsfSeverity(event: NormalizedEvent): { severity_id: number; severity: string } {
  const cef = cefSeverity(event);
  const id = cef === undefined ? 0 : cef >= 9 ? 5 : cef >= 7 ? 4 : cef >= 4 ? 3 : 1;
  return { severity_id: id, severity: severityNames[id] };
}

export function ocsfStatus(outcome: Outcome): { status_id: number; status: string } {
  if (outcome === 'success') return { status_id: 1, status: 'Success' };
  if (outcome === 'failure') return { status_id: 2, status: 'Failure' };
  return { status_id: 0, status: 'Unknown' };
}

export function ocsfMetadata(event: NormalizedEvent, profiles?: readonly string[]): JsonObject {
  const product: JsonObject = { name: event.header.product, vendor_name: event.header.vendor };
  if (event.header.product_version !== '') product.version = event.header.product_version;
  const metadata: JsonObject = { version: OCSF_VERSION, product, uid: event.id, event_code: event.header.name };
  if (present(event.trace_id)) metadata.correlation_uid = event.trace_id;
  if (present(event.org_id)) metadata.tenant_uid = event.org_id;
  // CEF, JSON or CPS (Konnect's `{"event":{...}}` wrapper).
  metadata.log_format = event.format.toUpperCase();
  const logged = Date.parse(event.received_at);
  if (Number.isFinite(logged)) metadata.logged_time = logged;
  if (profiles !== undefined) metadata.profiles = [...profiles];
  return metadata;
}

/** `src_endpoint`: the IP, or the address as a name when it is not one; undefined without `src`. */
export function ocsfSourceEndpoint(event: NormalizedEvent): JsonObject | undefined {
  const ip = sourceIp(event);
  if (ip !== undefined) return { ip };
  return present(event.src) ? { name: event.src } : undefined;
}

/** `http_request`: path, query, method and user agent, the ones the event has; undefined when none. */
export function ocsfHttpRequest(event: NormalizedEvent): JsonObject | undefined {
  const request: JsonObject = {};
  if (present(event.act)) request.http_method = event.act;
  const parts = urlParts(event);
  if (parts !== undefined) request.url = parts.query === undefined ? { path: parts.path } : { path: parts.path, query_string: parts.query };
  if (present(event.user_agent)) request.user_agent = event.user_agent;
  return Object.keys(request).length === 0 ? undefined : request;
}

/** `user` from the principal; OCSF requires a user with a name or uid, hence `unknown` when the line names nobody. */
export function ocsfUser(event: NormalizedEvent): JsonObject {
  return present(event.principal_id) ? { uid: event.principal_id } : { name: 'unknown' };
}

/**
 * `unmapped`: Konnect fields OCSF has no attribute for, under their Konnect
 * names, and `signature` (the verdict and the key id that verified it).
 * `placed` lists what the class already put elsewhere.
 */
export function ocsfUnmapped(event: NormalizedEvent, placed: { readonly portal?: boolean; readonly serviceName?: boolean }): JsonObject {
  const unmapped: JsonObject = { signature: signatureOf(event) };
  if (present(event.portal_id) && placed.portal !== true) unmapped.portal_id = event.portal_id;
  if (present(event.actor_id)) unmapped.actor_id = event.actor_id;
  if (event.kong_initiated !== undefined) unmapped.kong_initiated = event.kong_initiated;
  // CEF text before the first key: Konnect never sends it, so it is worth seeing (the line was altered or not Konnect's).
  if (event.extension_preamble !== undefined) unmapped.extension_preamble = event.extension_preamble;
  if (placed.serviceName !== true && event.header.event_class_id !== '') unmapped.event_class_id = event.header.event_class_id;
  const other = otherFields(event);
  if (other !== undefined) unmapped.fields = other;
  return unmapped;
}

/** The class-independent tail: time, unmapped, raw_data. */
export function ocsfTail(event: NormalizedEvent, out: JsonObject, unmapped: JsonObject, options: PayloadOptions): JsonObject {
  out.time = eventEpochMs(event);
  out.unmapped = unmapped;
  if (options.rawData === true) out.raw_data = event.raw;
  return out;
}

/**
 * @module payload/ecs
 * A `konnect-audit/v1` event as an Elastic Common Schema document. The
 * categorization fields take only ECS's allowed values, `event.category` and
 * `event.type` are arrays, and every type is one its categories expect (the
 * three checks of Elastic's integration tests):
 *
 * | family | event.category | event.type |
 * | --- | --- | --- |
 * | authentication | authentication | start |
 * | authorization | api | access, allowed / denied |
 * | access | api, web | access (+ creation / change / deletion by method) |
 * | unknown | api | info |
 *
 * Konnect-only fields go under `kong_konnect.audit.*` (an integration's
 * `<package>.<dataset>` namespace). See docs/SIEM.md.
 */
import type { NormalizedEvent } from '../normalize/event.js';
import { authzResource, cefSeverity, operationOf, otherFields, outcomeOf, present, signatureOf, sourceIp, urlParts, verbOf } from './common.js';
import type { JsonObject, PayloadOptions } from './types.js';

/** The ECS release whose fields and allowed values this mapping uses. */
export const ECS_VERSION = '9.0.0';
export const ECS_DATASET = 'kong_konnect.audit';

const typeByVerb = { create: 'creation', update: 'change', delete: 'deletion' } as const;

function categorize(event: NormalizedEvent): { category: string[]; type: string[] } {
  switch (event.category) {
    case 'authentication':
      return { category: ['authentication'], type: ['start'] };
    case 'authorization': {
      const outcome = outcomeOf(event);
      return { category: ['api'], type: outcome === 'unknown' ? ['access'] : ['access', outcome === 'success' ? 'allowed' : 'denied'] };
    }
    case 'access': {
      const verb = verbOf(event.act);
      const extra = verb === 'create' || verb === 'update' || verb === 'delete' ? [typeByVerb[verb]] : [];
      return { category: ['api', 'web'], type: ['access', ...extra] };
    }
    default:
      return { category: ['api'], type: ['info'] };
  }
}

export function toEcs(event: NormalizedEvent, options: PayloadOptions = {}): JsonObject {
  const { category, type } = categorize(event);
  const ecsEvent: JsonObject = {
    kind: 'event',
    category,
    type,
    outcome: outcomeOf(event),
    action: actionOf(event),
    code: event.header.name,
    provider: event.header.product,
    dataset: ECS_DATASET,
    module: 'kong_konnect',
    id: event.id,
    created: event.received_at,
  };
  const severity = cefSeverity(event);
  if (severity !== undefined) ecsEvent.severity = severity;
  if (event.category === 'authentication' && outcomeOf(event) === 'failure') ecsEvent.reason = event.header.name;
  if (options.rawData === true) ecsEvent.original = event.raw;

  const out: JsonObject = { '@timestamp': event.time ?? event.received_at, ecs: { version: ECS_VERSION }, event: ecsEvent };
  if (present(event.org_id)) out.organization = { id: event.org_id };
  if (present(event.principal_id)) out.user = { id: event.principal_id };
  const ip = sourceIp(event);
  if (ip !== undefined) out.source = { ip };
  else if (present(event.src)) out.source = { address: event.src };
  if (present(event.user_agent)) out.user_agent = { original: event.user_agent };
  const url = urlParts(event);
  if (url !== undefined) out.url = { ...url };
  const http: JsonObject = {};
  if (present(event.act)) http.request = { method: event.act };
  if (event.status !== undefined) http.response = { status_code: event.status };
  if (Object.keys(http).length > 0) out.http = http;
  if (present(event.trace_id)) out.trace = { id: event.trace_id };
  out.kong_konnect = { audit: konnectOnly(event) };
  return out;
}

/** What was done, in the source's own words: the Konnect `action`, the HTTP method, or `authenticate`. */
function actionOf(event: NormalizedEvent): string {
  if (event.category === 'authentication') return 'authenticate';
  return operationOf(event) ?? event.header.name;
}

function konnectOnly(event: NormalizedEvent): JsonObject {
  const audit: JsonObject = { category: event.category, event_class_id: event.header.event_class_id, format: event.format };
  if (present(event.portal_id)) audit.portal_id = event.portal_id;
  if (present(event.actor_id)) audit.actor_id = event.actor_id;
  if (event.kong_initiated !== undefined) audit.kong_initiated = event.kong_initiated;
  if (event.extension_preamble !== undefined) audit.extension_preamble = event.extension_preamble;
  if (event.category === 'authentication') {
    const method = event.header.event_class_id.replace(/^AUTHENTICATION_TYPE_/, '');
    if (method !== event.header.event_class_id) audit.authentication_method = method;
  }
  const resource = event.category === 'authorization' ? authzResource(event) : undefined;
  if (resource !== undefined) audit.resource = { ...resource };
  if (event.granted !== undefined) audit.granted = event.granted;
  audit.signature = signatureOf(event);
  const other = otherFields(event);
  if (other !== undefined) audit.fields = other;
  return audit;
}

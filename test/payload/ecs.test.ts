import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/normalize/event.js';
import { ECS_DATASET, toEcs, type JsonObject } from '../../src/payload/index.js';
import { fixtureEvents } from './support/events.js';
import { ecsAllowedValues } from './support/schemas.js';

const events = await fixtureEvents();
const allowed = ecsAllowedValues();
const byWhere = (where: string): NormalizedEvent => {
  const found = events.find((e) => e.where === where);
  if (found === undefined) throw new Error(`no fixture event at ${where}`);
  return found.event;
};

/** Elastic's integration checks (elastic-package: allowed values, arrays, type expected by a category); the problems found. */
function elasticChecks(doc: JsonObject): string[] {
  const problems: string[] = [];
  const event = doc.event as JsonObject;
  const { kind, category, type, outcome } = event;
  if (typeof kind !== 'string' || !allowed.kinds.has(kind)) problems.push(`event.kind ${String(kind)} not allowed`);
  if (typeof outcome !== 'string' || !allowed.outcomes.has(outcome)) problems.push(`event.outcome ${String(outcome)} not allowed`);
  if (!Array.isArray(category)) problems.push('event.category is not an array');
  if (!Array.isArray(type)) problems.push('event.type is not an array');
  const categories = Array.isArray(category) ? category.map(String) : [];
  const types = Array.isArray(type) ? type.map(String) : [];
  for (const c of categories) if (!allowed.categories.has(c)) problems.push(`event.category ${c} not allowed`);
  for (const t of types) {
    if (!allowed.types.has(t)) problems.push(`event.type ${t} not allowed`);
    if (!categories.some((c) => allowed.categories.get(c)?.has(t) === true)) problems.push(`event.type ${t} expected by none of ${categories.join(',')}`);
  }
  return problems;
}

describe('ECS payload', () => {
  it.each(events.map((e) => [`${e.where} (${e.event.category}, ${e.event.format})`, e.event] as const))('%s passes the three Elastic checks', (_name, event) => {
    const doc = toEcs(event);
    expect(elasticChecks(doc)).toEqual([]);
    expect(doc['@timestamp']).toBe(event.time ?? event.received_at);
    expect(doc.event).toMatchObject({ dataset: ECS_DATASET, code: event.header.name, provider: event.header.product });
  });

  it('the checks have teeth', () => {
    const doc = toEcs(byWhere('cef-valid.log:1'));
    const event = doc.event as JsonObject;
    expect(elasticChecks({ ...doc, event: { ...event, category: 'authentication' } })).toContain('event.category is not an array');
    expect(elasticChecks({ ...doc, event: { ...event, type: ['allowed'] } })).toContain('event.type allowed expected by none of authentication');
    expect(elasticChecks({ ...doc, event: { ...event, outcome: 'ok' } })).toContain('event.outcome ok not allowed');
  });

  it.each([
    ['a login', 'cef-valid.log:1', { event: { category: ['authentication'], type: ['start'], outcome: 'success', action: 'authenticate' }, source: { ip: '172.71.232.22' }, user: { id: '87655c36-8d63-48fe-9a1e-53b28dfbc19b' }, organization: { id: 'b065b594-6afc-4658-9101-5d9cf3f36b7b' }, kong_konnect: { audit: { portal_id: '3e551b39-227d-4297-b911-e68fd5d77c17', signature: { status: 'valid' } } } }],
    ['a failed login', 'cef-valid.log:10', { event: { outcome: 'failure', reason: 'AUTHENTICATION_OUTCOME_LOCKED' } }],
    ['a denied check', 'cef-valid.log:3', { event: { category: ['api'], type: ['access', 'denied'], outcome: 'failure', action: 'edit' }, kong_konnect: { audit: { granted: false, resource: { type: 'organization' } } } }],
    ['a DELETE answered 403', 'cef-valid.log:5', { event: { category: ['api', 'web'], type: ['access', 'deletion'], outcome: 'failure', action: 'DELETE' }, http: { request: { method: 'DELETE' }, response: { status_code: 403 } }, url: { path: '/v2/portals/3e551b39-227d-4297-b911-e68fd5d77c17/applications' } }],
  ])('%s', (_name, where, expected) => {
    expect(toEcs(byWhere(where))).toMatchObject(expected);
  });

  it('keeps CEF text before the first key under kong_konnect.audit.extension_preamble', () => {
    const made = events.find((e) => e.where.startsWith('made:'))?.event as NormalizedEvent;
    expect(toEcs(made).kong_konnect).toMatchObject({ audit: { extension_preamble: 'note from a relay', format: 'cef' } });
  });

  it('trace.id and user_agent.original are the exact strings; event.original only when asked', () => {
    const event = byWhere('cef-valid.log:2');
    const doc = toEcs(event, { rawData: true });
    expect(doc.trace).toEqual({ id: event.trace_id });
    expect(doc.user_agent).toEqual({ original: event.user_agent });
    expect((doc.event as JsonObject).original).toBe(event.raw);
    expect(toEcs(event).event).not.toHaveProperty('original');
  });

  it.each([
    ['kong-doc-examples.log:1', 'dev-portal-login.cef'],
    ['cef-valid.log:3', 'authz-denied.cef'],
    ['json-valid.log:3', 'access-201.json'],
  ])('golden: %s', async (where, name) => {
    await expect(`${JSON.stringify(toEcs(byWhere(where)), null, 2)}\n`).toMatchFileSnapshot(`golden/${name}.ecs.json`);
  });
});

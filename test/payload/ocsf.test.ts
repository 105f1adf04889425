import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/normalize/event.js';
import { OCSF_VERSION, toOcsf, type JsonObject } from '../../src/payload/index.js';
import { fixtureEvents, type FixtureEvent } from './support/events.js';
import { ocsfValidators } from './support/schemas.js';

const events = await fixtureEvents();
const byWhere = (where: string): NormalizedEvent => {
  const found = events.find((e) => e.where === where);
  if (found === undefined) throw new Error(`no fixture event at ${where}`);
  return found.event;
};

function validate(ocsf: JsonObject): unknown[] {
  const { authentication, apiActivity } = ocsfValidators();
  const check = ocsf.class_uid === 3002 ? authentication : apiActivity;
  return check(ocsf) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

const rows = events.map((e): [string, FixtureEvent] => [`${e.where} (${e.event.category}, ${e.event.format}, ${e.event.header.product}, ${e.event.signature.status})`, e]);

describe('OCSF 1.8.0 payload', () => {
  it.each(rows)('%s validates against the committed OCSF class schema', (_name, { event }) => {
    const ocsf = toOcsf(event);
    expect(ocsf.class_uid).toBe(event.category === 'authentication' ? 3002 : 6003);
    expect(validate(ocsf)).toEqual([]);
    expect(validate(toOcsf(event, { rawData: true }))).toEqual([]);
  });

  it('the fixtures cover every case the issue names', () => {
    const seen = new Set(
      events.map(({ event: e }) => {
        const o = toOcsf(e);
        const verdict = e.category === 'authorization' ? (e.granted === true ? 'allowed' : 'denied') : o.status;
        return `${String(o.class_uid)}/${e.category}/${e.format}/${e.header.product}/${String(verdict)}`;
      }),
    );
    const expected = [
      '3002/authentication/cef/Dev-Portal/Success', '3002/authentication/cef/Dev-Portal/Failure',
      '3002/authentication/json/Dev-Portal/Success', '3002/authentication/json/Dev-Portal/Failure',
      '3002/authentication/cef/Konnect/Success', '3002/authentication/cef/Konnect/Failure',
      '3002/authentication/json/Konnect/Success', '3002/authentication/json/Konnect/Failure',
      '6003/authorization/cef/Konnect/allowed', '6003/authorization/cef/Konnect/denied',
      '6003/authorization/json/Konnect/allowed', '6003/authorization/json/Konnect/denied',
      '6003/access/cef/Konnect/Success', '6003/access/cef/Konnect/Failure',
      '6003/access/json/Konnect/Success', '6003/access/json/Konnect/Failure',
      '3002/authentication/cps/Dev-Portal/Success', '6003/authorization/cps/Konnect/allowed', '6003/authorization/cps/Konnect/denied', '6003/access/cps/Konnect/Success',
    ];
    expect(expected.filter((c) => !seen.has(c))).toEqual([]);
    expect(new Set(events.map((e) => e.event.signature.status))).toEqual(new Set(['valid', 'invalid', 'missing', 'malformed']));
  });

  it('the schemas have teeth: a missing user, an unknown top-level field and a string time are refused', () => {
    const login = toOcsf(byWhere('cef-valid.log:1'));
    const { user: _user, ...noUser } = login;
    expect(validate(noUser)).not.toEqual([]);
    expect(validate({ ...login, konnect: 1 })).not.toEqual([]);
    expect(validate({ ...login, time: '2025-06-23T14:28:47.556Z' })).not.toEqual([]);
  });

  it.each([
    ['a Dev Portal login: Authentication/Logon, the portal as the service', 'cef-valid.log:1', { class_uid: 3002, type_uid: 300201, status_id: 1, service: { name: 'Dev-Portal', uid: '3e551b39-227d-4297-b911-e68fd5d77c17' } }],
    ['a failed login: Failure, and why', 'cef-valid.log:10', { status_id: 2, status: 'Failure', status_detail: 'AUTHENTICATION_OUTCOME_LOCKED', severity_id: 3 }],
    ['a denied permission check: security_control Denied/Blocked', 'cef-valid.log:3', { class_uid: 6003, action_id: 2, action: 'Denied', disposition_id: 2, status_id: 2 }],
    ['a granted permission check: Allowed', 'cef-valid.log:2', { action_id: 1, disposition_id: 1, resources: [{ type: 'usage', name: 'usage' }] }],
    ['a DELETE answered 403: activity Delete, Failure, the HTTP code', 'cef-valid.log:5', { activity_id: 4, type_uid: 600304, status_id: 2, http_response: { code: 403 } }],
    ['a 500 at CEF severity 10: Critical', 'cef-valid.log:18', { severity_id: 5, severity: 'Critical' }],
  ])('%s', (_name, where, expected) => {
    expect(toOcsf(byWhere(where))).toMatchObject(expected);
  });

  it('a permission check names the decision and the resource (profile security_control)', () => {
    const ocsf = toOcsf(byWhere('cef-valid.log:3'));
    expect(ocsf.metadata).toMatchObject({ version: OCSF_VERSION, profiles: ['security_control'], event_code: 'Authz.organization' });
    expect(ocsf.actor).toMatchObject({ authorizations: [{ decision: 'denied', policy: { name: 'Authz.organization' } }] });
  });

  it('keeps the signature verdict and key id in unmapped, a 64-bit trace id exactly, and raw_data when asked', () => {
    const event = byWhere('cef-valid.log:3');
    const ocsf = toOcsf(event, { rawData: true });
    expect(ocsf.unmapped).toMatchObject({ signature: { status: 'valid', kid: 'konnect-audit-test-2025' } });
    expect((ocsf.metadata as JsonObject).correlation_uid).toBe(event.trace_id);
    expect(event.trace_id).toMatch(/^\d{19,20}$/);
    expect(ocsf.raw_data).toBe(event.raw);
    expect(toOcsf(event)).not.toHaveProperty('raw_data');
    const forged = events.find((e) => e.event.signature.status === 'invalid')?.event as NormalizedEvent;
    expect(toOcsf(forged).unmapped).toMatchObject({ signature: { status: 'invalid' } });
  });

  it('members OCSF has no place for go under unmapped.fields, exact strings', () => {
    const withExtras = events.find((e) => e.event.fields.note !== undefined && e.event.format === 'cef')?.event as NormalizedEvent;
    const ocsf = toOcsf(withExtras);
    expect(ocsf.unmapped).toMatchObject({ fields: { note: withExtras.fields.note } });
    expect(validate(ocsf)).toEqual([]);
  });

  it('CEF text before the first key (never sent by Konnect) is kept under unmapped.extension_preamble', () => {
    const made = events.find((e) => e.where.startsWith('made:'))?.event as NormalizedEvent;
    expect(made.extension_preamble).toBe('note from a relay');
    const ocsf = toOcsf(made);
    expect(ocsf.unmapped).toMatchObject({ extension_preamble: 'note from a relay', signature: { status: 'valid' } });
    expect(validate(ocsf)).toEqual([]);
  });

  it('a cps line ({"event":{...}}) is mapped from the event inside, log_format CPS', () => {
    const cps = events.find((e) => e.event.format === 'cps')?.event as NormalizedEvent;
    expect(toOcsf(cps).metadata).toMatchObject({ log_format: 'CPS' });
  });

  it('an event of no known family is API Activity, activity Unknown, and still valid', () => {
    const event = structuredClone(byWhere('cef-valid.log:2'));
    event.category = 'unknown';
    event.header = { ...event.header, name: 'Something.new' };
    const ocsf = toOcsf(event);
    expect(ocsf).toMatchObject({ class_uid: 6003, activity_id: 0, type_uid: 600300 });
    expect(validate(ocsf)).toEqual([]);
  });

  it.each([
    ['kong-doc-examples.log:1', 'dev-portal-login.cef'],
    ['kong-doc-examples.log:3', 'authz-granted.json'],
    ['cef-valid.log:3', 'authz-denied.cef'],
    ['cef-valid.log:5', 'access-403.cef'],
    ['json-valid.log:25', 'dev-portal-login-failed.json'],
  ])('golden: %s', async (where, name) => {
    await expect(`${JSON.stringify(toOcsf(byWhere(where)), null, 2)}\n`).toMatchFileSnapshot(`golden/${name}.ocsf.json`);
  });
});

import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/normalize/event.js';
import { authzResource, outcomeOf, sourceIp, urlParts, verbOf } from '../../src/payload/common.js';
import { formatPayload } from '../../src/payload/index.js';
import { ocsfSeverity } from '../../src/payload/ocsf-common.js';
import { verdictFields } from '../../src/sinks/sumo-logic/encode.js';
import { makeEvent, toRecord } from '../sinks/support/records.js';

const event = (overrides: Partial<NormalizedEvent>): NormalizedEvent => makeEvent(1, overrides);

describe('payload/common', () => {
  it.each([
    ['a path alone', { request: '/v2/portals' }, { original: '/v2/portals', path: '/v2/portals' }],
    ['a query inside request', { request: '/a?page[size]=100' }, { original: '/a?page[size]=100', path: '/a', query: 'page[size]=100' }],
    ['a separate query (Konnect JSON lines)', { request: '/a', query: '{"end":"1"}' }, { original: '/a?{"end":"1"}', path: '/a', query: '{"end":"1"}' }],
    ['both', { request: '/a?x=1', query: 'y=2' }, { original: '/a?x=1&y=2', path: '/a', query: 'x=1&y=2' }],
    ['an empty query', { request: '/a', query: '' }, { original: '/a', path: '/a' }],
  ])('urlParts: %s', (_name, overrides, expected) => {
    expect(urlParts(event(overrides))).toEqual(expected);
  });

  it.each([
    ['POST', 'create'], ['get', 'read'], ['retrieve', 'read'], ['list', 'read'], ['PATCH', 'update'], ['edit', 'update'],
    ['DELETE', 'delete'], ['approve', 'other'], ['', undefined], [undefined, undefined],
  ] as const)('verbOf(%s) = %s', (word, verb) => {
    expect(verbOf(word)).toBe(verb);
  });

  it.each([
    ['IPv4', '172.71.232.22', '172.71.232.22'], ['IPv6', '2001:db8::1', '2001:db8::1'], ['an IPv6 zone (OCSF refuses it)', 'fe80::1%eth0', undefined],
    ['a host name', 'gateway.internal', undefined], ['empty', '', undefined],
  ])('sourceIp: %s', (_name, src, ip) => {
    expect(sourceIp(event({ src }))).toBe(ip);
  });

  it.each([
    ['Authz.control-planes/7f9c', { type: 'control-planes', uid: '7f9c', name: 'control-planes/7f9c' }],
    ['Authz.usage', { type: 'usage', name: 'usage' }],
    ['Authz.', undefined],
    ['Ingress', undefined],
  ])('authzResource(%s)', (name, expected) => {
    expect(authzResource(event({ header: { ...makeEvent(1).header, name } }))).toEqual(expected);
  });

  it.each([
    ['0', 1], ['1', 1], ['3', 1], ['4', 3], ['6', 3], ['7', 4], ['8', 4], ['9', 5], ['10', 5], ['11', 0], ['High', 4], ['x', 0],
  ])('CEF severity %s → OCSF severity_id %i', (severity, id) => {
    expect(ocsfSeverity(event({ header: { ...makeEvent(1).header, severity } })).severity_id).toBe(id);
  });

  it.each([
    ['a login without success: outcome from the name', { category: 'authentication', header: { ...makeEvent(1).header, name: 'AUTHENTICATION_OUTCOME_LOCKED' } }, 'failure'],
    ['a login without success, named a success', { category: 'authentication' }, 'success'],
    ['an access without status', { category: 'access' }, 'unknown'],
    ['an access answered 399', { category: 'access', status: 399 }, 'success'],
    ['an access answered 400', { category: 'access', status: 400 }, 'failure'],
    ['a check without granted', { category: 'authorization' }, 'unknown'],
    ['an unknown family', { category: 'unknown', success: true }, 'unknown'],
  ] as const)('outcomeOf: %s', (_name, overrides, outcome) => {
    // makeEvent is a successful login: start from it without its outcome field.
    const { success: _success, ...base } = makeEvent(1);
    expect(outcomeOf({ ...base, ...(overrides as Partial<NormalizedEvent>) })).toBe(outcome);
  });

  it('formatPayload raw is the line itself; v1 is the event serialized', () => {
    const e = makeEvent(2);
    expect(formatPayload(e, 'raw')).toBe(e.raw);
    expect(formatPayload(e, 'v1')).toBe(JSON.stringify(e));
  });

  it('a kid with Sumo separators is made safe for X-Sumo-Fields', () => {
    expect(verdictFields(toRecord(makeEvent(1, { signature: { status: 'valid', kid: 'a,b=c' } })))).toEqual({ signature_status: 'valid', signature_kid: 'a_b_c' });
  });
});

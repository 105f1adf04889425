import { describe, expect, it } from 'vitest';
import { categoryOf } from '../../src/normalize/category.js';

// Headers and field names of the example lines of Kong's audit log reference
// (authentication: org and Dev Portal; authorization; access "Ingress").
describe('categoryOf: Kong-documented families', () => {
  it.each([
    ['org authentication (PAT)', { event_class_id: 'AUTHENTICATION_TYPE_PAT', name: 'AUTHENTICATION_OUTCOME_SUCCESS' }, { rt: '', src: '', request: '/api/v1/personal-access-tokens/introspect', success: 'true' }, 'authentication'],
    ['Dev Portal authentication (basic)', { event_class_id: 'AUTHENTICATION_TYPE_BASIC', name: 'AUTHENTICATION_OUTCOME_SUCCESS' }, { request: '/api/v2/developer/authenticate', success: 'true', portal_id: 'p' }, 'authentication'],
    ['failed authentication (locked)', { event_class_id: 'AUTHENTICATION_TYPE_SSO', name: 'AUTHENTICATION_OUTCOME_LOCKED' }, { success: 'false' }, 'authentication'],
    ['authorization (Authz.usage, CEF)', { event_class_id: 'konnect', name: 'Authz.usage' }, { action: 'retrieve', granted: 'true' }, 'authorization'],
    ['authorization (Authz.identity-provider, JSON)', { event_class_id: 'identity', name: 'Authz.identity-provider' }, { action: 'read', granted: 'true' }, 'authorization'],
    ['authorization denied, control plane path', { event_class_id: 'konnect', name: 'Authz.control-planes/7f9c' }, { action: 'edit', granted: 'false' }, 'authorization'],
    ['access log (Ingress)', { event_class_id: 'KongGateway', name: 'Ingress' }, { request: '/konnect-api/api/vitals/v1/explore', act: 'POST', status: '200', query: '{}' }, 'access'],
  ])('%s', (_family, header, fields, expected) => {
    expect(categoryOf(header, fields)).toBe(expected);
  });
});

describe('categoryOf: rule order and fallbacks', () => {
  it.each([
    ['AUTHENTICATION_ class id alone is enough', { event_class_id: 'AUTHENTICATION_TYPE_NEW', name: 'SomethingNew' }, {}, 'authentication'],
    ['the name wins over family fields (Authz with status)', { event_class_id: 'x', name: 'Authz.portals' }, { status: '200' }, 'authorization'],
    ['undocumented name with granted: authorization', { event_class_id: 'x', name: 'Permission' }, { granted: 'false' }, 'authorization'],
    ['undocumented name with act: access', { event_class_id: 'x', name: 'Egress' }, { request: '/x', act: 'GET' }, 'access'],
    ['undocumented name with status: access', { event_class_id: 'x', name: 'Egress' }, { status: '500' }, 'access'],
    ['undocumented name with success: authentication', { event_class_id: 'x', name: 'Login' }, { success: 'true' }, 'authentication'],
    ['request alone decides nothing', { event_class_id: 'x', name: 'y' }, { request: '/x' }, 'unknown'],
    ['action alone decides nothing', { event_class_id: 'x', name: 'y' }, { action: 'list' }, 'unknown'],
    ['authz is case-sensitive', { event_class_id: 'x', name: 'authz.usage' }, {}, 'unknown'],
    ['Ingress must be the whole name', { event_class_id: 'x', name: 'Ingress2' }, {}, 'unknown'],
    ['an inherited property is not a field', { event_class_id: 'x', name: 'y' }, Object.create({ granted: 'true', act: 'GET' }) as Record<string, string>, 'unknown'],
    ['nothing known', { event_class_id: '', name: '' }, { foo: 'bar' }, 'unknown'],
  ])('%s', (_quirk, header, fields, expected) => {
    expect(categoryOf(header, fields)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { createLineParser, isLineError } from '../../src/lines/parse-line.js';
import { fieldMap, normalizeLine, serializeEvent } from '../../src/normalize/index.js';
import { fakeView } from './fake-view.js';

const receivedAt = '2025-06-23T14:28:48.001Z';
const devPortalSig = 'XQC3OSFxLbi5dy2-o4xAXHT-x8oW5Df-zVsACWQLMU9Q-sPnEyk5CVs4JHwuRcwO0QNLsNaP1wsyrXYPeneXDQ';
const devPortalRaw =
  '2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate success=true org_id=998db3e4-5cb7-4dd5-b51c-9878096a6999 portal_id=3e551b39-227d-4297-b911-e68fd5d77c17 principal_id=a3d2699a-0ed3-4417-bb10-d8e74a1513a4 trace_id=3360194145499877252 user_agent= sig=' +
  devPortalSig;
const devPortalFields = {
  rt: '1750688927556',
  src: '172.71.232.22',
  request: '/api/v2/developer/authenticate',
  success: 'true',
  org_id: '998db3e4-5cb7-4dd5-b51c-9878096a6999',
  portal_id: '3e551b39-227d-4297-b911-e68fd5d77c17',
  principal_id: 'a3d2699a-0ed3-4417-bb10-d8e74a1513a4',
  trace_id: '3360194145499877252',
  user_agent: '',
};
const devPortalView = () =>
  fakeView({
    raw: devPortalRaw,
    sig: devPortalSig,
    header: { vendor: 'KongInc', product: 'Dev-Portal', event_class_id: 'AUTHENTICATION_TYPE_BASIC', name: 'AUTHENTICATION_OUTCOME_SUCCESS', severity: '0' },
    fields: devPortalFields,
    prefix: { text: '2025-06-23T14:28:47Z konghq.com ', timestamp: '2025-06-23T14:28:47Z', timestampKind: 'iso8601', host: 'konghq.com' },
  });

describe('normalizeLine: the SPEC 6 example', () => {
  const event = normalizeLine(devPortalView(), { receivedAt, signature: { status: 'valid', kid: 'k1' } });

  it('builds the event field for field', () => {
    expect(event).toEqual({
      schema: 'konnect-audit/v1',
      id: devPortalSig,
      time: '2025-06-23T14:28:47.556Z',
      received_at: receivedAt,
      format: 'cef',
      category: 'authentication',
      header: { version: '0', vendor: 'KongInc', product: 'Dev-Portal', product_version: '1.0', event_class_id: 'AUTHENTICATION_TYPE_BASIC', name: 'AUTHENTICATION_OUTCOME_SUCCESS', severity: '0' },
      org_id: '998db3e4-5cb7-4dd5-b51c-9878096a6999',
      portal_id: '3e551b39-227d-4297-b911-e68fd5d77c17',
      principal_id: 'a3d2699a-0ed3-4417-bb10-d8e74a1513a4',
      trace_id: '3360194145499877252',
      src: '172.71.232.22',
      user_agent: '',
      request: '/api/v2/developer/authenticate',
      success: true,
      fields: devPortalFields,
      signature: { status: 'valid', kid: 'k1' },
      raw: devPortalRaw,
    });
  });

  it('serializes in the SPEC 6 property order', () => {
    expect(Object.keys(JSON.parse(serializeEvent(event)) as object)).toEqual([
      'schema', 'id', 'time', 'received_at', 'format', 'category', 'header',
      'org_id', 'portal_id', 'principal_id', 'trace_id', 'src', 'user_agent', 'request', 'success',
      'fields', 'signature', 'raw',
    ]);
    expect(Object.keys(event.header)).toEqual(['version', 'vendor', 'product', 'product_version', 'event_class_id', 'name', 'severity']);
  });

  it('serializes trace_id as its exact digits and to one line', () => {
    const line = serializeEvent(event);
    expect(line).toContain('"trace_id":"3360194145499877252"');
    expect(line).not.toContain('\n');
  });
});

describe('normalizeLine: quirks', () => {
  const base = { raw: 'CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|' };
  it.each([
    ['every typed key in the fixed order', { action: 'list', act: 'GET', status: '200', query: 'a=b', request: '/r', user_agent: 'ua', src: '1.2.3.4', trace_id: '1', actor_id: 'a', principal_id: 'p', portal_id: 'd', org_id: 'o', kong_initiated: 'true', granted: 'false', success: 'true' },
      ['org_id', 'portal_id', 'principal_id', 'actor_id', 'trace_id', 'src', 'user_agent', 'request', 'query', 'action', 'act', 'success', 'granted', 'kong_initiated', 'status']],
    ['absent fields are absent, not null', {}, []],
    ['a non-boolean granted stays in fields only', { granted: 'TRUE' }, []],
    ['a non-integer status stays in fields only', { status: '200 OK' }, []],
    ['an empty actor_id is kept (empty string)', { actor_id: '' }, ['actor_id']],
    ['unknown fields never reach the top level', { principal_name: 'x', severity_hint: 'y' }, []],
  ])('%s', (_quirk, fields, typedKeys) => {
    const event = normalizeLine(fakeView({ ...base, fields }), { receivedAt, signature: { status: 'unverified' } });
    const keys = Object.keys(event);
    expect(keys.slice(keys.indexOf('header') + 1, keys.indexOf('fields'))).toEqual(typedKeys);
    expect(event.fields).toEqual(fields);
  });

  it('types booleans and status', () => {
    const event = normalizeLine(fakeView({ ...base, fields: { granted: 'true', kong_initiated: 'false', status: '403' } }), { receivedAt, signature: { status: 'unverified' } });
    expect([event.granted, event.kong_initiated, event.status]).toEqual([true, false, 403]);
  });

  it('has no time when nothing is parseable, and keeps received_at', () => {
    const event = normalizeLine(fakeView({ ...base, fields: { rt: 'soon' } }), { receivedAt, signature: { status: 'missing' } });
    expect('time' in event).toBe(false);
    expect(Object.keys(event).slice(0, 3)).toEqual(['schema', 'id', 'received_at']);
  });

  it('dates an RFC 3164 prefix in the year of received_at', () => {
    const view = fakeView({ raw: 'Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|', prefix: { text: 'Apr 14 05:39:08 konghq.com ', timestamp: 'Apr 14 05:39:08', timestampKind: 'rfc3164', host: 'konghq.com' } });
    expect(normalizeLine(view, { receivedAt: '2023-04-14T05:39:09.000Z', signature: { status: 'unverified' } }).time).toBe('2023-04-14T05:39:08.000Z');
  });

  it('reads the prefix only when rt does not give the time (it costs a parse)', () => {
    let reads = 0;
    const view = fakeView({ ...base, fields: { rt: '1750688927556' } });
    const counted = { ...view, prefix: () => (reads++, view.prefix()) };
    expect(normalizeLine(counted, { receivedAt, signature: { status: 'unverified' } }).time).toBe('2025-06-23T14:28:47.556Z');
    expect(reads).toBe(0);
    normalizeLine({ ...counted, fields: () => ({ rt: 'x' }) }, { receivedAt, signature: { status: 'unverified' } });
    expect(reads).toBe(1);
  });

  it('takes JSON time from event_ts when rt is absent, and keeps the format', () => {
    const view = fakeView({ format: 'json', raw: '{"event_ts":"2023-04-28T20:52:09Z"}', fields: { event_ts: '2023-04-28T20:52:09Z' } });
    const event = normalizeLine(view, { receivedAt, signature: { status: 'missing' } });
    expect([event.format, event.time]).toEqual(['json', '2023-04-28T20:52:09.000Z']);
  });

  it('does not read inherited properties as fields', () => {
    const fields = Object.create({ org_id: 'inherited', rt: '0' }) as Record<string, string>;
    const view = { ...fakeView(base), fields: () => fields };
    const event = normalizeLine(view, { receivedAt, signature: { status: 'unverified' } });
    expect(event.org_id).toBeUndefined();
    expect(event.time).toBeUndefined();
  });

  it('keeps raw as the exact line, multi-byte characters included', () => {
    const raw = 'CEF:0|KongInc|Konnect|1.0|x|y|0|msg=héllo ✓ ';
    expect(normalizeLine(fakeView({ raw }), { receivedAt, signature: { status: 'unverified' } }).raw).toBe(raw);
  });

  it('copies the header so a reused view cannot change an event', () => {
    const header = { version: '0', vendor: 'v', product: 'p', product_version: '1', event_class_id: 'c', name: 'n', severity: '0' };
    const view = { ...fakeView(base), header: () => header };
    const event = normalizeLine(view, { receivedAt, signature: { status: 'unverified' } });
    header.name = 'changed';
    expect(event.header.name).toBe('n');
  });
});

describe('normalizeLine: a JSON null is no value (SPEC 6: typed keys only when the source has them)', () => {
  const parser = createLineParser();
  const normalizeText = (line: string) => {
    const buf = Buffer.from(line, 'utf8');
    const view = parser.parse(buf, 0, buf.length);
    if (isLineError(view)) throw new Error(view.message);
    return normalizeLine(view, { receivedAt, signature: { status: 'unverified' } });
  };

  it.each([
    ['JSON null: no top-level key, and fields keep its source text', '{"actor_id":null}', undefined],
    ['the JSON string "null" is a value', '{"actor_id":"null"}', 'null'],
    ['a CEF value null is text, so a value', 'CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|actor_id=null', 'null'],
    ['the last duplicate decides: null after a string', '{"actor_id":"a","actor_id":null}', undefined],
    ['the last duplicate decides: a string after null', '{"actor_id":null,"actor_id":"a"}', 'a'],
    ['an escaped member name is the same member', '{"actor\\u005fid":null}', undefined],
    ['an empty JSON string is a value', '{"actor_id":""}', ''],
  ])('%s', (_quirk, line, expected) => {
    const event = normalizeText(line);
    expect(event.actor_id).toBe(expected);
    expect(Object.hasOwn(event, 'actor_id')).toBe(expected !== undefined);
    expect(event.fields['actor_id']).toBe(expected ?? 'null');
  });

  it.each(fieldMap.map((row) => [row.key, row.source] as const))('every row: "%s" is absent when the member is null', (key, source) => {
    const event = normalizeText(`{"rt":1750688927556,${JSON.stringify(source)}:null}`);
    expect(Object.hasOwn(event, key)).toBe(false);
    expect(event.fields[source]).toBe('null');
  });

  it('keeps a JSON number in a string row as its exact digits (trace_id is 64-bit)', () => {
    expect(normalizeText('{"trace_id":6891110586028963295}').trace_id).toBe('6891110586028963295');
  });
});

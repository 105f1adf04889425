import { describe, expect, it } from 'vitest';
import { encodeHecEvent, toEpochSeconds, type HecEventMeta } from '../../../src/sinks/splunk-hec/encode.js';
import { hecBaseUrl, hecUrl, HEC_EVENT_PATH } from '../../../src/sinks/splunk-hec/config.js';
import { makeEvent, toRecord } from '../support/records.js';

const meta: HecEventMeta = { host: 'receiver-1', source: 'konnect-audit-receiver', sourcetype: 'konnect:audit', index: 'security', indexedFields: true, fields: {} };

describe('splunk-hec encode', () => {
  it('builds {time, host, source, sourcetype, index, event, fields} in that order, with the event as stored', () => {
    const record = toRecord(makeEvent(0));
    const text = encodeHecEvent(record, meta);
    expect(text).toBe(
      `{"time":1750688927.556,"host":"receiver-1","source":"konnect-audit-receiver","sourcetype":"konnect:audit","index":"security","event":${record.json},"fields":{"signature_status":"valid","category":"authentication"}}`,
    );
    expect(JSON.parse(text).event).toEqual(record.event);
  });

  it('omits index when none is configured (the token default applies) and fields when there are none', () => {
    const text = encodeHecEvent(toRecord(makeEvent(0)), { ...meta, index: undefined, indexedFields: false });
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['time', 'host', 'source', 'sourcetype', 'event']);
  });

  it('merges static fields with the indexed verdict fields', () => {
    const parsed = JSON.parse(encodeHecEvent(toRecord(makeEvent(0, { signature: { status: 'invalid' } })), { ...meta, fields: { environment: 'prod' } }));
    expect(parsed.fields).toEqual({ environment: 'prod', signature_status: 'invalid', category: 'authentication' });
  });

  it('falls back to received_at when the event has no time', () => {
    const event = makeEvent(0);
    delete event.time;
    expect(JSON.parse(encodeHecEvent(toRecord(event), meta)).time).toBe(1750688928.001);
  });

  it.each([
    ['milliseconds as three decimals', '2025-06-23T14:28:47.556Z', '1750688927.556'],
    ['whole seconds keep .000', '2025-06-23T14:28:47Z', '1750688927.000'],
    ['a single-digit millisecond is zero-padded', '2025-06-23T14:28:47.005Z', '1750688927.005'],
    ['an offset is honoured', '2025-06-23T16:28:47.556+02:00', '1750688927.556'],
    ['no binary-float digits (.1 + .2 trap)', '2001-09-09T01:46:40.300Z', '1000000000.300'],
    ['unparsable → none', 'Apr 14 05:39:08', undefined],
  ])('epoch seconds: %s', (_quirk, iso, expected) => {
    expect(toEpochSeconds(iso)).toBe(expected);
  });

  it.each([
    ['a bare base URL', 'https://splunk:8088', 'https://splunk:8088/services/collector/event'],
    ['a trailing slash', 'https://splunk:8088/', 'https://splunk:8088/services/collector/event'],
    ['the event endpoint itself', 'https://splunk:8088/services/collector/event', 'https://splunk:8088/services/collector/event'],
    ['the /1.0 event endpoint', 'https://splunk:8088/services/collector/event/1.0', 'https://splunk:8088/services/collector/event'],
    ['the collector root', 'https://splunk:8088/services/collector', 'https://splunk:8088/services/collector/event'],
    ['a proxy path prefix', 'https://gw.example/splunk/', 'https://gw.example/splunk/services/collector/event'],
  ])('URL: %s', (_quirk, url, expected) => {
    expect(hecUrl(hecBaseUrl(url), HEC_EVENT_PATH).href).toBe(expected);
  });
});

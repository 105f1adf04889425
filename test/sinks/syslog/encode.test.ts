import { describe, expect, it } from 'vitest';
import { syslogConfigSchema, withStructuredData } from '../../../src/sinks/syslog/config.js';
import {
  encodeSyslogBatch,
  escapeParamValue,
  formatSyslogMessage,
  frameSyslogMessage,
  syslogSeverity,
  syslogTimestamp,
  type SyslogFormat,
} from '../../../src/sinks/syslog/encode.js';
import type { NormalizedEvent } from '../../../src/normalize/event.js';
import { toEcs, toOcsf } from '../../../src/payload/index.js';
import { createRecordFormatter } from '../../../src/sinks/payload.js';
import { makeEvent, toRecord } from '../support/records.js';

const format: SyslogFormat = { facility: 1, hostname: 'collector-1', appName: 'konnect-audit', framing: 'octet-counting' };

describe('syslog encode (RFC 5424 / RFC 6587)', () => {
  it('formats <PRI>1 TIMESTAMP HOSTNAME APP-NAME - MSGID - MSG with the raw line as MSG', () => {
    const event = makeEvent(1);
    expect(formatSyslogMessage(event, format)).toBe(`<13>1 ${event.time} collector-1 konnect-audit - authentication - ${event.raw}`);
  });

  it.each([
    ['CEF 0 (Konnect success) → notice, user.notice = PRI 13', '0', 'valid', 13],
    ['CEF 3 is still Low → notice', '3', 'valid', 13],
    ['CEF 4 Medium → warning', '4', 'valid', 12],
    ['CEF 7 High → error', '7', 'valid', 11],
    ['CEF 10 Very-High → critical', '10', 'valid', 10],
    ['the CEF word "High" → error', 'High', 'valid', 11],
    ['the CEF word "Very-High" → critical', 'Very-High', 'valid', 10],
    ['an unparsable severity → notice', 'urgent', 'valid', 13],
    ['an out-of-range severity → notice', '11', 'valid', 13],
    ['a forwarded invalid signature is at least a warning', '0', 'invalid', 12],
    ['a missing signature is at least a warning', '1', 'missing', 12],
    ['a malformed signature does not lower a critical', '9', 'malformed', 10],
    ['an unverified line keeps its CEF severity', '0', 'unverified', 13],
  ] as const)('PRI: %s', (_quirk, severity, status, pri) => {
    expect(1 * 8 + syslogSeverity(severity, status)).toBe(pri);
  });

  it('uses the configured facility: local0 with a Low event is PRI 133', () => {
    expect(formatSyslogMessage(makeEvent(1), { ...format, facility: 16 })).toMatch(/^<133>1 /);
  });

  it.each([
    ['the event time when RFC 3339', { time: '2025-06-23T14:28:47.556Z' }, '2025-06-23T14:28:47.556Z'],
    ['received_at when the event has no time', { time: undefined }, '2025-06-23T14:28:48.001Z'],
    ['received_at when the time has 7 fraction digits (RFC 5424 allows 6)', { time: '2025-06-23T14:28:47.1234567Z' }, '2025-06-23T14:28:48.001Z'],
    ['NILVALUE when neither is usable', { time: 'Apr 14 05:39:08', received_at: 'later' }, '-'],
  ] as const)('TIMESTAMP: %s', (_quirk, overrides, expected) => {
    const event = makeEvent(1);
    const changed = { ...event, ...overrides } as typeof event;
    if (overrides.time === undefined) delete changed.time;
    expect(syslogTimestamp(changed)).toBe(expected);
  });

  it.each([
    ['a double quote', 'a"b', 'a\\"b'],
    ['a backslash', 'a\\b', 'a\\\\b'],
    ['a closing bracket', 'a]b', 'a\\]b'],
    ['nothing to escape', 'key-2025', 'key-2025'],
  ])('SD PARAM-VALUE escapes %s (RFC 5424 §6.3.3)', (_quirk, value, escaped) => {
    expect(escapeParamValue(value)).toBe(escaped);
  });

  it('adds [sd-id status kid] when structured data is on, without kid when there is none', () => {
    const withKid = formatSyslogMessage(makeEvent(1, { signature: { status: 'valid', kid: 'k"1]' } }), { ...format, structuredDataId: 'konnect@32473' });
    expect(withKid).toContain(' authentication [konnect@32473 status="valid" kid="k\\"1\\]"] 2025-06-23T14:28:47Z konghq.com CEF:0|');
    const noKid = formatSyslogMessage(makeEvent(1, { signature: { status: 'invalid' } }), { ...format, structuredDataId: 'konnect@32473' });
    expect(noKid).toContain(' [konnect@32473 status="invalid"] ');
  });

  it('octet counting counts bytes, not characters (UTF-8)', () => {
    const message = 'ünï ✓';
    const framed = frameSyslogMessage(message, 'octet-counting');
    expect(framed.toString('utf8')).toBe(`${Buffer.byteLength(message)} ${message}`);
    expect(framed.subarray(0, 2).toString()).toBe('9 ');
  });

  it('newline framing ends each message with LF', () => {
    expect(frameSyslogMessage('<13>1 - h a - m - x', 'newline').toString()).toBe('<13>1 - h a - m - x\n');
  });

  it('never truncates: a 70 KB line is framed whole', () => {
    const raw = `CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|request=${'x'.repeat(70_000)} sig=abc`;
    const bytes = encodeSyslogBatch([toRecord(makeEvent(1, { raw }))], format).toString('utf8');
    const [length, ...rest] = bytes.split(' ');
    expect(Number(length)).toBe(Buffer.byteLength(rest.join(' ')));
    expect(bytes.endsWith(raw)).toBe(true);
  });

  it('concatenates a batch as consecutive frames in order', () => {
    const batch = [toRecord(makeEvent(1)), toRecord(makeEvent(2))];
    const text = encodeSyslogBatch(batch, format).toString('utf8');
    const first = formatSyslogMessage(makeEvent(1), format);
    const second = formatSyslogMessage(makeEvent(2), format);
    expect(text).toBe(`${Buffer.byteLength(first)} ${first}${Buffer.byteLength(second)} ${second}`);
  });

  it.each([
    ['raw (the default): the signed line', 'raw', (e: NormalizedEvent) => e.raw],
    ['ecs: the ECS document as JSON', 'ecs', (e: NormalizedEvent) => JSON.stringify(toEcs(e))],
    ['ocsf: the OCSF document as JSON', 'ocsf', (e: NormalizedEvent) => JSON.stringify(toOcsf(e))],
    ['v1: the stored JSON', 'v1', (e: NormalizedEvent) => JSON.stringify(e)],
  ] as const)('payload %s is MSG; header and SD stay', (_name, payload, msg) => {
    const event = makeEvent(3);
    const text = encodeSyslogBatch([toRecord(event)], { ...format, structuredDataId: 'konnect@32473' }, createRecordFormatter({ payload, rawData: false })).toString('utf8');
    expect(text.endsWith(` [konnect@32473 status="valid" kid="key-2025"] ${msg(event)}`)).toBe(true);
    expect(syslogConfigSchema.parse({ protocol: 'tcp', host: 'h', port: 514, type: 'syslog' }).payload).toBe('raw');
  });
});

describe('syslog config', () => {
  const base = { type: 'syslog', protocol: 'tcp', host: '127.0.0.1', port: 514 } as const;

  it('defaults: octet counting, user facility, app-name konnect-audit, a printable host name, the raw payload with its verdict as structured data', () => {
    const config = syslogConfigSchema.parse(base);
    expect(config).toMatchObject({ framing: 'octet-counting', facility: 1, appName: 'konnect-audit', payload: 'raw', structuredDataId: 'konnect@32473' });
    expect(withStructuredData(config)).toBe(true);
    expect(config.hostname).toMatch(/^[\x21-\x7e]{1,255}$/);
  });

  it.each([
    ['raw, not set: on (the line alone does not say whether it verified)', {}, true],
    ['raw, turned off', { structuredData: false }, false],
    ['ecs, not set: off (the document carries the verdict)', { payload: 'ecs' }, false],
    ['ocsf, not set: off', { payload: 'ocsf' }, false],
    ['v1, not set: off', { payload: 'v1' }, false],
    ['ecs, turned on', { payload: 'ecs', structuredData: true }, true],
  ])('structured data with %s', (_case, extra, expected) => {
    expect(withStructuredData(syslogConfigSchema.parse({ ...base, ...extra }))).toBe(expected);
  });

  it.each([
    ['facility by keyword', { facility: 'local0' }, true],
    ['facility by number', { facility: 13 }, true],
    ['an unknown facility keyword', { facility: 'local8' }, false],
    ['a hostname with a space (not PRINTUSASCII)', { hostname: 'my host' }, false],
    ['an SD-ID without an enterprise number', { structuredDataId: 'konnect' }, false],
    ['an SD-ID longer than 32 characters', { structuredDataId: `${'k'.repeat(30)}@32473` }, false],
    ['a CA bundle on plain TCP', { caFile: '/etc/ca.pem' }, false],
    ['an unknown key', { retries: 3 }, false],
  ])('%s', (_quirk, extra, ok) => {
    expect(syslogConfigSchema.safeParse({ ...base, ...extra }).success).toBe(ok);
  });
});

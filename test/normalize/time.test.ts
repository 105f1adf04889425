import { describe, expect, it } from 'vitest';
import { epochMillisToIso, eventTimeOf, isoToIso, rfc3164ToIso } from '../../src/normalize/time.js';

describe('epochMillisToIso (rt)', () => {
  it.each([
    ['Dev Portal example rt', '1750688927556', '2025-06-23T14:28:47.556Z'],
    ['org authz example rt', '1681450748406', '2023-04-14T05:39:08.406Z'],
    ['epoch zero', '0', '1970-01-01T00:00:00.000Z'],
    ["Kong docs' garbled rt=3958q3097698", '3958q3097698', undefined],
    ['empty rt', '', undefined],
    ['negative rt', '-1', undefined],
    ['decimal rt', '1750688927556.5', undefined],
    ['beyond the ECMAScript date range', '9999999999999999', undefined],
  ])('%s', (_quirk, text, expected) => {
    expect(epochMillisToIso(text)).toBe(expected);
  });
});

describe('isoToIso (prefix timestamp, event_ts)', () => {
  it.each([
    ['Konnect prefix, Z', '2025-06-23T14:28:47Z', '2025-06-23T14:28:47.000Z'],
    ['milliseconds kept', '2025-06-23T14:28:47.556Z', '2025-06-23T14:28:47.556Z'],
    ['microseconds truncated', '2025-06-23T14:28:47.556999Z', '2025-06-23T14:28:47.556Z'],
    ['one fraction digit', '2025-06-23T14:28:47.5Z', '2025-06-23T14:28:47.500Z'],
    ['comma fraction', '2025-06-23T14:28:47,25Z', '2025-06-23T14:28:47.250Z'],
    ['positive offset', '2025-06-23T16:28:47+02:00', '2025-06-23T14:28:47.000Z'],
    ['negative offset without colon', '2025-06-23T09:28:47-0500', '2025-06-23T14:28:47.000Z'],
    ['no offset is UTC', '2025-06-23T14:28:47', '2025-06-23T14:28:47.000Z'],
    ['space instead of T', '2025-06-23 14:28:47Z', '2025-06-23T14:28:47.000Z'],
    ['offset crossing midnight', '2025-01-01T00:30:00+01:00', '2024-12-31T23:30:00.000Z'],
    ['a year below 100 is not shifted to 19xx', '0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
    ['leap second rolls over', '2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z'],
    ['February 29 in a leap year', '2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['February 29 in a common year', '2025-02-29T00:00:00Z', undefined],
    ['month 13', '2025-13-01T00:00:00Z', undefined],
    ['hour 24', '2025-06-23T24:00:00Z', undefined],
    ['date only', '2025-06-23', undefined],
    ['trailing text', '2025-06-23T14:28:47Z x', undefined],
    ['garbage', 'yesterday', undefined],
  ])('%s', (_quirk, text, expected) => {
    expect(isoToIso(text)).toBe(expected);
  });
});

describe('rfc3164ToIso (year inferred from received_at)', () => {
  it.each([
    ['same year', 'Apr 14 05:39:08', '2023-04-14T05:39:08.401Z', '2023-04-14T05:39:08.000Z'],
    ['December event received in January: previous year', 'Dec 31 23:59:59', '2026-01-01T00:00:05.000Z', '2025-12-31T23:59:59.000Z'],
    ['less than a day ahead (clock skew): same year', 'Jun 24 10:00:00', '2025-06-23T12:00:00.000Z', '2025-06-24T10:00:00.000Z'],
    ['more than a day ahead: previous year', 'Jun 25 10:00:00', '2025-06-23T12:00:00.000Z', '2024-06-25T10:00:00.000Z'],
    ['space-padded day', 'Apr  4 05:39:08', '2023-04-14T00:00:00.000Z', '2023-04-04T05:39:08.000Z'],
    ['single space before one digit', 'Apr 4 05:39:08', '2023-04-14T00:00:00.000Z', '2023-04-04T05:39:08.000Z'],
    ['Feb 29 received in a common year: the previous (leap) year', 'Feb 29 12:00:00', '2025-03-01T00:00:00.000Z', '2024-02-29T12:00:00.000Z'],
    ['Feb 29 when neither year is a leap year', 'Feb 29 12:00:00', '2026-03-01T00:00:00.000Z', undefined],
    ['Feb 29 received in a leap year', 'Feb 29 12:00:00', '2024-03-01T00:00:00.000Z', '2024-02-29T12:00:00.000Z'],
    ['unknown month', 'Foo 14 05:39:08', '2023-04-14T00:00:00.000Z', undefined],
    ['lower-case month', 'apr 14 05:39:08', '2023-04-14T00:00:00.000Z', undefined],
    ['day 32', 'Jan 32 05:39:08', '2023-04-14T00:00:00.000Z', undefined],
    ['minute 60', 'Apr 14 05:60:08', '2023-04-14T00:00:00.000Z', undefined],
    ['bad received_at', 'Apr 14 05:39:08', 'not a date', undefined],
  ])('%s', (_quirk, text, receivedAt, expected) => {
    expect(rfc3164ToIso(text, receivedAt)).toBe(expected);
  });
});

describe('eventTimeOf (which source wins)', () => {
  const receivedAt = '2025-06-23T14:28:48.001Z';
  it.each([
    ['rt first (it has milliseconds)', { rt: '1750688927556', prefixTimestamp: '2025-06-23T14:28:47Z', prefixTimestampKind: 'iso8601' as const }, '2025-06-23T14:28:47.556Z'],
    ['garbled rt falls back to the ISO prefix', { rt: '3958q3097698', prefixTimestamp: '2025-05-19T00:03:39Z', prefixTimestampKind: 'iso8601' as const }, '2025-05-19T00:03:39.000Z'],
    ['no rt: RFC 3164 prefix', { prefixTimestamp: 'Jun 23 14:28:47', prefixTimestampKind: 'rfc3164' as const }, '2025-06-23T14:28:47.000Z'],
    ['prefix of unknown kind: tried as ISO then RFC 3164', { prefixTimestamp: 'Jun 23 14:28:47' }, '2025-06-23T14:28:47.000Z'],
    ['no rt, no prefix: event_ts (JSON)', { eventTs: '2023-04-28T20:52:09Z' }, '2023-04-28T20:52:09.000Z'],
    ['unparseable prefix falls back to event_ts', { prefixTimestamp: 'garbage', prefixTimestampKind: 'iso8601' as const, eventTs: '2023-04-28T20:52:09Z' }, '2023-04-28T20:52:09.000Z'],
    ['nothing parseable: no time', { rt: 'x', eventTs: 'y' }, undefined],
    ['nothing at all: no time', {}, undefined],
  ])('%s', (_quirk, sources, expected) => {
    expect(eventTimeOf(sources, receivedAt)).toBe(expected);
  });
});

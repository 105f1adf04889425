/**
 * @module normalize/time
 * The event's `time` (SPEC 6), as ISO-8601 UTC with milliseconds
 * (`2025-06-23T14:28:47.556Z`), from the first of these that parses:
 *
 * 1. `rt`: milliseconds since the Unix epoch ("rt: Milliseconds since Unix
 *    epoch", Kong audit log reference), a JSON number or a string of digits.
 *    It carries milliseconds, the prefix timestamp does not. Only plain digits
 *    are read: Kong's own docs show a garbled `rt=3958q3097698`, which falls
 *    through to the next source instead of becoming a wrong time.
 * 2. the timestamp of the line prefix (CEF): ISO-8601 (`2025-06-23T14:28:47Z`;
 *    without an offset it is read as UTC, as Konnect documents "Time and date
 *    of the event in UTC") or RFC 3164 (`Apr 14 05:39:08`, UTC, no year).
 * 3. `event_ts` (JSON; ISO-8601).
 *
 * RFC 3164 timestamps have no year: the year of `received_at` is used, and
 * one year earlier when that would put the event more than a day after it was
 * received (a December event received in January). A day of slack absorbs
 * clock skew without misdating events that are merely late (replay jobs go 7
 * days back).
 *
 * Nothing here throws: an unparseable value means no `time`.
 */

import { formatIsoMillis } from './iso-format.js';

const MS_PER_DAY = 86_400_000;
/** ECMAScript's time value range (ECMA-262 §21.4.1.1). */
const MAX_TIME_MS = 8.64e15;

export interface TimeSources {
  /** The `rt` field text. */
  readonly rt?: string | undefined;
  /** The prefix timestamp, verbatim, and its shape. */
  readonly prefixTimestamp?: string | undefined;
  readonly prefixTimestampKind?: 'iso8601' | 'rfc3164' | undefined;
  /** The `event_ts` field text. */
  readonly eventTs?: string | undefined;
}

export function eventTimeOf(sources: TimeSources, receivedAt: string): string | undefined {
  const fromRt = sources.rt === undefined ? undefined : epochMillisToIso(sources.rt);
  if (fromRt !== undefined) return fromRt;
  const stamp = sources.prefixTimestamp;
  if (stamp !== undefined) {
    const kind = sources.prefixTimestampKind;
    const fromPrefix = kind === 'rfc3164' ? rfc3164ToIso(stamp, receivedAt) : kind === 'iso8601' ? isoToIso(stamp) : (isoToIso(stamp) ?? rfc3164ToIso(stamp, receivedAt));
    if (fromPrefix !== undefined) return fromPrefix;
  }
  return sources.eventTs === undefined ? undefined : isoToIso(sources.eventTs);
}

/** `1750688927556` → `2025-06-23T14:28:47.556Z`; digits only (at most 16), else `undefined`. */
export function epochMillisToIso(text: string): string | undefined {
  const length = text.length;
  if (length === 0 || length > 16) return undefined;
  // Exact below 2^53; a longer value may round, but stays above the range.
  let ms = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    ms = ms * 10 + digit;
  }
  return ms > MAX_TIME_MS ? undefined : formatIsoMillis(ms);
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An ISO-8601 / RFC 3339 date-time → UTC with milliseconds. Fractions beyond
 * milliseconds are truncated; a missing offset means UTC; a leap second (`:60`)
 * rolls into the next minute (ECMAScript dates have no leap seconds).
 */
export function isoToIso(text: string): string | undefined {
  const m = ISO_RE.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, offset] = m as unknown as [string, string, string, string, string, string, string, string | undefined, string | undefined];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (!isValidDate(year, month, day) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let ms = utcMillis(year, month, day, Number(h), Number(mi), Number(s), millis);
  if (offset !== undefined && offset !== 'Z' && offset !== 'z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const offHours = Number(digits.slice(0, 2));
    const offMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offHours > 23 || offMinutes > 59) return undefined;
    ms -= sign * (offHours * 60 + offMinutes) * 60_000;
  }
  return Math.abs(ms) > MAX_TIME_MS ? undefined : formatIsoMillis(ms);
}

const MONTHS: Readonly<Record<string, number>> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };
/** RFC 3164 §4.1.2 `Mmm dd hh:mm:ss`, the day space-padded (`Apr  4`); a single space before one digit is tolerated. */
const RFC3164_RE = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/;

/** `Apr 14 05:39:08` → `2023-04-14T05:39:08.000Z`, the year inferred from `receivedAt` (see the module comment). */
export function rfc3164ToIso(text: string, receivedAt: string): string | undefined {
  const m = RFC3164_RE.exec(text);
  if (m === null) return undefined;
  const [, mon, d, h, mi, s] = m as unknown as [string, string, string, string, string, string];
  const month = MONTHS[mon];
  const received = Date.parse(receivedAt);
  if (month === undefined || Number.isNaN(received) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  const day = Number(d);
  const receivedYear = new Date(received).getUTCFullYear();
  for (const year of [receivedYear, receivedYear - 1]) {
    if (!isValidDate(year, month, day)) continue;
    const ms = utcMillis(year, month, day, Number(h), Number(mi), Number(s), 0);
    if (year === receivedYear && ms > received + MS_PER_DAY) continue;
    return formatIsoMillis(ms);
  }
  return undefined;
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one.
  return day <= new Date(utcMillis(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate();
}

/** Date.UTC with a 1-based month, without its quirk of mapping years 0-99 to 1900-1999. */
function utcMillis(year: number, month: number, day: number, hours: number, minutes: number, seconds: number, millis: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime() + ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
}

/**
 * @module normalize/iso-format
 * Milliseconds since the epoch → `YYYY-MM-DDTHH:MM:SS.mmmZ`, the exact text
 * of `Date#toISOString`, without making a Date. Every event carries a time and
 * `new Date(ms).toISOString()` was the largest single cost of normalizing a
 * line (profiled: ~25%).
 *
 * The civil date comes from integer arithmetic (Howard Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", `civil_from_days`), and the
 * text up to the minute is cached: a batch's events are seconds apart, so
 * most lines only append `SS.mmmZ` from two lookup tables. Years 0000-9999
 * only; outside them (and for a non-integer) `toISOString` is called, which
 * writes the extended `+YYYYYY` / `-YYYYYY` years itself.
 */

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 1440;
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
const MIN_FAST_MS = -62_167_219_200_000;
const MAX_FAST_MS = 253_402_300_799_999;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
/** `00`..`59`, for hours and minutes. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, n) => pad(n, 2));
/** `00.`..`59.`, the seconds and the dot. */
const SECONDS_DOT: readonly string[] = Array.from({ length: 60 }, (_, n) => `${pad(n, 2)}.`);
/** `000Z`..`999Z`, the milliseconds and the zone. */
const MILLIS_Z: readonly string[] = Array.from({ length: 1000 }, (_, n) => `${pad(n, 3)}Z`);

let cachedDay = Number.NaN;
/** `YYYY-MM-DDT` of `cachedDay`. */
let cachedDayText = '';
let cachedMinute = Number.NaN;
/** `YYYY-MM-DDTHH:MM:` of `cachedMinute`. */
let cachedMinuteText = '';

/** The same text as `new Date(ms).toISOString()` (which throws a RangeError outside ±8.64e15 ms, as this does). */
export function formatIsoMillis(ms: number): string {
  if (!(ms >= MIN_FAST_MS && ms <= MAX_FAST_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const minute = Math.floor(ms / MS_PER_MINUTE);
  const msOfMinute = ms - minute * MS_PER_MINUTE;
  if (minute !== cachedMinute) {
    const day = Math.floor(minute / MINUTES_PER_DAY);
    if (day !== cachedDay) {
      cachedDayText = dateText(day);
      cachedDay = day;
    }
    const minuteOfDay = minute - day * MINUTES_PER_DAY;
    const hour = Math.floor(minuteOfDay / 60);
    cachedMinuteText = `${cachedDayText}${TWO_DIGITS[hour]!}:${TWO_DIGITS[minuteOfDay - hour * 60]!}:`;
    cachedMinute = minute;
  }
  const second = Math.floor(msOfMinute / 1000);
  return cachedMinuteText + SECONDS_DOT[second]! + MILLIS_Z[msOfMinute - second * 1000]!;
}

/** `YYYY-MM-DDT` of a day number (days since 1970-01-01; Hinnant's `civil_from_days`, proleptic Gregorian). */
function dateText(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097; // [0, 146096]
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365); // [0, 399]
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100)); // [0, 365], from March 1
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153); // [0, 11]
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${TWO_DIGITS[month]!}-${TWO_DIGITS[day]!}T`;
}

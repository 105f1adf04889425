/**
 * @module sinks/http-outcome
 * The one table from an HTTP answer to a sink outcome, shared by the HTTP
 * sinks (Splunk adds its own codes on top). The rule: a problem with *these
 * events* is `rejected` (dead-letter); a problem an operator or time fixes
 * (credentials, wrong URL, overload, outage) is `retryable`, and events wait
 * in the store.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { WriteOutcome } from './types.js';

/** Longest part of a response body quoted in a reason (log line, dead-letter record). */
export const MAX_EXCERPT_CHARS = 200;

export function outcomeForStatus(status: number, headers: IncomingHttpHeaders, body: string): WriteOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const reason = `HTTP ${status}${excerpt(body)}`;
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  const after = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status === 401 || status === 403 || status === 407) return { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH', reason, ...after };
  if (status === 429) return { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', reason, ...after };
  if (status === 408 || status >= 500) return { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER', reason, ...after };
  // Other 4xx (400, 413, 415, 422...): a problem with these bytes; sending them again cannot succeed.
  if (status >= 400 && status !== 404 && status !== 405) return { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED', reason };
  // 404/405 and 3xx: the URL is wrong (or redirects, which are not followed so that
  // credentials never travel to another host). An operator fixes it; events wait.
  return { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason: `${reason} (check the url)`, ...after };
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP-date
 * (RFC 9110 §10.2.3). Absent or unparsable: undefined (the dispatcher's
 * backoff applies).
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its day and month (IMF-fixdate, RFC 850, asctime); Date.parse alone would take "-5" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function excerpt(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (text === '') return '';
  return `: ${text.length > MAX_EXCERPT_CHARS ? `${text.slice(0, MAX_EXCERPT_CHARS)}…` : text}`;
}

/**
 * @module intake/respond
 * THE status table (SPEC 5.2): every answer the receiver gives Konnect is
 * built here. Statuses are chosen for Konnect's retry rules: it retries only
 * on a connection error, 500 and 429 (1 s to 30 s apart, at most 4 times);
 * any other status ends the delivery, and only a manual replay job re-sends.
 *
 * | situation (SPEC 5.2)                                     | status | code                                  |
 * | -------------------------------------------------------- | ------ | ------------------------------------- |
 * | batch durably stored (bad lines counted, not fatal)      | 200    | summary `{accepted, duplicates, quarantined, rejected}` |
 * | missing/wrong Authorization                              | 401    | KAR_ERR_INTAKE_UNAUTHORIZED           |
 * | undecodable body (corrupt gzip/deflate)                  | 400    | KAR_ERR_INTAKE_BODY_UNDECODABLE       |
 * | too large, compressed / inflated                         | 413    | KAR_ERR_INTAKE_BODY_TOO_LARGE / _INFLATED_TOO_LARGE |
 * | unsupported Content-Encoding                             | 415    | KAR_ERR_INTAKE_UNSUPPORTED_ENCODING   |
 * | too many batches in flight / shutting down / store full  | 429 + Retry-After | KAR_ERR_INTAKE_OVERLOADED / _SHUTTING_DOWN / KAR_ERR_STORE_FULL |
 * | cannot store now / keys unavailable, none cached / bug   | 500    | KAR_ERR_STORE_UNAVAILABLE / KAR_ERR_KEYS_UNAVAILABLE / KAR_ERR_INTERNAL |
 * | body sent too slowly                                     | 408    | KAR_ERR_INTAKE_TIMEOUT                |
 * | wrong path or method                                     | 404    | KAR_ERR_INTAKE_NOT_FOUND              |
 *
 * The status of each code lives in the error registry; this module is the
 * only place that turns a code into a response, and it never answers
 * 502/503/504 (Konnect would drop the batch instead of retrying).
 */
import { isKarError, specOf, type ErrorCode } from '../errors/index.js';
import type { BatchSummary } from '../store/types.js';

/** Seconds Konnect-like senders should wait, per 429 code (Konnect itself waits 1–30 s). */
const retryAfterSeconds: Partial<Record<ErrorCode, number>> = {
  KAR_ERR_INTAKE_OVERLOADED: 1,
  KAR_ERR_INTAKE_SHUTTING_DOWN: 5,
  KAR_ERR_STORE_FULL: 30,
};

/** Statuses this receiver may answer; anything else becomes 500 (retried). */
const allowedStatuses: ReadonlySet<number> = new Set([200, 400, 401, 404, 408, 413, 415, 429, 500]);

const baseHeaders = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

/** 200: the batch is on disk; the body is the summary Konnect shows nobody but we log. */
export function respondStored(summary: BatchSummary): Response {
  const body = { accepted: summary.accepted, duplicates: summary.duplicates, quarantined: summary.quarantined, rejected: summary.rejected };
  return new Response(JSON.stringify(body), { status: 200, headers: baseHeaders });
}

/** The status an error code is answered with. */
export function statusOf(code: ErrorCode): number {
  const status = specOf(code).httpStatus ?? 500;
  return allowedStatuses.has(status) ? status : 500;
}

/**
 * An error answer: `{error: {code, message}}` where the message is the
 * registry's sentence for the code — never the thrown message, a stack or
 * anything the request carried.
 */
export function respondError(code: ErrorCode, options: { readonly retryAfterSeconds?: number } = {}): Response {
  const status = statusOf(code);
  const headers: Record<string, string> = { ...baseHeaders };
  if (status === 429) headers['retry-after'] = String(options.retryAfterSeconds ?? retryAfterSeconds[code] ?? 1);
  // RFC 9110 §11.6.1: a 401 names a challenge; the scheme Konnect sends is whatever the operator configured.
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="konnect-audit"';
  const body = { error: { code, message: specOf(code).summary } };
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * The code a thrown error is answered with: a KarError keeps its code when
 * the registry gives it a status (store full, store unavailable, keys
 * unavailable); any other KarError that may succeed later is a 500 under its
 * own code; anything else is an internal error (500).
 */
export function codeOfThrown(error: unknown): ErrorCode {
  if (!isKarError(error)) return 'KAR_ERR_INTERNAL';
  const spec = error.spec;
  if (spec.httpStatus !== undefined || spec.retryable) return error.code;
  return 'KAR_ERR_INTERNAL';
}

/** A `Retry-After` the thrown error asks for (a store may know when it will have room). */
export function retryAfterOfThrown(error: unknown): number | undefined {
  if (!isKarError(error)) return undefined;
  const ms = error.details['retryAfterMs'];
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : undefined;
}

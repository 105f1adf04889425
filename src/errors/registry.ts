/**
 * @module errors/registry
 * The one list of error codes (`KAR_ERR_<AREA>_<WHAT>`). Codes are bounded and
 * used as metric labels; variable data (offsets, key ids, sink names) goes in
 * log fields, never in the code. `docs/ERRORS.md` is kept in step with this
 * table by `test/errors/registry.test.ts`.
 *
 * To add a code: add one row in its area, then a row in docs/ERRORS.md.
 */

export interface ErrorSpec {
  /** HTTP status the receiver answers with when this error ends a request. */
  readonly httpStatus?: number;
  /** Whether the same input may succeed later (drives retries and status codes). */
  readonly retryable: boolean;
  /** Exit code of the CLI when this error ends a command. */
  readonly exitCode: number;
  /** One sentence for people: what happened and what to do. */
  readonly summary: string;
}

export const errorRegistry = {
  // ── usage and configuration (CLI exit 2) ─────────────────────────────────
  KAR_ERR_USAGE: { retryable: false, exitCode: 2, summary: 'The command line is wrong: unknown command or option, a missing value, or a value that does not read as its kind. Run with --help.' },
  KAR_ERR_CONFIG_INVALID: { retryable: false, exitCode: 2, summary: 'The configuration (environment, flags or config file) is invalid; every problem is listed.' },
  KAR_ERR_CONFIG_NO_AUTHORIZATION: { retryable: false, exitCode: 2, summary: 'No Authorization value is configured; set KONNECT_AUDIT_AUTHORIZATION or explicitly allow unauthenticated mode.' },
  KAR_ERR_CONFIG_TLS: { retryable: false, exitCode: 2, summary: 'The TLS certificate or key cannot be read or does not parse; check KONNECT_AUDIT_TLS_CERT and KONNECT_AUDIT_TLS_KEY.' },
  KAR_ERR_IO_READ: { retryable: false, exitCode: 2, summary: 'An input file cannot be read (missing, unreadable or a directory).' },
  KAR_ERR_IO_WRITE: { retryable: false, exitCode: 2, summary: 'An output file or directory cannot be written.' },

  // ── intake: one HTTP request from Konnect ───────────────────────────────
  KAR_ERR_INTAKE_UNAUTHORIZED: { httpStatus: 401, retryable: false, exitCode: 1, summary: 'The Authorization header is missing or matches none of the configured values.' },
  KAR_ERR_INTAKE_BODY_UNDECODABLE: { httpStatus: 400, retryable: false, exitCode: 1, summary: 'The request body cannot be decoded (corrupt gzip or deflate data).' },
  KAR_ERR_INTAKE_BODY_NOT_UTF8: { httpStatus: 400, retryable: false, exitCode: 1, summary: 'The decoded body is not valid UTF-8 text.' },
  KAR_ERR_INTAKE_BODY_TOO_LARGE: { httpStatus: 413, retryable: false, exitCode: 1, summary: 'The compressed request body is larger than the configured limit.' },
  KAR_ERR_INTAKE_INFLATED_TOO_LARGE: { httpStatus: 413, retryable: false, exitCode: 1, summary: 'The body inflates past the configured limit (a gzip bomb is stopped while inflating).' },
  KAR_ERR_INTAKE_UNSUPPORTED_ENCODING: { httpStatus: 415, retryable: false, exitCode: 1, summary: 'The Content-Encoding is not one of gzip, x-gzip, application/gzip, deflate or identity.' },
  KAR_ERR_INTAKE_OVERLOADED: { httpStatus: 429, retryable: true, exitCode: 1, summary: 'Too many batches are in flight; Konnect retries after Retry-After.' },
  KAR_ERR_INTAKE_SHUTTING_DOWN: { httpStatus: 429, retryable: true, exitCode: 1, summary: 'The receiver is shutting down; Konnect retries after Retry-After (on this or another instance).' },
  KAR_ERR_INTAKE_TIMEOUT: { httpStatus: 408, retryable: false, exitCode: 1, summary: 'The client sent its request too slowly and was cut off.' },
  KAR_ERR_INTAKE_NOT_FOUND: { httpStatus: 404, retryable: false, exitCode: 1, summary: 'No such path: Konnect must post to the configured path.' },
  KAR_ERR_INTERNAL: { httpStatus: 500, retryable: true, exitCode: 1, summary: 'An unexpected internal error (a bug); Konnect retries the batch. Run with KONNECT_AUDIT_DEBUG=1 and report it.' },

  // ── one line of a batch ───────────────────────────────────────────────────
  KAR_ERR_LINE_UNRECOGNIZED: { retryable: false, exitCode: 1, summary: 'The line is neither CEF (no `CEF:<digits>|`) nor a JSON object.' },
  KAR_ERR_LINE_TOO_LONG: { retryable: false, exitCode: 1, summary: 'The line is longer than the configured line-length limit.' },
  KAR_ERR_LINE_NOT_UTF8: { retryable: false, exitCode: 1, summary: 'The line is not valid UTF-8.' },
  KAR_ERR_CEF_HEADER_INCOMPLETE: { retryable: false, exitCode: 1, summary: 'The CEF header has fewer than 7 `|`-terminated fields.' },
  KAR_ERR_JSON_SYNTAX: { retryable: false, exitCode: 1, summary: 'The line starts like JSON but is not valid JSON.' },
  KAR_ERR_JSON_NOT_OBJECT: { retryable: false, exitCode: 1, summary: 'The JSON line is not a single object.' },

  // ── signatures (also the reasons kept with quarantined lines) ────────────
  KAR_ERR_SIG_MISSING: { retryable: false, exitCode: 1, summary: 'The line carries no `sig`; Konnect signs every line.' },
  KAR_ERR_SIG_MALFORMED: { retryable: false, exitCode: 1, summary: 'The `sig` is not strict base64url of exactly 64 bytes.' },
  KAR_ERR_SIG_INVALID: { retryable: false, exitCode: 1, summary: 'The signature verifies with none of the keys, even after a key refresh.' },

  // ── keys (JWKS) ───────────────────────────────────────────────────────────
  KAR_ERR_KEYS_FETCH_FAILED: { retryable: true, exitCode: 2, summary: 'The JWKS could not be fetched or read; the last good key set stays in use.' },
  KAR_ERR_KEYS_INVALID_JWKS: { retryable: false, exitCode: 2, summary: 'The JWKS is not a JSON object with a `keys` array.' },
  KAR_ERR_KEYS_NONE_USABLE: { retryable: false, exitCode: 2, summary: 'The JWKS holds no usable OKP/Ed25519 key.' },
  KAR_ERR_KEYS_UNAVAILABLE: { httpStatus: 500, retryable: true, exitCode: 2, summary: 'No key set is loaded yet and none is cached; Konnect retries the batch.' },

  // ── storage ───────────────────────────────────────────────────────────────
  KAR_ERR_STORE_FULL: { httpStatus: 429, retryable: true, exitCode: 1, summary: 'The store has reached its configured size, or its disk is full; Konnect retries after Retry-After while sinks drain it.' },
  KAR_ERR_STORE_UNAVAILABLE: { httpStatus: 500, retryable: true, exitCode: 2, summary: 'The store cannot commit now (disk error, locked database); Konnect retries the batch.' },

  // ── sinks ─────────────────────────────────────────────────────────────────
  KAR_ERR_SINK_UNREACHABLE: { retryable: true, exitCode: 1, summary: 'The sink cannot be reached (connection refused, DNS, TLS handshake, timeout).' },
  KAR_ERR_SINK_THROTTLED: { retryable: true, exitCode: 1, summary: 'The sink asked us to slow down (429 or a server-busy answer).' },
  KAR_ERR_SINK_SERVER: { retryable: true, exitCode: 1, summary: 'The sink answered with a server error (5xx or 408).' },
  KAR_ERR_SINK_AUTH: { retryable: true, exitCode: 1, summary: 'The sink refused our credentials (401/403); fix the token, events wait in the store.' },
  KAR_ERR_SINK_ACK_TIMEOUT: { retryable: true, exitCode: 1, summary: 'The sink accepted the events but did not confirm indexing in time (Splunk indexer acknowledgement); they are sent again.' },
  KAR_ERR_SINK_REJECTED: { retryable: false, exitCode: 1, summary: 'The sink rejected the events for good; they went to the dead-letter store.' },

  // ── verify CLI inputs ─────────────────────────────────────────────────────
  KAR_ERR_INPUT_GZIP: { retryable: false, exitCode: 2, summary: 'A .gz input cannot be inflated.' },
  KAR_ERR_INPUT_NO_RAW_COLUMN: { retryable: false, exitCode: 2, summary: 'A CSV or JSON export has no raw-message column (`_raw`, `_raw_message`, `raw`).' },
  KAR_ERR_INPUT_FORMAT: { retryable: false, exitCode: 2, summary: 'An input file is not of the detected or forced kind.' },
  KAR_ERR_INPUT_RECORD_NO_RAW: { retryable: false, exitCode: 1, summary: 'One record of an export has no raw line (its raw column or member is absent or empty); it is counted as unparseable.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorRegistry;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorRegistry, value);
}

export function specOf(code: ErrorCode): ErrorSpec {
  return errorRegistry[code];
}

/**
 * @module intake
 * The receiver Konnect posts to: the Hono app (`createIntakeApp`), the
 * Authorization check, body decoding with caps, the status table
 * (`respond.ts`), and `startReceiver`, which assembles store, sinks, key set,
 * pipeline and the HTTPS server from a validated configuration.
 */
export { createIntakeApp, type IntakeApp, type IntakeAppOptions, type IntakeLimits } from './app.js';
export { createAuthorizationCheck, type AuthorizationCheck, type AuthorizationOptions } from './authorize.js';
export { checkContentLength, decodeBody, inflateCapped, isGzip, parseContentEncoding, readBodyCapped, readIncomingCapped, SYNC_INFLATE_BYTES, type BodyCoding, type DecodeLimits, type Decoded, type DecodeFailure } from './decode-body.js';
export { respondError, respondStored, statusOf, codeOfThrown } from './respond.js';
export { intakeMetrics } from './metrics.js';
export { loadTlsMaterial, type TlsMaterial } from './tls.js';
export { startReceiver, JWKS_CACHE_FILE, type RunningReceiver, type StartReceiverOptions } from './run-receiver.js';

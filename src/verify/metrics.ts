/**
 * @module verify/metrics
 * Key-set and verifier metrics. `result` is a bounded set: updated | unchanged | failed | rate_limited;
 * `backend`: libsodium | node-crypto.
 */
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.js';

export const jwksRefreshResults = ['updated', 'unchanged', 'failed', 'rate_limited'] as const;
export type JwksRefreshResult = (typeof jwksRefreshResults)[number];

export const jwksRefreshTotal = new Counter({
  name: 'konnect_audit_jwks_refresh_total',
  help: 'JWKS loads and refreshes by result (rate_limited: an on-demand refresh refused because the last attempt was too recent).',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

export const jwksKeys = new Gauge({
  name: 'konnect_audit_jwks_keys',
  help: 'Usable Ed25519 keys in the current key set.',
  registers: [metricsRegistry],
});

export const jwksLastSuccessSeconds = new Gauge({
  name: 'konnect_audit_jwks_last_success_timestamp_seconds',
  help: 'When the JWKS was last loaded successfully (from its source or, at start, from the cache file).',
  registers: [metricsRegistry],
});

export const signatureReverifiedTotal = new Counter({
  name: 'konnect_audit_signature_reverified_total',
  help: 'Lines verified again after a key refresh, by outcome of the second check.',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

export const verifyBackendGauge = new Gauge({
  name: 'konnect_audit_verify_backend',
  help: 'The Ed25519 implementation checking signatures: 1 for the one in use (libsodium, or node-crypto when the sodium-native addon cannot load).',
  labelNames: ['backend'] as const,
  registers: [metricsRegistry],
});

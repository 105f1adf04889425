/**
 * @module verify/backend
 * Which Ed25519 implementation checks the signatures: libsodium
 * (`sodium-native`, 1.7x the rate of OpenSSL per core on the development
 * machine, docs/VERIFY.md) when its addon loads, else node:crypto (OpenSSL).
 * Both are strict RFC 8032 on the keys the JWKS import lets through (it
 * refuses small-order and non-canonical keys, which OpenSSL alone would
 * accept: verify/weak-key.ts), and agree on every Wycheproof vector.
 */
import { createRequire } from 'node:module';
import type { Logger } from '../observability/logger.js';
import { verifyBackendGauge } from './metrics.js';

export const verifyBackends = ['libsodium', 'node-crypto'] as const;
export type VerifyBackend = (typeof verifyBackends)[number];

/**
 * Loads `sodium-native` and returns the path the worker threads require it
 * from; throws when the addon cannot load (no prebuilt binary for the
 * platform, a broken install). Injected by tests to force the fallback.
 */
export type SodiumLoader = () => string;

export interface BackendChoice {
  readonly backend: VerifyBackend;
  /** libsodium: the module path the workers require. */
  readonly sodiumPath?: string;
  /** node-crypto: why libsodium was not used. */
  readonly reason?: string;
}

const requireHere = createRequire(import.meta.url);

/** The real loader: resolves from this package (not the working directory) and loads the addon once here, so a failure shows at start. */
export const loadSodiumNative: SodiumLoader = () => {
  const path = requireHere.resolve('sodium-native');
  const sodium = requireHere(path) as { readonly crypto_sign_verify_detached?: unknown };
  if (typeof sodium.crypto_sign_verify_detached !== 'function') throw new Error('sodium-native has no crypto_sign_verify_detached');
  return path;
};

export function chooseVerifyBackend(load: SodiumLoader = loadSodiumNative): BackendChoice {
  try {
    return { backend: 'libsodium', sodiumPath: load() };
  } catch (error) {
    return { backend: 'node-crypto', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Sets `konnect_audit_verify_backend` and, when libsodium could not load, says so (once per verifier: once per process). */
export function reportVerifyBackend(choice: BackendChoice, logger: Logger): void {
  for (const backend of verifyBackends) verifyBackendGauge.set({ backend }, backend === choice.backend ? 1 : 0);
  if (choice.reason !== undefined) {
    logger.warn({ backend: choice.backend, reason: choice.reason }, 'libsodium (sodium-native) could not be loaded: signatures are checked with node:crypto (OpenSSL), at a lower rate');
  }
}

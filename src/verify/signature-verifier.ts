/**
 * @module verify/signature-verifier
 * The verifier the receiver and `verify` use, from the thread setting
 * (KONNECT_AUDIT_VERIFY_THREADS): N > 0 worker threads (libsodium, or
 * node:crypto when it cannot load), or 0: node:crypto on the libuv pool, for
 * a host where worker threads are not wanted.
 */
import { createSilentLogger, type Logger } from '../observability/logger.js';
import { reportVerifyBackend, type SodiumLoader } from './backend.js';
import { createNativeVerifier } from './native-verifier.js';
import type { VerificationKey } from './types.js';
import { createWorkerVerifier, defaultVerifyThreads, type ClosableBatchVerifier } from './worker-verifier.js';

export interface SignatureVerifierOptions {
  /** Default: one per core; 0: the libuv pool. */
  readonly threads?: number;
  readonly logger?: Logger;
  readonly loadSodium?: SodiumLoader;
}

export function createSignatureVerifier(keys: () => readonly VerificationKey[], options: SignatureVerifierOptions = {}): ClosableBatchVerifier {
  const threads = options.threads ?? defaultVerifyThreads();
  const logger = options.logger ?? createSilentLogger();
  if (threads > 0) return createWorkerVerifier(keys, { threads, logger, ...(options.loadSodium === undefined ? {} : { loadSodium: options.loadSodium }) });
  reportVerifyBackend({ backend: 'node-crypto' }, logger);
  const pool = createNativeVerifier(keys);
  return { backend: 'node-crypto', verifyBatch: (items) => pool.verifyBatch(items), close: () => Promise.resolve() };
}

/**
 * @module verify
 * Signature verification (SPEC 3, 5.3, 5.4): the exact signed bytes of a
 * line, strict base64url signatures, the JWKS key set (cached, refreshed,
 * single-flight and rate limited) and the batch verifier that spreads the
 * checks over worker threads (libsodium; node:crypto as the fallback).
 */
export type { BatchVerifier, KeySet, LineVerifier, SignatureExtraction, Verdict, VerificationKey, VerifyItem } from './types.js';
export { signedMessage } from './signed-message.js';
export { extractSignature } from './extract.js';
export { decodeSignature, decodeBase64urlStrict, encodeBase64url, base64urlLength, SIGNATURE_BYTES, PUBLIC_KEY_BYTES } from './base64url.js';
export { inspectJwks, parseJwks, jwkThumbprint, type JwksKey, type JwksInspection, type IgnoredJwk } from './jwks.js';
export {
  DEFAULT_JWKS_URL,
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_JWKS_BYTES,
  jwksUrlForRegion,
  konnectRegions,
  isKonnectRegion,
  resolveJwksSource,
  readJwksText,
  describeJwksSource,
  type KonnectRegion,
  type JwksSource,
  type ReadJwksOptions,
} from './jwks-source.js';
export { createKeySet, DEFAULT_REFRESH_INTERVAL_MS, DEFAULT_MIN_REFRESH_INTERVAL_MS, type KeySetOptions } from './key-set.js';
export { createNativeVerifier, verifyOneSync, DEFAULT_MAX_PENDING, type NativeVerifierOptions } from './native-verifier.js';
export { createWorkerVerifier, defaultVerifyThreads, rawKeyOf, type WorkerVerifierOptions, type ClosableBatchVerifier } from './worker-verifier.js';
export { createSignatureVerifier, type SignatureVerifierOptions } from './signature-verifier.js';
export { chooseVerifyBackend, loadSodiumNative, verifyBackends, type BackendChoice, type SodiumLoader, type VerifyBackend } from './backend.js';
export { isWeakPublicKey } from './weak-key.js';
export { createLineVerifier, type LineVerifierOptions } from './line-verifier.js';
export { generateKeyPair, jwksOf, TEST_KID_PREFIX, type GeneratedKeyPair, type Ed25519PublicJwk, type Ed25519PrivateJwk, type JwkSet } from './keys-generate.js';

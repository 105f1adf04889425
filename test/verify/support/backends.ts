/**
 * The three Ed25519 implementations, called directly on raw bytes, for the
 * agreement tests: libsodium (sodium-native, the verifier), node:crypto
 * (OpenSSL, the fallback) behind the JWKS import as the receiver uses it,
 * and @noble/ed25519 with `zip215: false` (strict RFC 8032, the oracle).
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import * as ed from '@noble/ed25519';
import { encodeBase64url, parseJwks } from '../../../src/verify/index.js';

ed.hashes.sha512 = (message: Uint8Array) => new Uint8Array(createHash('sha512').update(message).digest());

const sodium = createRequire(import.meta.url)('sodium-native') as {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
};

export type Backend = 'libsodium' | 'node-crypto' | 'noble';

export function libsodiumValid(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return signature.length === 64 && publicKey.length === 32 && sodium.crypto_sign_verify_detached(signature, message, publicKey);
}

/** OpenSSL without the import's weak-key check: what node:crypto alone says. */
export function opensslRawValid(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(publicKey) }, format: 'jwk' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** node:crypto as the receiver uses it: the key through the JWKS import (which refuses weak keys), then crypto.verify. */
export function nodeCryptoValid(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const [key] = parseJwks(JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'k', x: encodeBase64url(publicKey) }] }));
  if (key === undefined) return false;
  try {
    return verify(null, message, key.key, signature);
  } catch {
    return false;
  }
}

export function nobleValid(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** The verdict of each implementation. */
export function verdicts(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Record<Backend, boolean> {
  return {
    libsodium: libsodiumValid(signature, message, publicKey),
    'node-crypto': nodeCryptoValid(signature, message, publicKey),
    noble: nobleValid(signature, message, publicKey),
  };
}

/**
 * @module verify/keys-generate
 * Test key pairs in Konnect's JWK shape, for `keys generate`, `demo`, the
 * fixtures and the tests. Never for production: the kid starts with `test-`
 * so that a line verified with such a key says so wherever its verdict goes.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jwkThumbprint } from './jwks.js';

// Type aliases, not interfaces: they stay assignable to node's `JsonWebKey` (which has an index signature).
export type Ed25519PublicJwk = {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly alg: 'EdDSA';
  readonly use: 'sig';
  readonly kid: string;
  readonly x: string;
};

export type Ed25519PrivateJwk = Ed25519PublicJwk & { readonly d: string };

export interface GeneratedKeyPair {
  readonly kid: string;
  readonly privateJwk: Ed25519PrivateJwk;
  readonly publicJwk: Ed25519PublicJwk;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface JwkSet {
  readonly keys: readonly Ed25519PublicJwk[];
}

/** The kid prefix of generated keys: they are test keys. */
export const TEST_KID_PREFIX = 'test-';

/** A fresh Ed25519 key pair; the kid is `test-` + its RFC 7638 thumbprint unless given. */
export function generateKeyPair(options: { readonly kid?: string } = {}): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string' || typeof jwk.d !== 'string') throw new Error('node:crypto exported an Ed25519 JWK without x or d');
  const kid = options.kid ?? `${TEST_KID_PREFIX}${jwkThumbprint({ crv: 'Ed25519', x: jwk.x })}`;
  const publicJwk: Ed25519PublicJwk = { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid, x: jwk.x };
  return { kid, privateJwk: { ...publicJwk, d: jwk.d }, publicJwk, privateKey, publicKey };
}

/** A JWKS of public keys; only the public members are copied, so a private JWK passed by mistake leaks no `d`. */
export function jwksOf(publicJwks: readonly Ed25519PublicJwk[]): JwkSet {
  return { keys: publicJwks.map(({ kty, crv, alg, use, kid, x }) => ({ kty, crv, alg, use, kid, x })) };
}

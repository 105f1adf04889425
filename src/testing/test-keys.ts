/**
 * @module testing/test-keys
 * The committed TEST-ONLY key pairs in `fixtures/keys/` (made once by
 * `scripts/make-fixtures.ts` with node:crypto). Their private halves are
 * public in this repository: never trust them for anything real.
 *
 * - `primary` (`konnect-audit-test-2025`): signs the fixtures; in both JWKS files.
 * - `rotated` (`konnect-audit-test-2026`): the key Konnect "rotated to"; only
 *   in `jwks.json`, not in `jwks-before-rotation.json` (key-refresh tests).
 * - `attacker` (`attacker-not-in-jwks`): in no JWKS; its signatures are `invalid`.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const testKeyNames = ['primary', 'rotated', 'attacker'] as const;
export type TestKeyName = (typeof testKeyNames)[number];

export const testKeyIds: Readonly<Record<TestKeyName, string>> = {
  primary: 'konnect-audit-test-2025',
  rotated: 'konnect-audit-test-2026',
  attacker: 'attacker-not-in-jwks',
};

/** `fixtures/` of this repository, from `src/testing/` or `dist/testing/` alike. */
export const fixturesDir = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export const fixtureKeyFiles = {
  primary: `${fixturesDir}keys/test-private.jwk.json`,
  rotated: `${fixturesDir}keys/rotated-private.jwk.json`,
  attacker: `${fixturesDir}keys/attacker-private.jwk.json`,
  /** primary + rotated public keys. */
  jwks: `${fixturesDir}keys/jwks.json`,
  /** primary only: the key set before the rotation. */
  jwksBeforeRotation: `${fixturesDir}keys/jwks-before-rotation.json`,
} as const;

export interface TestKey {
  readonly kid: string;
  readonly privateJwk: JsonWebKey;
  readonly privateKey: KeyObject;
  /** `{kty, crv, alg, kid, x}`, as in a Konnect JWKS. */
  readonly publicJwk: PublicJwk;
}

export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly alg: 'EdDSA';
  readonly kid: string;
  readonly x: string;
}

/** Reads one committed test key (synchronously: tests and scripts only). */
export function loadTestKey(name: TestKeyName): TestKey {
  const privateJwk = JSON.parse(readFileSync(fixtureKeyFiles[name], 'utf8')) as JsonWebKey & { kid: string; x: string };
  return testKeyOf(privateJwk);
}

/** A private JWK (with `kid`) → the key object and its public JWK. */
export function testKeyOf(privateJwk: JsonWebKey & { kid: string; x: string }): TestKey {
  const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
  return { kid: privateJwk.kid, privateJwk, privateKey, publicJwk: { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: privateJwk.kid, x: privateJwk.x } };
}

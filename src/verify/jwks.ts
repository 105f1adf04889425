/**
 * @module verify/jwks
 * JWKS text → imported Ed25519 verification keys. Only keys that can verify
 * a Konnect signature are kept (SPEC 5.4): `kty` OKP, `crv` Ed25519, `alg`
 * EdDSA when present (RFC 8037 §3.1), `use` sig and `key_ops` including
 * verify when present (RFC 7517 §4.2, §4.3), `x` strict base64url of 32
 * bytes of a point of large order (verify/weak-key.ts). Every other key is
 * reported as ignored, with the reason. Each key is imported once, here.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { KarError } from '../errors/index.js';
import { decodeBase64urlStrict, PUBLIC_KEY_BYTES } from './base64url.js';
import type { VerificationKey } from './types.js';
import { isWeakPublicKey } from './weak-key.js';

/** A key from the JWKS, with its public bytes (base64url) to tell key sets apart. */
export interface JwksKey extends VerificationKey {
  readonly x: string;
}

export interface IgnoredJwk {
  /** Position in the `keys` array. */
  readonly index: number;
  readonly kid?: string;
  readonly reason: string;
}

export interface JwksInspection {
  readonly keys: readonly JwksKey[];
  readonly ignored: readonly IgnoredJwk[];
}

/**
 * RFC 7638 thumbprint of an OKP key: SHA-256 over `{"crv":..,"kty":"OKP","x":..}`
 * (RFC 8037 §2 required members, in lexicographic order, no whitespace), base64url.
 */
export function jwkThumbprint(jwk: { readonly crv: string; readonly x: string }): string {
  const canonical = `{"crv":${JSON.stringify(jwk.crv)},"kty":"OKP","x":${JSON.stringify(jwk.x)}}`;
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

/**
 * Parses a JWKS and imports its usable keys. Throws `KAR_ERR_KEYS_INVALID_JWKS`
 * when the text is not a JSON object with a `keys` array; a set with no usable
 * key is *not* an error here (`keys` is empty; the caller decides).
 */
export function inspectJwks(json: string): JwksInspection {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new KarError('KAR_ERR_KEYS_INVALID_JWKS', `the JWKS is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed) || !Array.isArray(parsed['keys'])) {
    throw new KarError('KAR_ERR_KEYS_INVALID_JWKS', 'the JWKS is not a JSON object with a "keys" array');
  }
  const keys: JwksKey[] = [];
  const ignored: IgnoredJwk[] = [];
  const seen = new Set<string>();
  (parsed['keys'] as unknown[]).forEach((jwk, index) => {
    const result = importJwk(jwk);
    if (typeof result === 'string') {
      const kid = isObject(jwk) && typeof jwk['kid'] === 'string' ? jwk['kid'] : undefined;
      ignored.push(kid === undefined ? { index, reason: result } : { index, kid, reason: result });
      return;
    }
    // The same key listed twice would only be tried twice.
    const identity = `${result.kid}\u0000${result.x}`;
    if (seen.has(identity)) return;
    seen.add(identity);
    keys.push(result);
  });
  return { keys, ignored };
}

/** The usable Ed25519 keys of a JWKS (see `inspectJwks`). */
export function parseJwks(json: string): JwksKey[] {
  return [...inspectJwks(json).keys];
}

/** A key, or why it is not usable. */
function importJwk(jwk: unknown): JwksKey | string {
  if (!isObject(jwk)) return 'not a JSON object';
  const { kty, crv, alg, use, x, kid } = jwk;
  const keyOps = jwk['key_ops'];
  if (kty !== 'OKP') return `kty ${describe(kty)} is not OKP`;
  if (crv !== 'Ed25519') return `crv ${describe(crv)} is not Ed25519`;
  if (alg !== undefined && alg !== 'EdDSA') return `alg ${describe(alg)} is not EdDSA`;
  if (use !== undefined && use !== 'sig') return `use ${describe(use)} is not sig`;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) return 'key_ops does not include verify';
  if (kid !== undefined && typeof kid !== 'string') return 'kid is not a string';
  const raw = typeof x === 'string' ? decodeBase64urlStrict(x, PUBLIC_KEY_BYTES) : undefined;
  if (typeof x !== 'string' || raw === undefined) return 'x is not strict base64url of 32 bytes';
  if (isWeakPublicKey(raw)) return 'x is a small-order or non-canonical point (signatures under it can be forged)';
  let key;
  try {
    // Only the public members: a JWKS that wrongly carries `d` still yields a public key.
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch (error) {
    return `cannot be imported: ${(error as Error).message}`;
  }
  return { kid: kid === undefined || kid === '' ? jwkThumbprint({ crv, x }) : kid, key, x, raw };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

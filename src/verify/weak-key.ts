/**
 * @module verify/weak-key
 * Public keys no honest signer has: a small-order point (the identity, or
 * one of the 7 other torsion points), or a non-canonical encoding (y >= p).
 * With such a key OpenSSL's `crypto.verify` accepts forged signatures (with
 * the identity as key, R = identity and S = 0 verify any message), while
 * libsodium and the test oracle (@noble/ed25519, zip215: false) reject them:
 * the JWKS import refuses these keys, so the three agree on every key that
 * can be used.
 */
import { Point } from '@noble/ed25519';

/** True when `raw` (32 bytes) is not the canonical encoding of a point of large order. */
export function isWeakPublicKey(raw: Uint8Array): boolean {
  try {
    // zip215 false: a y >= p encoding throws, as does a point not on the curve.
    return Point.fromBytes(raw, false).isSmallOrder();
  } catch {
    return true;
  }
}

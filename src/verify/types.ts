/**
 * @module verify/types
 * Contracts of the verification stage.
 */

/** One Ed25519 check: the exact signed bytes and the 64 decoded signature bytes. */
export interface VerifyItem {
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

export type Verdict = { readonly status: 'valid'; readonly kid: string } | { readonly status: 'invalid' };

/** Verifies many lines at once; implementations spread work over the libuv pool. */
export interface BatchVerifier {
  verifyBatch(items: readonly VerifyItem[]): Promise<Verdict[]>;
}

/** An imported Ed25519 public key from the JWKS. */
export interface VerificationKey {
  readonly kid: string;
  /** node:crypto KeyObject, imported once. */
  readonly key: import('node:crypto').KeyObject;
}

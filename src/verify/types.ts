/**
 * @module verify/types
 * Contracts of the verification stage.
 */
import type { KeyObject } from 'node:crypto';

/** One Ed25519 check: the exact signed bytes and the 64 decoded signature bytes. */
export interface VerifyItem {
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

export type Verdict = { readonly status: 'valid'; readonly kid: string } | { readonly status: 'invalid' };

/** Verifies many lines at once; implementations spread the checks over worker threads (or the libuv pool). */
export interface BatchVerifier {
  verifyBatch(items: readonly VerifyItem[]): Promise<Verdict[]>;
}

/** An imported Ed25519 public key from the JWKS. */
export interface VerificationKey {
  readonly kid: string;
  /** node:crypto KeyObject, imported once. */
  readonly key: KeyObject;
  /** The 32 public key bytes (libsodium's form); derived from `key` when absent. */
  readonly raw?: Uint8Array;
}

/** What a line's `sig` gives (SPEC 3): nothing, something unusable, or a check to run. */
export type SignatureExtraction =
  | { readonly status: 'missing' }
  | { readonly status: 'malformed' }
  | { readonly status: 'ok'; readonly item: VerifyItem };

/** The JWKS, loaded, cached and refreshed (SPEC 5.4). */
export interface KeySet {
  /** Initial load (falling back to the cache file); throws a KarError when neither gives a usable key. */
  start(): Promise<void>;
  /** The current keys (a frozen snapshot; replaced, never mutated, by a refresh). */
  keys(): readonly VerificationKey[];
  /** At least one usable key is loaded. */
  isReady(): boolean;
  /** Incremented each time the set of keys changes (lets a caller tell whether a refresh happened since it verified). */
  version(): number;
  /**
   * Fetches the JWKS again now, unless another refresh is in flight (its
   * result is shared) or the last attempt was less than `minRefreshIntervalMs`
   * ago (resolves `false` without fetching). Resolves `true` when the key set
   * changed, `false` otherwise; never rejects (a failed refresh keeps the
   * last good set and is logged).
   */
  refresh(): Promise<boolean>;
  /** Stops the periodic refresh and aborts an in-flight fetch. */
  close(): Promise<void>;
}

/** Verifies the lines of a batch, refreshing the key set once when some are `invalid` (SPEC 5.3). */
export interface LineVerifier {
  verify(items: readonly VerifyItem[]): Promise<Verdict[]>;
}

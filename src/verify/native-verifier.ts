/**
 * @module verify/native-verifier
 * Ed25519 verification with Node's `crypto.verify` (OpenSSL, strict RFC 8032:
 * agrees with all 151 Wycheproof vectors, SPEC 5.4). The callback form runs
 * each check on the libuv thread pool, so a batch uses every core while the
 * event loop stays free. Lines carry no key id: every key is tried, the one
 * that verified most recently first.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { BatchVerifier, Verdict, VerificationKey, VerifyItem } from './types.js';

export interface NativeVerifierOptions {
  /**
   * Checks queued on the thread pool at once. Bounds the work and memory a
   * huge batch can pile up, while keeping every pool thread busy (the pool
   * has 4 threads unless UV_THREADPOOL_SIZE says otherwise).
   */
  readonly maxPending?: number;
}

export const DEFAULT_MAX_PENDING = 64;

export const INVALID: Verdict = Object.freeze({ status: 'invalid' });

/** One frozen `valid` verdict per kid, shared by every line that key verified (also used by the worker verifier). */
export function verdictCache(): (kid: string) => Verdict {
  const byKid = new Map<string, Verdict>();
  return (kid) => {
    let verdict = byKid.get(kid);
    if (verdict === undefined) {
      verdict = Object.freeze({ status: 'valid', kid });
      byKid.set(kid, verdict);
    }
    return verdict;
  };
}

/** `keys` is read once per batch, so a refresh during a batch does not mix key sets within it. */
export function createNativeVerifier(keys: () => readonly VerificationKey[], options: NativeVerifierOptions = {}): BatchVerifier {
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  if (!Number.isInteger(maxPending) || maxPending < 1) throw new RangeError(`maxPending must be a positive integer (got ${maxPending})`);
  const validFor = verdictCache();
  let preferredKid: string | undefined;

  return {
    verifyBatch(items) {
      const n = items.length;
      const keyList = ordered(keys(), preferredKid);
      if (n === 0) return Promise.resolve([]);
      if (keyList.length === 0) return Promise.resolve(items.map(() => INVALID));
      const verdicts = new Array<Verdict>(n);
      return new Promise((resolve) => {
        let next = 0;
        let done = 0;
        const settle = (i: number, verdict: Verdict): void => {
          verdicts[i] = verdict;
          done++;
          if (next < n) check(next++, 0);
          else if (done === n) resolve(verdicts);
        };
        const check = (i: number, k: number): void => {
          const item = items[i] as VerifyItem;
          const candidate = keyList[k] as VerificationKey;
          verifyAsync(item, candidate.key, (ok) => {
            if (ok) {
              preferredKid = candidate.kid;
              settle(i, validFor(candidate.kid));
            } else if (k + 1 < keyList.length) {
              check(i, k + 1);
            } else {
              settle(i, INVALID);
            }
          });
        };
        const first = Math.min(maxPending, n);
        while (next < first) check(next++, 0);
      });
    },
  };
}

/** One check on the thread pool; any error (bad key type, OpenSSL failure) is `false`, never a throw. */
function verifyAsync(item: VerifyItem, key: KeyObject, done: (ok: boolean) => void): void {
  try {
    cryptoVerify(null, item.message, key, item.signature, (error, ok) => done(error === null && ok));
  } catch {
    // Reported asynchronously, like a real result, so that a batch of bad items cannot grow the stack.
    queueMicrotask(() => done(false));
  }
}

/** Synchronous verification of one item against every key: for a handful of lines (CLI, tests). */
export function verifyOneSync(item: VerifyItem, keys: readonly VerificationKey[]): Verdict {
  for (const { kid, key } of keys) {
    try {
      if (cryptoVerify(null, item.message, key, item.signature)) return { status: 'valid', kid };
    } catch {
      // Not a usable key/signature pair: try the next key.
    }
  }
  return INVALID;
}

function ordered(keys: readonly VerificationKey[], preferredKid: string | undefined): readonly VerificationKey[] {
  if (keys.length < 2 || preferredKid === undefined || keys[0]?.kid === preferredKid) return keys;
  const preferred = keys.findIndex((k) => k.kid === preferredKid);
  if (preferred < 0) return keys;
  return [keys[preferred] as VerificationKey, ...keys.slice(0, preferred), ...keys.slice(preferred + 1)];
}

/**
 * @module intake/authorize
 * The Authorization check. Konnect sends the configured string verbatim
 * (`Bearer x`, `Splunk x`, ...), so the whole header value is compared with
 * every accepted value (more than one during a rotation).
 *
 * Constant time: both sides are hashed with SHA-256 first, so that the
 * comparison always runs on 32 bytes (lengths do not leak), and every
 * configured value is compared (no early exit reveals which one matched).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../sinks/secret.js';

/** `true` when the header is allowed in. Never logs or returns the header. */
export type AuthorizationCheck = (header: string | undefined) => boolean;

export interface AuthorizationOptions {
  readonly accepted: readonly Secret[];
  /** Explicitly chosen unauthenticated mode: allowed only when no value is configured. */
  readonly allowUnauthenticated?: boolean;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function createAuthorizationCheck(options: AuthorizationOptions): AuthorizationCheck {
  if (options.accepted.length === 0) {
    if (options.allowUnauthenticated === true) return function allowAnyone() {
      return true;
    };
    throw new Error('createAuthorizationCheck: no accepted value and unauthenticated mode not chosen');
  }
  // Hash the accepted values once; the values themselves are not kept here.
  const acceptedDigests = options.accepted.map((secret) => digest(secret.reveal()));
  return function checkAuthorization(header) {
    if (header === undefined) return false;
    const presented = digest(header);
    let matched = false;
    for (const accepted of acceptedDigests) {
      // timingSafeEqual runs for every value (it is the left operand); `||` only combines the results.
      matched = timingSafeEqual(presented, accepted) || matched;
    }
    return matched;
  };
}

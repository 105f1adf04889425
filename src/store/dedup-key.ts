/**
 * @module store/dedup-key
 * What the dedup table and the quarantine compare. Ids are 86-character
 * signatures: storing 16 bytes of their SHA-256 instead keeps ten million ids
 * in a few hundred MB (a false duplicate needs a 128-bit collision).
 */
import { createHash } from 'node:crypto';
import type { SignatureStatus } from '../normalize/event.js';

function hash16(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest().subarray(0, 16);
}

/**
 * The dedup key of an event. A verified event is keyed by its id (the sig:
 * Ed25519 is deterministic, so the same sig is the same signed line). Any
 * other status gets its own key space: a forged line that copies a real sig
 * (forwarded under the `forward` policy) must not make the real event look
 * like a duplicate later.
 */
export function eventDedupKey(id: string, status: SignatureStatus): Buffer {
  return hash16(status === 'valid' ? id : `${status}\u0000${id}`);
}

/** Quarantined lines are deduplicated by their exact bytes (a replay of the same bad line). */
export function quarantineKey(raw: string): Buffer {
  return hash16(raw);
}

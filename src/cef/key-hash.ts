/**
 * @module cef/key-hash
 * The hash of an extension key, computed byte by byte while the tokenizer
 * scans the key (FNV-1a step), so that duplicate keys are counted and
 * `field(name)` is answered without making strings. The seed is random per
 * process so that a sender cannot pre-compute keys that all collide and turn
 * duplicate detection quadratic (SPEC 4: linear time).
 */

const FNV_PRIME = 0x01000193;

export const KEY_HASH_SEED: number = (Math.random() * 0x1_0000_0000) | 0;

/** One FNV-1a step: fold byte `b` into hash `h`. */
export function stepKeyHash(h: number, b: number): number {
  return Math.imul(h ^ b, FNV_PRIME);
}

/** Final avalanche (murmur3 fmix32) so the low bits used as a table index are well mixed. */
export function finishKeyHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The hash of a key given as a string; undefined when it has a non-ASCII character (keys are ASCII by grammar). */
export function hashKeyString(name: string): number | undefined {
  let h = KEY_HASH_SEED;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x80) return undefined;
    h = stepKeyHash(h, c);
  }
  return finishKeyHash(h);
}

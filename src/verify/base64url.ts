/**
 * @module verify/base64url
 * Strict base64url (RFC 4648 §5) for signatures and key material: the exact
 * number of characters for the expected byte length, only `[A-Za-z0-9_-]`, no
 * padding, no whitespace, and the unused low bits of the last character zero,
 * so that every value has exactly one accepted spelling. `Buffer.from(s,
 * 'base64url')` is lenient on all of these and is therefore never used to
 * validate.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Byte → 6-bit value, or -1 for a byte outside the alphabet. */
const DECODE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** An Ed25519 signature is 64 bytes: 86 characters, the last one with 4 unused bits. */
export const SIGNATURE_BYTES = 64;
/** An Ed25519 public key is 32 bytes: 43 characters, the last one with 2 unused bits. */
export const PUBLIC_KEY_BYTES = 32;

/** Characters of unpadded base64url for `byteLength` bytes. */
export function base64urlLength(byteLength: number): number {
  return Math.ceil((byteLength * 4) / 3);
}

/**
 * Decodes `text[start, end)` (ASCII bytes or a string) as strict unpadded
 * base64url of exactly `byteLength` bytes; `undefined` when it is anything
 * else.
 */
export function decodeBase64urlStrict(text: Uint8Array | string, byteLength: number, start = 0, end?: number): Uint8Array | undefined {
  // A string goes through UTF-8 so that any non-ASCII character becomes bytes >= 0x80, which are rejected.
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const stop = end ?? bytes.length;
  if (start < 0 || stop > bytes.length || stop - start !== base64urlLength(byteLength)) return undefined;
  const out = new Uint8Array(byteLength);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = start; i < stop; i++) {
    const v = DECODE[bytes[i] as number] as number;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  // Non-canonical spellings (e.g. `...Q` vs `...R` for the same bytes) are malformed.
  if (acc !== 0) return undefined;
  return out;
}

/** The 64 signature bytes of a `sig` value (its base64url text), or `undefined` when it is malformed. */
export function decodeSignature(text: Uint8Array | string, start = 0, end?: number): Uint8Array | undefined {
  return decodeBase64urlStrict(text, SIGNATURE_BYTES, start, end);
}

/** Unpadded base64url of `bytes`. */
export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

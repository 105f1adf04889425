import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64urlStrict, decodeSignature, encodeBase64url } from '../../src/verify/index.js';

/** A canonical 86-character signature: 64 bytes whose encoding ends in a character with 4 zero low bits. */
const bytes64 = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
const canonical = encodeBase64url(bytes64);

describe('decodeSignature: strict base64url of exactly 64 bytes (SPEC 3)', () => {
  it('decodes the canonical 86-character encoding', () => {
    expect(canonical).toHaveLength(86);
    expect(decodeSignature(canonical)).toEqual(bytes64);
    expect(decodeSignature(Buffer.from(canonical))).toEqual(bytes64);
  });

  // The last character carries 2 data bits and 4 unused bits: 'A' 'Q' 'g' 'w' are the canonical values.
  const lastBitsSet = `${canonical.slice(0, 85)}${String.fromCharCode(canonical.charCodeAt(85) + 1)}`;

  it.each([
    ['85 characters (one short)', canonical.slice(0, 85)],
    ['87 characters (one extra)', `${canonical}A`],
    ['padding appended (88 characters)', `${canonical}==`],
    ['padding replacing the last character', `${canonical.slice(0, 85)}=`],
    ["standard base64 '+'", `+${canonical.slice(1)}`],
    ["standard base64 '/'", `/${canonical.slice(1)}`],
    ['non-canonical last character (unused low bits set)', lastBitsSet],
    ['a leading space', ` ${canonical.slice(1)}`],
    ['a trailing newline instead of the last character', `${canonical.slice(0, 85)}\n`],
    ['a tab inside', `${canonical.slice(0, 40)}\t${canonical.slice(41)}`],
    ['a NUL byte', `${canonical.slice(0, 40)}\u0000${canonical.slice(41)}`],
    ['a non-ASCII letter', `${canonical.slice(0, 40)}é${canonical.slice(42)}`],
    ['a character that latin1 would fold into the alphabet (U+0141)', `${canonical.slice(0, 40)}\u0141${canonical.slice(41)}`],
    ['empty', ''],
    ['a 32-byte key encoding (43 characters)', encodeBase64url(randomBytes(32))],
  ])('malformed: %s', (_quirk, text) => {
    expect(decodeSignature(text)).toBeUndefined();
  });

  it('decodes a span of a larger buffer without reading outside it', () => {
    const buf = Buffer.from(`sig=${canonical} x`);
    expect(decodeSignature(buf, 4, 90)).toEqual(bytes64);
    expect(decodeSignature(buf, 4, 91)).toBeUndefined();
    expect(decodeSignature(buf, 4, 1000)).toBeUndefined();
  });

  it('round-trips every 64-byte value, and its non-canonical twins are rejected', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.integer({ min: 1, max: 15 }), (bytes, noise) => {
        const text = encodeBase64url(bytes);
        expect(decodeSignature(text)).toEqual(bytes);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const last = alphabet.indexOf(text.charAt(85));
        const twin = text.slice(0, 85) + alphabet.charAt(last | noise);
        if (twin !== text) expect(decodeSignature(twin)).toBeUndefined();
        // The lenient decoder everyone reaches for would accept the twin as the same bytes.
        expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(bytes));
      }),
    );
  });
});

describe('decodeBase64urlStrict: key material (x is 32 bytes, 43 characters)', () => {
  it.each([
    ['RFC 8037 A.2 public key', '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', true],
    ['non-canonical last character', '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp', false],
    ['padded', '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=', false],
    ['42 characters', '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR', false],
  ])('%s', (_quirk, x, ok) => {
    const decoded = decodeBase64urlStrict(x, 32);
    expect(decoded !== undefined).toBe(ok);
    if (decoded !== undefined) expect(Buffer.from(decoded).toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  });
});

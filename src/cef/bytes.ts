/**
 * @module cef/bytes
 * The bytes the CEF tokenizer compares against. Named so the hot loop reads
 * as the grammar it implements (STYLE 2), with no regex and no strings.
 */

export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const PLUS = 0x2b;
export const COMMA = 0x2c;
export const DASH = 0x2d;
export const DOT = 0x2e;
export const DIGIT_0 = 0x30;
export const DIGIT_9 = 0x39;
export const COLON = 0x3a;
export const LESS_THAN = 0x3c;
export const EQUALS = 0x3d;
export const UPPER_C = 0x43;
export const UPPER_E = 0x45;
export const UPPER_F = 0x46;
export const UPPER_T = 0x54;
export const UPPER_Z = 0x5a;
export const BACKSLASH = 0x5c;
export const LOWER_N = 0x6e;
export const LOWER_R = 0x72;
export const LOWER_T = 0x74;
export const LOWER_Z = 0x7a;
export const PIPE = 0x7c;

/** Bit in {@link KEY_CLASS}: may start an extension key, `[A-Za-z0-9_]` (SPEC 4). */
export const KEY_START = 1;
/** Bit in {@link KEY_CLASS}: may continue an extension key, `[A-Za-z0-9_.,\[\]-]` (SPEC 4). */
export const KEY_PART = 2;

/** Character class of every byte for the extension-key grammar: one table lookup per byte. */
export const KEY_CLASS: Uint8Array = buildKeyClass();

function buildKeyClass(): Uint8Array {
  const table = new Uint8Array(256);
  const both = KEY_START | KEY_PART;
  for (let b = 0x30; b <= 0x39; b++) table[b] = both;
  for (let b = 0x41; b <= 0x5a; b++) table[b] = both;
  for (let b = 0x61; b <= 0x7a; b++) table[b] = both;
  table[0x5f] = both; // _
  table[0x2e] = KEY_PART; // .
  table[0x2c] = KEY_PART; // ,
  table[0x5b] = KEY_PART; // [
  table[0x5d] = KEY_PART; // ]
  table[0x2d] = KEY_PART; // -
  return table;
}

export function isDigit(b: number): boolean {
  return b >= DIGIT_0 && b <= DIGIT_9;
}

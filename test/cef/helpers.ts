/** Shared helpers for the CEF tokenizer tests. */
import { createCefTokens, tokenizeCef, type CefTokens } from '../../src/cef/index.js';
import type { LineError } from '../../src/lines/types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const HEADER = 'CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|';

/** A realistic-looking 86-character base64url Ed25519 signature (not a real one). */
export const SIG = 'fnjOmWv3F0bH3oXvtlcUOEqZ1n0Z7t9sV0cJ6u2Q4fY8a1k-Lr5sXw_9pQ2mN7eB3dT6yH0jK4lC8vR1gU5iOA';

export const ORG_ID = '5b1d1d6c-4e0f-4c9a-9d39-3f1c7a3a8e21';
export const PORTAL_ID = '0f7e2b9a-6c2d-4f63-8a55-7d6e9b2c1a04';
export const PRINCIPAL_ID = 'c3a8f2d1-7b4e-4a0c-b5e9-2d1f6a8c9b37';

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export interface Tokenized {
  readonly error: LineError | undefined;
  readonly tokens: CefTokens;
  readonly buf: Uint8Array;
}

/** Tokenizes a whole string as one line, with a fresh token structure. */
export function tokenize(line: string, tokens: CefTokens = createCefTokens()): Tokenized {
  const buf = bytes(line);
  const error = tokenizeCef(buf, 0, buf.length, tokens);
  return { error, tokens, buf };
}

/** The signed message: the line without the cut span (SPEC 3). */
export function signedMessage(tokens: CefTokens): string {
  const { buf, start, end, cutStart, cutEnd } = tokens;
  if (cutStart < 0) return decoder.decode(buf.subarray(start, end));
  return decoder.decode(buf.subarray(start, cutStart)) + decoder.decode(buf.subarray(cutEnd, end));
}

export function text(buf: Uint8Array, start: number, end: number): string {
  return decoder.decode(buf.subarray(start, end));
}

/**
 * @module testing/sign-lines
 * Konnect's signing side, for fixtures, tests, `send`, `demo` and benchmarks
 * (never for production: Konnect signs real lines). SPEC 3:
 * - CEF: sign the whole unsigned line, then append ` sig=<base64url>`; the
 *   receiver cuts the sig, its key, `=` and the whitespace before it.
 * - JSON: sign the line without the `sig` member, then insert
 *   `"sig":"<base64url>"` first (with its following comma), last or in the
 *   middle (with its preceding comma); nothing else changes.
 * Ed25519 is deterministic: the same line and key always give the same sig.
 */
import { createPrivateKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';

/** A node:crypto Ed25519 private key, or its JWK (`{kty:"OKP",crv:"Ed25519",d,x}`). */
export type SigningKey = KeyObject | JsonWebKey;

export const sigPositions = ['first', 'middle', 'last'] as const;
export type SigPosition = (typeof sigPositions)[number];

/** The base64url (unpadded, 86 characters) Ed25519 signature of `message` (a string is signed as its UTF-8 bytes). */
export function signMessage(message: Uint8Array | string, key: SigningKey): string {
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return sign(null, bytes, toKeyObject(key)).toString('base64url');
}

export interface CefSignOptions {
  /**
   * Put ` sig=...` before the ` <key>=` extension instead of last (Konnect
   * puts it last; SPEC 3 accepts it anywhere). The signed message is the same.
   */
  readonly beforeKey?: string;
}

/** `unsigned sig=<sig of unsigned>`. The unsigned line must not end in whitespace (the receiver cuts it with the sig). */
export function signCefLine(unsignedLine: string, key: SigningKey, options: CefSignOptions = {}): string {
  assertOneLine(unsignedLine);
  const sig = signMessage(unsignedLine, key);
  if (options.beforeKey !== undefined) {
    const at = unsignedLine.indexOf(` ${options.beforeKey}=`, unsignedLine.indexOf('CEF:'));
    if (at < 0) throw new Error(`signCefLine: no extension ${options.beforeKey}= to put the sig before`);
    return `${unsignedLine.slice(0, at)} sig=${sig}${unsignedLine.slice(at)}`;
  }
  if (/[ \t]$/.test(unsignedLine)) throw new Error('signCefLine: the unsigned line ends in whitespace, which the receiver would cut with the sig');
  return `${unsignedLine} sig=${sig}`;
}

/** The JSON object line with a `sig` member inserted at `position` (default `last`, as Konnect does). */
export function signJsonLine(unsignedJsonLine: string, key: SigningKey, position: SigPosition = 'last'): string {
  assertOneLine(unsignedJsonLine);
  const sig = signMessage(unsignedJsonLine, key);
  return insertSigMember(unsignedJsonLine, `"sig":"${sig}"`, position);
}

/**
 * Inserts a `"sig":...` member text into a compact JSON object line so that
 * removing it with its comma (SPEC 3) gives the line back byte for byte.
 * `middle` goes before the top-level comma nearest the middle of the members.
 */
export function insertSigMember(jsonLine: string, member: string, position: SigPosition): string {
  const open = jsonLine.indexOf('{');
  const close = jsonLine.lastIndexOf('}');
  if (open < 0 || close < open || jsonLine.slice(0, open).trim() !== '' || jsonLine.slice(close + 1).trim() !== '') {
    throw new Error('insertSigMember: not a JSON object line');
  }
  const empty = jsonLine.slice(open + 1, close).trim() === '';
  if (position === 'first') {
    return `${jsonLine.slice(0, open + 1)}${member}${empty ? '' : ','}${jsonLine.slice(open + 1)}`;
  }
  if (position === 'last') {
    return `${jsonLine.slice(0, close)}${empty ? '' : ','}${member}${jsonLine.slice(close)}`;
  }
  const commas = topLevelCommas(jsonLine, open, close);
  const at = commas[Math.floor((commas.length - 1) / 2)];
  if (at === undefined) throw new Error('insertSigMember: `middle` needs an object with at least two members');
  return `${jsonLine.slice(0, at)},${member}${jsonLine.slice(at)}`;
}

/** Offsets of the commas between the object's own members (not inside strings, arrays or nested objects). */
function topLevelCommas(text: string, open: number, close: number): number[] {
  const commas: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = open + 1; i < close; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) commas.push(i);
  }
  return commas;
}

/** JWKs imported once: importing costs far more than signing a line. */
const imported = new WeakMap<JsonWebKey, KeyObject>();

function toKeyObject(key: SigningKey): KeyObject {
  if (isKeyObject(key)) return key;
  let keyObject = imported.get(key);
  if (keyObject === undefined) {
    keyObject = createPrivateKey({ key, format: 'jwk' });
    imported.set(key, keyObject);
  }
  return keyObject;
}

function isKeyObject(key: SigningKey): key is KeyObject {
  return typeof (key as KeyObject).asymmetricKeyType === 'string' || typeof (key as KeyObject).export === 'function';
}

function assertOneLine(line: string): void {
  if (line.includes('\n') || line.includes('\r')) throw new Error('a line to sign must not contain CR or LF');
}

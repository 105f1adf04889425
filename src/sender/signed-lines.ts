/**
 * @module sender/signed-lines
 * The lines `send` and `demo` deliver: Konnect-shaped lines from
 * testing/konnect-lines (the project's one generator), signed the way Konnect
 * signs them (testing/sign-lines), and the private JWK they are signed with.
 */
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KarError } from '../errors/index.js';
import { makeSignedKonnectLines } from '../testing/konnect-lines.js';

export interface SignedLinesOptions {
  readonly format: 'cef' | 'json';
  readonly count: number;
  /** Same seed (and start), same lines. Lines of one run are all distinct (their `rt` increases). */
  readonly seed: number;
  readonly key: KeyObject;
  /** `rt` of the first line, ms since epoch (default: the generator's fixed date). */
  readonly startMs?: number;
}

export function generateSignedLines(options: SignedLinesOptions): string[] {
  return makeSignedKonnectLines({ format: options.format, count: options.count, seed: options.seed, key: options.key, ...(options.startMs === undefined ? {} : { startMs: options.startMs }) });
}

/** Reads a private Ed25519 JWK (`konnect-audit keys generate` writes one). */
export async function readSigningKey(path: string): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new KarError('KAR_ERR_IO_READ', `the --key file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return signingKeyOf(text, path);
}

export function signingKeyOf(jwkText: string, source: string): KeyObject {
  const wrong = (why: string): KarError => new KarError('KAR_ERR_INPUT_FORMAT', `${source} is not a private Ed25519 JWK: ${why}`);
  let jwk: unknown;
  try {
    jwk = JSON.parse(jwkText);
  } catch {
    throw wrong('not JSON');
  }
  if (typeof jwk !== 'object' || jwk === null) throw wrong('not a JSON object');
  const { kty, crv, d } = jwk as Record<string, unknown>;
  if (kty !== 'OKP' || crv !== 'Ed25519') throw wrong('kty must be "OKP" and crv "Ed25519"');
  if (typeof d !== 'string') throw wrong('no private part "d" (is this the public key or the JWKS?)');
  try {
    return createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    // The message of node:crypto may quote key material: do not pass it on.
    throw wrong('the key does not import');
  }
}

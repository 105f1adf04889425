/**
 * @module verify/extract
 * From a parsed line to what the verifier needs: `missing` (no `sig`),
 * `malformed` (a `sig` that is not strict base64url of 64 bytes, SPEC 3), or
 * the signed bytes and the decoded signature.
 */
import type { LineView } from '../lines/types.js';
import { decodeSignature } from './base64url.js';
import { signedMessage } from './signed-message.js';
import type { SignatureExtraction } from './types.js';

const MISSING: SignatureExtraction = Object.freeze({ status: 'missing' });
const MALFORMED: SignatureExtraction = Object.freeze({ status: 'malformed' });

export function extractSignature(view: LineView): SignatureExtraction {
  if (view.sigStart < 0) return MISSING;
  const signature = decodeSignature(view.buf, view.sigStart, view.sigEnd);
  if (signature === undefined) return MALFORMED;
  return { status: 'ok', item: { message: signedMessage(view), signature } };
}

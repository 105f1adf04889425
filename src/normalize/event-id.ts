/**
 * @module normalize/event-id
 * The event id (SPEC 5.3, the dedup key): "its `sig` (Ed25519 is
 * deterministic) or, without a signature, a hash of the raw line".
 *
 * - The line has a `sig` member whose value is 1 to 128 bytes: the sig text,
 *   verbatim, whether or not it is well formed or verifies. The id must not
 *   depend on whether keys were available (`parse` without `--jwks`, a key
 *   outage), or the same event would get two ids. A real sig is 86 characters;
 *   the 128-byte cap keeps a garbage sig from becoming a huge id.
 * - Otherwise (no sig, `sig=`, an oversized sig): base64url (no padding) of
 *   the SHA-256 of the line's raw bytes (without its line ending). 43
 *   characters, so it never collides with an 86-character sig.
 *
 * Caution for dedup: a forged line can copy a genuine sig, so two different
 * lines may share an id. A store should let only a `valid` event claim an id
 * (or key failures separately) so that a forgery arriving first cannot
 * suppress the genuine event.
 */
import { createHash } from 'node:crypto';
import type { LineView } from '../lines/types.js';

/** The longest sig text used as an id. */
export const MAX_SIG_ID_BYTES = 128;

/**
 * `lineText`, when given, is the line already decoded (`view.rawText()`):
 * when it has one UTF-16 unit per byte, the sig is a slice of it instead of a
 * second decode.
 */
export function eventIdOf(view: Pick<LineView, 'buf' | 'start' | 'end' | 'sigStart' | 'sigEnd'>, lineText?: string): string {
  const { buf, start, sigStart, sigEnd } = view;
  if (sigStart >= 0 && sigEnd > sigStart && sigEnd - sigStart <= MAX_SIG_ID_BYTES) {
    if (lineText !== undefined && lineText.length === view.end - start) return lineText.slice(sigStart - start, sigEnd - start);
    return Buffer.from(buf.buffer, buf.byteOffset + sigStart, sigEnd - sigStart).toString('utf8');
  }
  return rawLineId(buf.subarray(start, view.end));
}

/** base64url(sha256(bytes)): the id of an unsigned line (and of a rejected one). */
export function rawLineId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

/**
 * @module verify/signed-message
 * The exact bytes Konnect signed (SPEC 3): the raw line with the `sig` cut
 * span removed, taken straight from the batch buffer. Never a decoded and
 * re-encoded string.
 */
import type { LineView } from '../lines/types.js';

/**
 * `buf[start, end)` minus `[cutStart, cutEnd)`. A view into the batch buffer
 * (no copy) when the cut touches an end of the line (CEF: `sig` last); one
 * copy otherwise (JSON: `}` follows the cut).
 */
export function signedMessage(view: Pick<LineView, 'buf' | 'start' | 'end' | 'cutStart' | 'cutEnd'>): Uint8Array {
  const { buf, start, end, cutStart, cutEnd } = view;
  if (cutStart < 0 || cutEnd < cutStart) return buf.subarray(start, end);
  if (cutEnd >= end) return buf.subarray(start, cutStart);
  if (cutStart <= start) return buf.subarray(cutEnd, end);
  const head = cutStart - start;
  // allocUnsafe takes small buffers from Node's pool: much cheaper than a fresh ArrayBuffer per line.
  const out = Buffer.allocUnsafe(head + (end - cutEnd));
  out.set(buf.subarray(start, cutStart), 0);
  out.set(buf.subarray(cutEnd, end), head);
  return out;
}

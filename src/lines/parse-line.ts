/**
 * @module lines/parse-line
 * Decides what a line is and hands it to its parser: a JSON object when its
 * first non-blank byte is `{` (json, and Konnect's undocumented `cps` format,
 * `{"event":{...}}`, which the JSON scanner unwraps), CEF otherwise. Never
 * throws.
 */
import { createCefTokens, tokenizeCef, type CefTokens } from '../cef/index.js';
import { scanJsonLine } from '../json/index.js';
import type { LineError, LineView } from './types.js';

const OPEN_BRACE = 0x7b;

/** A line parser with its reusable CEF token structure (one per pipeline / worker). */
export interface LineParser {
  parse(buf: Uint8Array, start: number, end: number): LineView | LineError;
}

export function createLineParser(options: { readonly maxLineBytes?: number } = {}): LineParser {
  const tokens: CefTokens = createCefTokens();
  const maxLineBytes = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
  return {
    parse(buf, start, end) {
      if (end - start > maxLineBytes) {
        return { ok: false, code: 'KAR_ERR_LINE_TOO_LONG', message: `line is ${end - start} bytes, over the ${maxLineBytes}-byte limit`, offset: maxLineBytes };
      }
      let first = start;
      while (first < end && (buf[first] === 0x20 || buf[first] === 0x09)) first++;
      if (buf[first] === OPEN_BRACE) return scanJsonLine(buf, start, end);
      const error = tokenizeCef(buf, start, end, tokens);
      return error ?? tokens;
    },
  };
}

export function isLineError(value: LineView | LineError): value is LineError {
  return 'ok' in value && value.ok === false;
}

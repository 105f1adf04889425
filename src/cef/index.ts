/**
 * @module cef
 * The zero-copy CEF tokenizer (SPEC 4): `tokenizeCef` records byte offsets of
 * one line into a reusable `CefTokens` (create one with `createCefTokens` per
 * pipeline or worker); the `LineView` methods make strings only when a field
 * is read.
 */
export { tokenizeCef } from './tokenize.js';
export { CefTokens, createCefTokens, HEADER_FIELD_COUNT } from './tokens.js';
export { decodeUtf8, unescapeCefHeader, unescapeCefValue } from './decode.js';
export { parsePrefix, matchIso8601, matchRfc3164 } from './prefix.js';
export * from './bytes.js';

/**
 * @module json
 * The JSON line scanner: one strict, single pass over the bytes of a line
 * that records member spans, the `sig` value span and the bytes to cut out to
 * get the signed message (SPEC 3). Numbers are kept as their source text
 * (64-bit `trace_id`s survive), strings are unescaped only when read.
 */
export { scanJsonLine, MAX_JSON_DEPTH } from './scan.js';

/**
 * @module sinks/stdout/encode
 * stdout carries one payload per line (the normalized events as NDJSON by
 * default), exactly like the file sink.
 */
export { encodeNdjson as encodeStdout } from '../ndjson.js';

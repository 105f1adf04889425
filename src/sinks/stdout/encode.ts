/**
 * @module sinks/stdout/encode
 * stdout carries the normalized events as NDJSON, exactly like the file sink.
 */
export { encodeNdjson as encodeStdout } from '../ndjson.js';

/**
 * @module sinks/gzip
 * Request bodies are compressed off the event loop (libuv thread pool):
 * gzipping a 1 MB batch synchronously would stall intake for milliseconds.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

export const gzip: (data: Buffer) => Promise<Buffer> = promisify(gzipCallback);

/**
 * @module sender/target
 * Where batches go and how: the URL, the Authorization value (sent verbatim,
 * never printed), TLS trust, and one keep-alive agent shared by every request
 * of a run. `attempt()` is one POST with Konnect's headers; it never throws:
 * a connection error is a value, because Konnect's retry rules act on it.
 */
import http from 'node:http';
import https from 'node:https';
import { KarError } from '../errors/index.js';

/**
 * Konnect does not document its sender's User-Agent. Its services are written
 * in Go (the audit lines themselves show `grpc-go` user agents), and Go's
 * net/http client sends `Go-http-client/1.1` unless told otherwise.
 */
export const konnectUserAgent = 'Go-http-client/1.1';

/** Konnect labels bodies `text/plain` and gzip as `application/gzip` (not the registered `gzip`), SPEC 2. */
export const konnectHeaders = Object.freeze({ 'Content-Type': 'text/plain', 'Content-Encoding': 'application/gzip' });

/** Largest part of an answer kept (the receiver's summary or error is small). */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface TargetOptions {
  readonly url: string;
  /** Sent verbatim in `Authorization`; never printed or logged. */
  readonly authorization: string;
  /** PEM CA certificate(s) to trust instead of the system store. */
  readonly ca?: string | Buffer;
  /** Skip TLS verification (self-signed test certificates). */
  readonly insecure?: boolean;
  readonly userAgent?: string;
  /** Per-request timeout; a timeout is a connection error. */
  readonly timeoutMs?: number;
  /** Sockets kept open to the receiver (= the run's concurrency). */
  readonly maxSockets?: number;
}

export type AttemptOutcome =
  | { readonly kind: 'answer'; readonly status: number; readonly retryAfter: string | undefined; readonly body: string }
  | { readonly kind: 'connection-error'; readonly message: string };

export interface SendTarget {
  readonly url: URL;
  /** The URL safe to print: no user info, no query (either may hold a token). */
  readonly display: string;
  attempt(body: Uint8Array): Promise<AttemptOutcome>;
  close(): void;
}

export function createTarget(options: TargetOptions): SendTarget {
  const url = parseUrl(options.url);
  try {
    http.validateHeaderValue('Authorization', options.authorization);
  } catch {
    throw new KarError('KAR_ERR_USAGE', 'the Authorization value contains characters not allowed in an HTTP header');
  }
  if (options.authorization === '') throw new KarError('KAR_ERR_USAGE', 'the Authorization value is empty');
  const secure = url.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8 };
  const agent = secure
    ? new https.Agent({ ...agentOptions, rejectUnauthorized: options.insecure !== true, ...(options.ca === undefined ? {} : { ca: options.ca }) })
    : new http.Agent(agentOptions);
  const request = secure ? https.request : http.request;
  const headers = { ...konnectHeaders, Authorization: options.authorization, 'User-Agent': options.userAgent ?? konnectUserAgent };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const display = `${url.protocol}//${url.host}${url.pathname}`;

  return {
    url,
    display,
    attempt(body) {
      return new Promise((resolve) => {
        const failed = (error: Error): void => resolve({ kind: 'connection-error', message: describeError(error) });
        const req = request(url, { method: 'POST', agent, timeout: timeoutMs, headers: { ...headers, 'Content-Length': body.byteLength } }, (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          let ended = false;
          res.on('data', (chunk: Buffer) => {
            if (kept < MAX_ANSWER_BYTES) chunks.push(chunk);
            kept += chunk.length;
          });
          res.on('end', () => {
            ended = true;
            const retryAfter = res.headers['retry-after'];
            const text = Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
            resolve({ kind: 'answer', status: res.statusCode ?? 0, retryAfter, body: text });
          });
          res.on('error', failed);
          res.on('close', () => {
            if (!ended) failed(new Error('the connection closed before the whole answer arrived'));
          });
        });
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', failed);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KarError('KAR_ERR_USAGE', 'the --url is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KarError('KAR_ERR_USAGE', `the --url must be https:// (or http://), got ${url.protocol}`);
  return url;
}

function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined || error.message.includes(code) ? error.message : `${error.message} (${code})`;
}

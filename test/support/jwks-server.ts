/**
 * @module test/support/jwks-server
 * A loopback HTTP server that plays Konnect's JWKS endpoint for tests: real
 * sockets on 127.0.0.1 port 0, a body and status that a test changes between
 * requests (key rotation, outages), a request counter, and a gate that holds
 * answers until released (to observe single-flight without timing).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const JWKS_PATH = '/v2/audit-log-webhook/jwks.json';

export interface JwksServer {
  /** `http://127.0.0.1:<port>/v2/audit-log-webhook/jwks.json` */
  readonly url: string;
  /** Requests answered or held so far. */
  requests(): number;
  /** What the next requests get: an object is served as JSON, a string verbatim. */
  setJwks(body: unknown): void;
  /** Send the next answers chunked, without content-length (so only a streaming byte cap can stop them). */
  setChunked(chunked: boolean): void;
  /** The status of the next answers (default 200). */
  setStatus(status: number): void;
  /** Holds every answer until `release()` (answers already held are released then). */
  hold(): void;
  release(): void;
  /** Resolves once `n` requests have arrived (answered or held). */
  waitForRequests(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startJwksServer(initial: unknown = { keys: [] }): Promise<JwksServer> {
  let body = serialize(initial);
  let status = 200;
  let chunked = false;
  let count = 0;
  let holding = false;
  let held: (() => void)[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];

  const release = (): void => {
    holding = false;
    const pending = held;
    held = [];
    for (const send of pending) send();
  };

  const answer = (res: ServerResponse, text: string, code: number, inChunks: boolean): void => {
    if (!inChunks) {
      res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    res.writeHead(code, { 'content-type': 'application/json' });
    for (let i = 0; i < text.length; i += 512) res.write(text.slice(i, i + 512));
    res.end();
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    count++;
    waiters = waiters.filter((w) => (count >= w.n ? (w.resolve(), false) : true));
    if (req.url !== JWKS_PATH) {
      answer(res, '{"message":"not found"}', 404, false);
      return;
    }
    // The answer is what was configured when the request arrived.
    const text = body;
    const code = status;
    const inChunks = chunked;
    if (holding) held.push(() => answer(res, text, code, inChunks));
    else answer(res, text, code, inChunks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${JWKS_PATH}`,
    requests: () => count,
    setJwks(next) {
      body = serialize(next);
    },
    setChunked(next) {
      chunked = next;
    },
    setStatus(next) {
      status = next;
    },
    hold() {
      holding = true;
    },
    release,
    waitForRequests(n) {
      if (count >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serialize(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

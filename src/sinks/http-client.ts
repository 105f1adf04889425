/**
 * @module sinks/http-client
 * The one HTTP(S) POST the HTTP-based sinks (http, splunk-hec, sumo-logic)
 * share: keep-alive connections, an optional private CA, a deadline on the
 * whole exchange, and a cap on how much of a response is read (a sink's
 * answer is a short status document; a huge one is not buffered).
 *
 * node:http rather than fetch: Node 20's fetch cannot take a CA bundle
 * without importing undici, which is not a dependency.
 */
import http from 'node:http';
import https from 'node:https';

export const MAX_RESPONSE_BYTES = 64 * 1024;
const IDLE_SOCKET_MS = 4_000;

export interface PostRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly timeoutMs: number;
}

export type PostResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly headers: http.IncomingHttpHeaders;
      /** The response body as text, at most MAX_RESPONSE_BYTES of it. */
      readonly body: string;
    }
  | { readonly ok: false; readonly reason: string; readonly staleSocket?: boolean };

export interface HttpClient {
  post(request: PostRequest): Promise<PostResult>;
  close(): void;
}

export interface HttpClientOptions {
  /** PEM CA bundle: replaces the system trust store (a private CA). */
  readonly ca?: Buffer;
  readonly maxSockets?: number;
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const maxSockets = options.maxSockets ?? 4;
  // Idle sockets are dropped after 4 s, before the usual server-side keep-alive timeouts (Splunk HEC, load
  // balancers) close them under us.
  const common = { keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS };
  const httpAgent = new http.Agent(common);
  const httpsAgent = new https.Agent({ ...common, ...(options.ca === undefined ? {} : { ca: options.ca }) });

  return {
    post: async (request) => {
      const agent = request.url.protocol === 'https:' ? httpsAgent : httpAgent;
      const first = await post(request, agent);
      // A kept-alive socket the server closed while idle fails at once, before the server read anything:
      // one fresh attempt is safe (Node's documented `reusedSocket` pattern).
      return !first.ok && first.staleSocket ? post(request, agent) : first;
    },
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function post(request: PostRequest, agent: http.Agent): Promise<PostResult> {
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const send = request.url.protocol === 'https:' ? https.request : http.request;
    const req = send(request.url, {
      method: 'POST',
      agent,
      headers: { ...request.headers, 'content-length': String(request.body.length) },
    });
    const deadline = setTimeout(() => {
      req.destroy(new Error(`no complete answer within ${request.timeoutMs} ms`));
    }, request.timeoutMs);

    req.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === undefined ? error.message : `${error.code}: ${error.message}`;
      const staleSocket = req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE') && !answered;
      finish(staleSocket ? { ok: false, reason, staleSocket } : { ok: false, reason });
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= MAX_RESPONSE_BYTES) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', (error) => finish({ ok: false, reason: `response: ${error.message}` }));
      res.on('end', () => {
        const body = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
        finish({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.end(request.body);
  });
}

/**
 * A stand-in for a Sumo Logic HTTP Logs & Metrics source on loopback
 * (Sumo Logic "Upload Logs to an HTTP Source", "Troubleshooting HTTP
 * Sources"): POST to the source's unique URL `/receiver/v1/http/<code>`; an
 * unknown code → 401; `Content-Encoding: gzip` or `deflate` bodies; one log
 * message per line; the metadata headers X-Sumo-Category, -Name, -Host,
 * -Fields (`k=v,k=v`); at most 1 MB of uncompressed data per request (the
 * documented limit; the stand-in answers 413 past it — Sumo does not document
 * its exact answer). Forced answers simulate 429 throttling, 408 and 5xx.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

export const SUMO_LIMIT_BYTES = 1_000_000;

export interface SumoUpload {
  readonly headers: http.IncomingHttpHeaders;
  readonly messages: string[];
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
}

export interface SumoServer {
  /** The source URL (the secret). */
  readonly url: string;
  readonly code: string;
  readonly uploads: SumoUpload[];
  readonly messages: string[];
  failNext(...answers: { status: number; body?: string; headers?: Record<string, string> }[]): void;
  /** Answer the n-th POST to the source (1-based) with this instead of taking it. */
  failRequest(n: number, answer: { status: number; body?: string; headers?: Record<string, string> }): void;
  close(): Promise<void>;
}

export async function startSumoServer(code = 'ZaVnC4dhaV3_sUmOsEcReT-tOkEn_0123456789abcdefABCDEF=='): Promise<SumoServer> {
  const uploads: SumoUpload[] = [];
  const messages: string[] = [];
  const forced: { status: number; body?: string; headers?: Record<string, string> }[] = [];
  const forcedAt = new Map<number, { status: number; body?: string; headers?: Record<string, string> }>();
  let posts = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body = '', headers: Record<string, string> = {}): void => {
        res.writeHead(status, headers);
        res.end(body);
      };
      if (req.method !== 'POST' || req.url !== `/receiver/v1/http/${code}`) return reply(401, 'Unauthorized');
      posts += 1;
      const force = forcedAt.get(posts) ?? forced.shift();
      if (force !== undefined) return reply(force.status, force.body, force.headers);
      const compressed = Buffer.concat(chunks);
      let body: Buffer;
      try {
        const encoding = req.headers['content-encoding'];
        body = encoding === 'gzip' ? gunzipSync(compressed) : encoding === 'deflate' ? inflateSync(compressed) : compressed;
      } catch {
        return reply(400, 'cannot decompress');
      }
      if (body.length > SUMO_LIMIT_BYTES) return reply(413, 'request too large');
      const lines = body.toString('utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      uploads.push({ headers: req.headers, messages: lines, uncompressedBytes: body.length, compressedBytes: compressed.length });
      messages.push(...lines);
      return reply(200);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/receiver/v1/http/${code}`,
    code,
    uploads,
    messages,
    failNext: (...answers) => forced.push(...answers),
    failRequest: (n, answer) => forcedAt.set(n, answer),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

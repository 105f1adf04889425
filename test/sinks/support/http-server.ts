/**
 * A plain recording HTTP(S) server on loopback for the generic http sink:
 * keeps every request (headers, raw and gunzipped body) and answers 200, or
 * the forced answers queued with `failNext`.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly raw: Buffer;
  /** The body after Content-Encoding gzip is undone. */
  readonly body: string;
}

export interface RecordingServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  failNext(...answers: { status: number; body?: string; headers?: Record<string, string> }[]): void;
  close(): Promise<void>;
}

export async function startRecordingServer(tls?: { key: string; cert: string }): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const forced: { status: number; body?: string; headers?: Record<string, string> }[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body });
      const force = forced.shift() ?? { status: 200, body: '{"ok":true}' };
      res.writeHead(force.status, force.headers ?? {});
      res.end(force.body ?? '');
    });
  };
  const server = tls === undefined ? http.createServer(handler) : https.createServer(tls, handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    requests,
    failNext: (...answers) => forced.push(...answers),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * A loopback HTTP server that answers each request with the next step of a
 * script, and records what it received (headers, inflated body).
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type Step = { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string } | { readonly reset: true };

export interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
  readonly text: string;
}

export interface ScriptedServer {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/** After the script runs out, every request gets the last step again. */
export async function startScriptedServer(script: readonly Step[]): Promise<ScriptedServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ method: req.method, url: req.url, headers: req.headers, raw, text: gunzipSync(raw).toString('utf8') });
      const step = script[Math.min(received.length - 1, script.length - 1)] as Step;
      answer(step, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/audit-logs`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(step: Step, res: ServerResponse): void {
  if ('reset' in step) {
    res.socket?.destroy();
    return;
  }
  res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
  res.end(step.body ?? '{}');
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

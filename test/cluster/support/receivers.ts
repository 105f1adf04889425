/**
 * Real receivers for the cluster tests: `node dist/cli/bin.js serve` in
 * cluster mode (KONNECT_AUDIT_STORE = the test cluster's URLs), plain HTTP on
 * a fixed loopback port (so that a restart comes back where HAProxy looks),
 * delivering to an HTTP collector that counts every event it receives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync, gzipSync } from 'node:zlib';
import { killOnExit } from '../../support/kill-on-exit.js';
import { fixtureKeyFiles } from '../../../src/testing/index.js';
import { freePort } from './nats-cluster.js';

export const root = resolve(import.meta.dirname, '../../..');
export const bin = join(root, 'dist/cli/bin.js');
export const TOKEN = 'Bearer cluster-test-token-0123456789abcdef';

export interface Collector {
  readonly url: string;
  /** Times each raw line was received. */
  readonly counts: Map<string, number>;
  setUp(up: boolean): void;
  /** Answer 400 (a sink's permanent refusal: the events become dead letters). */
  setRejecting(rejecting: boolean): void;
  close(): Promise<void>;
}

/** The sink's far end: 503 while down; while up, counts every event's raw line. */
export async function startCollector(): Promise<Collector> {
  let up = true;
  let rejecting = false;
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!up) {
        res.writeHead(503).end('down');
        return;
      }
      if (rejecting) {
        res.writeHead(400).end('refused');
        return;
      }
      const body = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const raw = (JSON.parse(line) as { raw: string }).raw;
        counts.set(raw, (counts.get(raw) ?? 0) + 1);
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`,
    counts,
    setUp: (value) => (up = value),
    setRejecting: (value) => (rejecting = value),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export interface Receiver {
  readonly port: number;
  readonly url: string;
  readonly base: string;
  process: ChildProcess | undefined;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ReceiverFleet {
  readonly receivers: Receiver[];
  add(): Promise<Receiver>;
  stop(): Promise<void>;
}

/** The environment of a `serve` process in cluster mode on loopback (plain HTTP, an http sink), plus `extra`. */
export function clusterServeEnv(
  options: { readonly port: number; readonly dataDir: string; readonly token: string; readonly jwks: string; readonly sinkUrl: string; readonly store: string },
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    KONNECT_AUDIT_AUTHORIZATION: options.token,
    KONNECT_AUDIT_HOST: '127.0.0.1',
    KONNECT_AUDIT_PORT: String(options.port),
    KONNECT_AUDIT_INSECURE_HTTP: 'true',
    KONNECT_AUDIT_DATA_DIR: options.dataDir,
    KONNECT_AUDIT_JWKS: options.jwks,
    KONNECT_AUDIT_SINK: `http:${options.sinkUrl}`,
    KONNECT_AUDIT_STORE: options.store,
    KONNECT_AUDIT_SHUTDOWN_TIMEOUT_MS: '5000',
    ...extra,
  };
}

export function receiverFleet(options: { readonly natsUrls: string; readonly sinkUrl: string; readonly ackWaitMs?: number; readonly jwks?: string }): ReceiverFleet {
  const dir = mkdtempSync(join(tmpdir(), 'kar-receivers-'));
  const receivers: Receiver[] = [];

  async function launch(port: number, dataDir: string): Promise<ChildProcess> {
    const env = clusterServeEnv({ port, dataDir, token: TOKEN, jwks: options.jwks ?? fixtureKeyFiles.jwks, sinkUrl: options.sinkUrl, store: options.natsUrls }, { KONNECT_AUDIT_NATS_ACK_WAIT_MS: String(options.ackWaitMs ?? 3000) });
    const child = spawn(process.execPath, [bin, 'serve'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    killOnExit(child);
    const exited = new Promise<string>((done) => child.once('exit', (code, signal) => done(`exit ${String(code)} ${String(signal)}`)));
    const stderr = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    const seen: string[] = [];
    for await (const line of stderr) {
      seen.push(line);
      if (line.includes('"receiver listening"')) {
        // Keep draining stderr so that the child never blocks on a full pipe.
        stderr.on('line', () => undefined);
        return child;
      }
    }
    throw new Error(`serve exited before listening (${await exited}): ${seen.slice(-5).join('\n')}`);
  }

  return {
    receivers,
    async add() {
      const port = await freePort();
      const dataDir = join(dir, `r${receivers.length + 1}`);
      const receiver: Receiver = {
        port,
        base: `http://127.0.0.1:${port}`,
        url: `http://127.0.0.1:${port}/audit-logs`,
        process: undefined,
        async start() {
          receiver.process = await launch(port, dataDir);
        },
        async kill(signal = 'SIGKILL') {
          const child = receiver.process;
          if (child === undefined) return;
          receiver.process = undefined;
          if (child.exitCode !== null || child.signalCode !== null) return;
          const gone = new Promise<void>((done) => child.once('exit', () => done()));
          child.kill(signal);
          await gone;
        },
      };
      receivers.push(receiver);
      await receiver.start();
      return receiver;
    },
    async stop() {
      await Promise.all(receivers.map((r) => r.kill('SIGKILL')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Posts a batch of lines like Konnect (gzip); a connection error is status 0. */
export async function post(url: string, lines: readonly string[]): Promise<{ status: number; body: string; retryAfter: string | null }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: TOKEN, 'content-type': 'text/plain', 'content-encoding': 'application/gzip' },
      body: gzipSync(`${lines.join('\n')}\n`),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after') };
  } catch {
    return { status: 0, body: '', retryAfter: null };
  }
}

export async function readyz(base: string): Promise<number> {
  try {
    return (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(3000) })).status;
  } catch {
    return 0;
  }
}

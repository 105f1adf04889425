/**
 * The 200's promise under load, with real processes: `konnect-audit serve`
 * (built, plain HTTP on loopback port 0) takes concurrent gzip batches while
 * its only sink is down, and is killed with SIGKILL mid-stream. Every batch
 * that was answered 200 must be in the store, whole (no half batch), must
 * reach the sink once it recovers after a restart, and must still count as a
 * duplicate when Konnect sends it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { fixtureKeyFiles, loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { tempDir } from '../store/support/batches.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'dist/cli/bin.js');
const TOKEN = 'Bearer kill9-test-token';
const key = loadTestKey('primary').privateKey;
const PER_BATCH = 20;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The sink's far end: answers 503 while down, collects NDJSON events while up. */
async function startCollector(): Promise<{ url: string; setUp: (up: boolean) => void; raws: Set<string> }> {
  let up = false;
  const raws = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!up) {
        res.writeHead(503).end('down for maintenance');
        return;
      }
      const body = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
      for (const line of text.split('\n')) if (line !== '') raws.add((JSON.parse(line) as { raw: string }).raw);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, setUp: (value) => (up = value), raws };
}

async function startServe(env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; url: string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  const proc = spawn(process.execPath, [bin, 'serve'], { cwd: root, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => proc.once('exit', (code, signal) => done({ code, signal })));
  cleanups.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const stderr = createInterface({ input: proc.stderr as NodeJS.ReadableStream });
  for await (const line of stderr) {
    const log = JSON.parse(line) as { msg?: string; url?: string };
    if (log.msg === 'receiver listening' && log.url !== undefined) {
      // Keep draining stderr so that the child never blocks on a full pipe.
      stderr.on('line', () => undefined);
      return { proc, url: log.url, exited };
    }
  }
  throw new Error(`serve exited before listening: ${JSON.stringify(await exited)}`);
}

async function post(url: string, lines: readonly string[]): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: TOKEN, 'content-type': 'text/plain', 'content-encoding': 'application/gzip' },
    body: gzipSync(`${lines.join('\n')}\n`),
  });
  return { status: response.status, body: await response.text() };
}

describe('kill -9 of serve under load', () => {
  it('loses no acknowledged batch: stored whole, delivered after restart, still a duplicate', async () => {
    expect(existsSync(bin), 'dist/cli/bin.js is missing: run `npx tsc -p tsconfig.build.json` (npm test does)').toBe(true);
    const { dir, cleanup } = tempDir('kill9');
    cleanups.push(cleanup);
    const collector = await startCollector();
    const env = {
      KONNECT_AUDIT_AUTHORIZATION: TOKEN,
      KONNECT_AUDIT_HOST: '127.0.0.1',
      KONNECT_AUDIT_PORT: '0',
      KONNECT_AUDIT_INSECURE_HTTP: 'true',
      KONNECT_AUDIT_DATA_DIR: join(dir, 'data'),
      KONNECT_AUDIT_JWKS: fixtureKeyFiles.jwks,
      KONNECT_AUDIT_SINK: `http:${collector.url}`,
    };
    const batches = Array.from({ length: 400 }, (_, n) => makeSignedKonnectLines({ format: n % 2 === 0 ? 'cef' : 'json', count: PER_BATCH, seed: 1000 + n, key }));
    expect(new Set(batches.flat()).size).toBe(400 * PER_BATCH);

    // Phase 1: the sink is down, so everything acknowledged must be in the store.
    const first = await startServe(env);
    const acked = new Set<number>();
    let next = 0;
    let killed = false;
    const poster = async (): Promise<void> => {
      while (!killed && next < batches.length) {
        const n = next++;
        try {
          const answer = await post(first.url, batches[n] ?? []);
          // A 200 that arrives at all was sent after the commit: it counts, even past the kill decision.
          if (answer.status === 200) acked.add(n);
          if (answer.status === 200 && acked.size >= 40 && !killed) {
            killed = true;
            first.proc.kill('SIGKILL');
          }
        } catch {
          // The connection died with the process: not acknowledged.
        }
      }
    };
    await Promise.all([poster(), poster(), poster(), poster()]);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(acked.size).toBeGreaterThanOrEqual(40);

    const store = openStore({ dataDir: env.KONNECT_AUDIT_DATA_DIR, create: false });
    const [sink] = store.sinks();
    const stored = new Set(store.readPending(sink?.name ?? 'http', { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 1_000_000 }).map((e) => (JSON.parse(e.json) as { raw: string }).raw));
    await store.close();
    const missing = [...acked].filter((n) => !(batches[n] ?? []).every((line) => stored.has(line)));
    expect(missing).toEqual([]);
    const partial = batches.map((lines, n) => [n, lines.filter((line) => stored.has(line)).length] as const).filter(([, count]) => count !== 0 && count !== PER_BATCH);
    expect(partial).toEqual([]);

    // Phase 2: restart with the sink back: every acknowledged event reaches it.
    collector.setUp(true);
    const second = await startServe(env);
    const ackedLines = [...acked].flatMap((n) => batches[n] ?? []);
    await vi.waitFor(() => expect(ackedLines.filter((line) => !collector.raws.has(line))).toEqual([]), { timeout: 45_000, interval: 50 });
    const replay = await post(second.url, batches[[...acked][0] ?? 0] ?? []);
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.body)).toEqual({ accepted: 0, duplicates: PER_BATCH, quarantined: 0, rejected: 0 });
    second.proc.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});

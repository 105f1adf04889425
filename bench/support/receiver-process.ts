/**
 * @module bench/support/receiver-process
 * `konnect-audit serve` as a separate process, configured the way an
 * operator would (environment only): TLS with a fresh self-signed P-256
 * certificate, a generated Ed25519 key set in a JWKS file, storage in a
 * temporary data dir, the blackhole sink, default log level (its JSON logs go
 * to a file, as under systemd or Docker). Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { generate } from 'selfsigned';
import { generateKeyPair, jwksOf, type GeneratedKeyPair } from '../../src/verify/index.js';

export const BIN = resolve(import.meta.dirname, '../../dist/cli/bin.js');

export interface BenchEnvironment {
  readonly dir: string;
  readonly keyPair: GeneratedKeyPair;
  readonly authorization: string;
  readonly files: { readonly cert: string; readonly key: string; readonly jwks: string };
  remove(): Promise<void>;
}

/** A temp dir with a TLS certificate, a JWKS of a fresh key pair and an Authorization value. */
export async function createBenchEnvironment(): Promise<BenchEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), 'kar-bench-'));
  const keyPair = generateKeyPair();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 30 * 24 * 3_600_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), jwks: join(dir, 'jwks.json') };
  await writeFile(files.cert, pems.cert);
  await writeFile(files.key, pems.private, { mode: 0o600 });
  await writeFile(files.jwks, JSON.stringify(jwksOf([keyPair.publicJwk])));
  return {
    dir,
    keyPair,
    authorization: `Bearer bench-${keyPair.kid}-0123456789abcdef0123456789`,
    files,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface ReceiverProcessOptions {
  /** Name of this receiver's data dir and log file inside the environment's dir. */
  readonly name: string;
  /** UV_THREADPOOL_SIZE of the receiver (unset: Node's default, 4). */
  readonly threadpoolSize?: number;
  /** More environment (KONNECT_AUDIT_*), e.g. a higher maxBatchesInFlight. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** Plain HTTP (KONNECT_AUDIT_INSECURE_HTTP, as behind a TLS-terminating proxy) instead of TLS. */
  readonly plainHttp?: boolean;
}

export interface ReceiverProcess {
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  /** VmHWM: the peak resident set size of the receiver so far. */
  peakRssBytes(): Promise<number>;
  /** CPU time (user + system, all threads) the receiver has used so far, in seconds. */
  cpuSeconds(): Promise<number>;
  /**
   * The same split between the event loop (the main thread) and every other
   * thread: the libuv pool (crypto.verify, zlib, fs) and V8's helpers
   * (concurrent GC, compiler). Node 20 names them all `node`, so they are not
   * told apart.
   */
  cpuSecondsByThread(): Promise<ThreadCpu>;
  /** Counters from GET /metrics (`name` or `name{labels}` → value). */
  metrics(): Promise<Map<string, number>>;
  /** SIGTERM, then wait for a clean exit. */
  stop(): Promise<number | null>;
}

export interface ThreadCpu {
  readonly main: number;
  readonly threads: number;
}

/** utime + stime of a /proc stat line, in seconds (fields 14 and 15, in clock ticks of 1/100 s on Linux). */
function statCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function threadCpu(pid: number): Promise<ThreadCpu> {
  const cpu = { main: 0, threads: 0 };
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    try {
      const seconds = statCpuSeconds(await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      if (Number(tid) === pid) cpu.main += seconds;
      else cpu.threads += seconds;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return cpu;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function startReceiverProcess(env: BenchEnvironment, options: ReceiverProcessOptions): Promise<ReceiverProcess> {
  const port = await freePort();
  const logFile = join(env.dir, `${options.name}.log`);
  const logFd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, 'serve'], {
    cwd: env.dir,
    stdio: ['ignore', 'ignore', logFd],
    env: {
      PATH: process.env['PATH'] ?? '',
      ...(options.threadpoolSize === undefined ? {} : { UV_THREADPOOL_SIZE: String(options.threadpoolSize) }),
      KONNECT_AUDIT_HOST: '127.0.0.1',
      KONNECT_AUDIT_PORT: String(port),
      ...(options.plainHttp === true ? { KONNECT_AUDIT_INSECURE_HTTP: 'true' } : { KONNECT_AUDIT_TLS_CERT: env.files.cert, KONNECT_AUDIT_TLS_KEY: env.files.key }),
      KONNECT_AUDIT_JWKS: env.files.jwks,
      KONNECT_AUDIT_DATA_DIR: join(env.dir, `${options.name}-data`),
      KONNECT_AUDIT_SINK: 'blackhole',
      KONNECT_AUDIT_AUTHORIZATION: env.authorization,
      ...options.env,
    },
  });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new Error('the receiver did not start');
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const tls = options.plainHttp !== true;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}/audit-logs`;
  await waitHealthy(port, tls, exited, logFile);

  const status = async (field: string): Promise<number> => {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match === null ? Number.NaN : Number(match[1]) * 1024;
  };
  return {
    url,
    pid,
    logFile,
    peakRssBytes: () => status('VmHWM'),
    cpuSeconds: async () => statCpuSeconds(await readFile(`/proc/${pid}/stat`, 'utf8')),
    cpuSecondsByThread: () => threadCpu(pid),
    metrics: () => scrapeMetrics(port, tls),
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function waitHealthy(port: number, tls: boolean, exited: Promise<number | null>, logFile: string): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (let attempt = 0; attempt < 300; attempt++) {
    if (gone) throw new Error(`the receiver exited at start; see ${logFile}:\n${await readFile(logFile, 'utf8').catch(() => '')}`);
    if (await healthy(port, tls)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the receiver did not answer /healthz within 30 s; see ${logFile}`);
}

function get(port: number, tls: boolean, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    // Loopback only, to the bench's own self-signed receiver.
    const req = (tls ? httpsRequest : httpRequest)({ host: '127.0.0.1', port, path, rejectUnauthorized: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.end();
  });
}

/** Prometheus text → `name{labels}` → value (comments skipped). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

async function scrapeMetrics(port: number, tls: boolean): Promise<Map<string, number>> {
  const { status, body } = await get(port, tls, '/metrics');
  if (status !== 200) throw new Error(`GET /metrics answered ${status}`);
  return parseMetrics(body);
}

function healthy(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolveHealthy) => {
    const req = (tls ? httpsRequest : httpRequest)({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 1000 /* loopback liveness probe only */ }, (res) => {
      res.resume();
      resolveHealthy(res.statusCode === 200);
    });
    req.on('error', () => resolveHealthy(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Real-server test support: a throwaway certificate, a receiver started
 * from environment variables the way `serve` reads them, and an HTTPS client
 * that speaks like Konnect (gzip body labelled `application/gzip`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request, type Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generate } from 'selfsigned';
import { loadReceiverConfig, parseServeFlags } from '../../src/config/index.js';
import { startReceiver, type RunningReceiver, type StartReceiverOptions } from '../../src/intake/run-receiver.js';
import { fixtureKeyFiles } from '../../src/testing/index.js';

export const TOKEN = 'Bearer e2e-0123456789abcdef0123456789abcdef0123456789';

export interface TestCert {
  readonly cert: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export async function makeCert(dir: string): Promise<TestCert> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await writeFile(certFile, pems.cert);
  await writeFile(keyFile, pems.private, { mode: 0o600 });
  return { cert: pems.cert, certFile, keyFile };
}

export interface TestReceiver extends RunningReceiver {
  readonly dir: string;
  readonly cert: TestCert;
  readonly sinkFile: string;
}

/** A receiver on 127.0.0.1, port 0, real TLS, the fixture JWKS, a file sink; `env` overrides. */
export async function startTestReceiver(env: Record<string, string> = {}, options: StartReceiverOptions = {}): Promise<TestReceiver> {
  const dir = await mkdtemp(join(tmpdir(), 'kar-receiver-'));
  const cert = await makeCert(dir);
  const sinkFile = join(dir, 'events.ndjson');
  const { config } = await loadReceiverConfig({
    flags: parseServeFlags([]),
    env: {
      KONNECT_AUDIT_AUTHORIZATION: TOKEN,
      KONNECT_AUDIT_HOST: '127.0.0.1',
      KONNECT_AUDIT_PORT: '0',
      KONNECT_AUDIT_TLS_CERT: cert.certFile,
      KONNECT_AUDIT_TLS_KEY: cert.keyFile,
      KONNECT_AUDIT_DATA_DIR: join(dir, 'data'),
      KONNECT_AUDIT_JWKS: fixtureKeyFiles.jwks,
      KONNECT_AUDIT_SINK: `file:${sinkFile}`,
      ...env,
    },
    cwd: dir,
  });
  const receiver = await startReceiver(config, options);
  return { ...receiver, close: () => receiver.close(), dir, cert, sinkFile };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** POSTs like Konnect: gzip, `Content-Encoding: application/gzip`, `Content-Type: text/plain`. */
export function postLikeKonnect(url: string, ca: string, lines: readonly string[], headers: Record<string, string> = {}, body?: Buffer, agent?: Agent): Promise<Answer> {
  const payload = body ?? gzipSync(Buffer.from(lines.map((line) => `${line}\n`).join('')));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca,
        ...(agent === undefined ? {} : { agent }),
        headers: { authorization: TOKEN, 'content-type': 'text/plain', 'content-encoding': 'application/gzip', 'content-length': String(payload.length), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export function getText(url: string, ca: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    })
      .on('error', reject)
      .end();
  });
}

/** The lines of a file sink's output once it holds at least `count` (the suite's timeout bounds the wait). */
export async function waitForLines(file: string, count: number): Promise<string[]> {
  for (;;) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

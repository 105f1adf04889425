/**
 * Memory is a budget, not a hope (SPEC 5.1, issue 10): concurrent batches at
 * the inflated limit against a real `serve` process with its default limits.
 * Each body is under 1 MB of gzip and inflates to just under 128 MiB (40
 * distinct signed lines repeated): the load that once ended in "JavaScript
 * heap out of memory". Every answer must be 200 or 429 (+ Retry-After),
 * the process must still be alive and ready, and its peak RSS (VmHWM, read
 * from /proc) must stay under the documented 512 MB. Nothing here is timed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureKeyFiles, loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'dist/cli/bin.js');
const TOKEN = 'Bearer memory-test-token-0123456789abcdef0123456789';
const MIB = 1024 * 1024;
/** The documented promise of the default memory budget (docs/CONFIGURATION.md, "Memory"). */
const RSS_PROMISE_BYTES = 512 * MIB;
const DEFAULT_MAX_INFLATED = 128 * MIB;

const onLinux = existsSync('/proc/self/status');

let proc: ChildProcess | undefined;
let url = '';
let dir = '';
let body: Buffer;

function vmHwmBytes(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error('no VmHWM in /proc/PID/status');
  return Number(match[1]) * 1024;
}

/** 40 distinct signed lines, repeated until the body is as large as the inflated limit allows. */
function bodyAtInflatedLimit(): Buffer {
  const key = loadTestKey('primary').privateKey;
  const distinct = [...makeSignedKonnectLines({ format: 'cef', count: 20, seed: 77, key }), ...makeSignedKonnectLines({ format: 'json', count: 20, seed: 78, key })];
  const unit = Buffer.from(`${distinct.join('\n')}\n`);
  const copies = Math.floor((DEFAULT_MAX_INFLATED - 1) / unit.length);
  return gzipSync(Buffer.concat(Array.from({ length: copies }, () => unit)), { level: 9 });
}

beforeAll(async () => {
  if (!onLinux) return;
  expect(existsSync(bin), 'dist/cli/bin.js is missing: run `npx tsc -p tsconfig.build.json` (npm test does)').toBe(true);
  body = bodyAtInflatedLimit();
  dir = mkdtempSync(join(tmpdir(), 'kar-memory-'));
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      KONNECT_AUDIT_AUTHORIZATION: TOKEN,
      KONNECT_AUDIT_HOST: '127.0.0.1',
      KONNECT_AUDIT_PORT: '0',
      KONNECT_AUDIT_INSECURE_HTTP: 'true',
      KONNECT_AUDIT_DATA_DIR: join(dir, 'data'),
      KONNECT_AUDIT_JWKS: fixtureKeyFiles.jwks,
      KONNECT_AUDIT_SINK: 'blackhole',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc = child;
  const stderr = createInterface({ input: child.stderr as NodeJS.ReadableStream });
  const said: string[] = [];
  for await (const line of stderr) {
    said.push(line);
    const log = (line.startsWith('{') ? JSON.parse(line) : {}) as { msg?: string; url?: string };
    if (log.msg === 'receiver listening' && log.url !== undefined) {
      url = log.url;
      // Keep draining stderr so that the child never blocks on a full pipe.
      stderr.on('line', () => undefined);
      break;
    }
  }
  if (url === '') throw new Error(`serve exited before listening:\n${said.join('\n')}`);
});

afterAll(() => {
  if (proc !== undefined && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

async function post(): Promise<{ status: number; retryAfter: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: TOKEN, 'content-type': 'text/plain', 'content-encoding': 'application/gzip' },
    body,
  });
  await response.arrayBuffer();
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

// /proc is Linux's: elsewhere there is no VmHWM to read (the receiver itself runs anywhere).
describe.runIf(onLinux)('concurrent batches at the inflated limit, default limits', () => {
  it('the body is what the limits allow: under 1 MB of gzip, just under 128 MiB inflated', () => {
    expect(body.length).toBeLessThan(1024 * 1024);
  });

  it.each([8, 32])('%i at once: every answer 200 or 429 + Retry-After, alive and ready, VmHWM under 512 MB', async (concurrent) => {
    const answers = await Promise.all(Array.from({ length: concurrent }, () => post()));
    for (const answer of answers) {
      expect([200, 429]).toContain(answer.status);
      if (answer.status === 429) expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    }
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    const ready = await fetch(new URL('/readyz', url));
    expect(ready.status).toBe(200);
    expect(proc?.exitCode).toBeNull();
    expect(vmHwmBytes(proc?.pid as number)).toBeLessThan(RSS_PROMISE_BYTES);
  });
});

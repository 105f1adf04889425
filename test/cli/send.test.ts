import { verify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadReceiverConfig, parseServeFlags } from '../../src/config/index.js';
import { createDemoCertificate } from '../../src/demo/tls.js';
import { waitForLines } from '../../src/demo/wait-for-lines.js';
import { startReceiver, type RunningReceiver } from '../../src/intake/run-receiver.js';
import { generateSignedLines, tamperIndexes } from '../../src/sender/index.js';
import type { BatchSummary } from '../../src/store/types.js';
import { fixtureKeyFiles, loadTestKey } from '../../src/testing/index.js';
import { runInProcess } from '../sender/cli-harness.js';
import { startScriptedServer, type ScriptedServer, type Step } from '../sender/scripted-server.js';

const TOKEN = 'Bearer s3cr3t-token-never-printed-0123456789abcdef';
const ok: Step = { status: 200, body: JSON.stringify({ accepted: 10, duplicates: 0, quarantined: 0, rejected: 0 }) };
const key = loadTestKey('primary');

let server: ScriptedServer | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kar-send-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const send = (url: string, ...extra: string[]) => runInProcess(['send', '--url', url, '--authorization', TOKEN, '--key', fixtureKeyFiles.primary, ...extra]);

/** Konnect's CEF signed message: the line without ` sig=<value>` (sig last). */
function verifiesCef(line: string): boolean {
  const at = line.lastIndexOf(' sig=');
  return verify(null, Buffer.from(line.slice(0, at)), key.privateKey, Buffer.from(line.slice(at + 5), 'base64url'));
}

describe('konnect-audit send', () => {
  it('signs --count generated CEF lines into ceil(count/batch) gzip batches and reports each answer and a total', async () => {
    server = await startScriptedServer([ok]);
    const run = await send(server.url, '--count', '25', '--batch', '10', '--seed', '7');
    expect(run.code).toBe(0);
    expect(server.received).toHaveLength(3);
    const lines = server.received.flatMap((r) => r.text.trimEnd().split('\n'));
    expect(lines).toHaveLength(25);
    expect(new Set(lines).size).toBe(25);
    expect(lines.every((line) => line.includes('CEF:0|KongInc|') && verifiesCef(line))).toBe(true);
    expect(run.stdout).toMatch(/^batch 1\/3: 200 \(10 lines\) accepted 10, duplicates 0, quarantined 0, rejected 0 \[1 attempt\]$/m);
    expect(run.stdout).toMatch(/^total: 3 batches \(3 accepted, 0 not accepted, 0 retries\); 25 lines/m);
    expect(run.stderr).toContain('plain http://');
  });

  it('--tamper N: exactly N lines fail verification, the others verify', async () => {
    server = await startScriptedServer([ok]);
    const run = await send(server.url, '--count', '30', '--batch', '30', '--tamper', '4');
    expect(run.code).toBe(0);
    const lines = server.received.flatMap((r) => r.text.trimEnd().split('\n'));
    expect(lines.filter((line) => !verifiesCef(line))).toHaveLength(4);
    expect(run.stdout).toContain('(30 lines, 4 tampered)');
  });

  it('--format json sends signed JSON lines with sig last', async () => {
    server = await startScriptedServer([ok]);
    const run = await send(server.url, '--count', '3', '--format', 'json');
    expect(run.code).toBe(0);
    const lines = server.received[0]?.text.trimEnd().split('\n') ?? [];
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => /^\{.*,"sig":"[A-Za-z0-9_-]{86}"\}$/.test(line))).toBe(true);
  });

  it('--file sends the lines as they are (no signing, no --key) and --replay sends every batch twice', async () => {
    server = await startScriptedServer([ok]);
    const file = join(dir, 'lines.log');
    await writeFile(file, 'first line sig=x\r\n\nsecond line\n');
    const run = await runInProcess(['send', '--url', server.url, '--authorization', TOKEN, '--file', file, '--replay', '--format-output', 'json']);
    expect(run.code).toBe(0);
    expect(server.received.map((r) => r.text)).toEqual(['first line sig=x\nsecond line\n', 'first line sig=x\nsecond line\n']);
    const report = JSON.parse(run.stdout) as { batches: unknown[]; replayed: unknown[]; total: { batches: number; acceptedBatches: number } };
    expect(report.batches).toHaveLength(1);
    expect(report.replayed).toHaveLength(1);
    expect(report.total).toMatchObject({ batches: 2, acceptedBatches: 2 });
  });

  it('a batch not accepted (401) ends its delivery and exits 1; the Authorization value is never printed', async () => {
    server = await startScriptedServer([{ status: 401, body: '{"error":"KAR_ERR_INTAKE_UNAUTHORIZED"}' }]);
    const run = await send(server.url, '--count', '5', '--format-output', 'text');
    expect(run.code).toBe(1);
    expect(server.received).toHaveLength(1);
    expect(run.stdout).toContain('batch 1/1: NOT ACCEPTED (5 lines) 401 {"error":"KAR_ERR_INTAKE_UNAUTHORIZED"} [1 attempt]');
    expect(server.received[0]?.headers.authorization).toBe(TOKEN);
    expect(`${run.stdout}${run.stderr}`).not.toContain('s3cr3t');
  });

  it('reads the Authorization value from KONNECT_AUDIT_AUTHORIZATION when --authorization is absent (keeps it out of `ps`)', async () => {
    server = await startScriptedServer([ok]);
    const run = await runInProcess(['send', '--url', server.url, '--key', fixtureKeyFiles.primary, '--count', '1'], { env: { KONNECT_AUDIT_AUTHORIZATION: TOKEN } });
    expect(run.code).toBe(0);
    expect(server.received[0]?.headers.authorization).toBe(TOKEN);
  });

  it.each<{ quirk: string; argv: string[]; code: number; message: RegExp }>([
    { quirk: 'no --url', argv: ['--authorization', 'x', '--key', 'k'], code: 2, message: /--url is required.*KAR_ERR_USAGE/ },
    { quirk: 'unknown option', argv: ['--nope'], code: 2, message: /^konnect-audit send: Unknown option '--nope'; see --help \(KAR_ERR_USAGE\)\n$/ },
    { quirk: 'a missing value', argv: ['--url', 'https://x/', '--key', 'k', '--authorization'], code: 2, message: /^konnect-audit send: Option '--authorization <value>' argument missing; see --help \(KAR_ERR_USAGE\)\n$/ },
    { quirk: 'an unquoted Authorization value (the rest is placed, never printed)', argv: ['--url', 'https://x/', '--authorization', 'Bearer', 's3cr3t', '--key', 'k'], code: 2, message: /^konnect-audit send: unexpected argument after --authorization: this command takes options only \(quote a value that holds spaces\); see --help \(KAR_ERR_USAGE\)\n$/ },
    { quirk: 'format not cef|json', argv: ['--url', 'https://x/', '--authorization', 'x', '--key', 'k', '--format', 'xml'], code: 2, message: /--format must be cef or json/ },
    { quirk: '--count not an integer', argv: ['--url', 'https://x/', '--authorization', 'x', '--key', 'k', '--count', '1e3'], code: 2, message: /--count must be an integer >= 1, got '1e3'/ },
    { quirk: '--tamper above --count', argv: ['--url', 'https://x/', '--authorization', 'x', '--key', 'k', '--count', '2', '--tamper', '3'], code: 2, message: /--tamper \(3\) cannot exceed --count \(2\)/ },
    { quirk: 'not an http(s) URL', argv: ['--url', 'ftp://x/', '--authorization', 'x', '--file', fixtureKeyFiles.jwks], code: 2, message: /must be https:\/\//},
    { quirk: 'missing --key file', argv: ['--url', 'https://x/', '--authorization', 'x', '--key', '/nonexistent/key.json'], code: 2, message: /--key file \/nonexistent\/key.json cannot be read: ENOENT.*KAR_ERR_IO_READ/ },
    { quirk: 'a JWKS given as --key', argv: ['--url', 'https://x/', '--authorization', 'x', '--key', fixtureKeyFiles.jwks], code: 2, message: /is not a private Ed25519 JWK.*KAR_ERR_INPUT_FORMAT/ },
    { quirk: 'missing --ca file', argv: ['--url', 'https://x/', '--authorization', 'x', '--key', fixtureKeyFiles.primary, '--count', '1', '--ca', '/nonexistent/ca.pem'], code: 2, message: /--ca file .* cannot be read.*KAR_ERR_IO_READ/ },
  ])('usage/IO error, one line, exit 2: $quirk', async ({ argv, code, message }) => {
    const run = await runInProcess(['send', ...argv]);
    expect(run.code).toBe(code);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain('s3cr3t');
  });
});

describe('send → receiver (real TLS on loopback) → file sink', () => {
  let receiver: RunningReceiver | undefined;
  let work: string;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await rm(work, { recursive: true, force: true });
  });

  async function startTlsReceiver(): Promise<{ url: string; caFile: string; events: string }> {
    work = await mkdtemp(join(tmpdir(), 'kar-send-e2e-'));
    const certificate = await createDemoCertificate();
    const caFile = join(work, 'cert.pem');
    const keyFile = join(work, 'key.pem');
    await writeFile(caFile, certificate.cert);
    await writeFile(keyFile, certificate.key);
    const events = join(work, 'events.ndjson');
    const flags = parseServeFlags(['--host', '127.0.0.1', '--port', '0', '--tls-cert', caFile, '--tls-key', keyFile, '--jwks', fixtureKeyFiles.jwks, '--data-dir', join(work, 'data'), '--sink', `file:${events}`]);
    const { config } = await loadReceiverConfig({ flags, env: { KONNECT_AUDIT_AUTHORIZATION: TOKEN }, cwd: work });
    receiver = await startReceiver(config);
    return { url: receiver.url, caFile, events };
  }

  it('accepted counts, quarantined tampered lines, a replay answered as duplicates, and the NDJSON lines are the untampered signed lines', async () => {
    const { url, caFile, events } = await startTlsReceiver();
    const run = await runInProcess(['send', '--url', url, '--authorization', TOKEN, '--key', fixtureKeyFiles.primary, '--ca', caFile, '--count', '30', '--batch', '10', '--seed', '5', '--tamper', '2', '--replay', '--format-output', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { batches: { status: number; summary: BatchSummary }[]; replayed: { status: number; summary: BatchSummary }[] };
    expect(report.batches.map((b) => b.status)).toEqual([200, 200, 200]);
    expect(report.batches.reduce((sum, b) => sum + b.summary.accepted, 0)).toBe(28);
    expect(report.batches.reduce((sum, b) => sum + b.summary.quarantined, 0)).toBe(2);
    expect(report.replayed.map((b) => b.summary.accepted)).toEqual([0, 0, 0]);
    expect(report.replayed.reduce((sum, b) => sum + b.summary.duplicates + b.summary.quarantined, 0)).toBe(30);

    const sent = generateSignedLines({ format: 'cef', count: 30, seed: 5, key: key.privateKey });
    const tampered = new Set(tamperIndexes(30, 2));
    const expected = sent.filter((_, i) => !tampered.has(i));
    const delivered = (await waitForLines(events, 28, 15_000)) ?? [];
    const parsed = delivered.map((line) => JSON.parse(line) as { raw: string; signature: { status: string; kid: string } });
    expect(parsed.map((e) => e.raw).sort()).toEqual([...expected].sort());
    expect(parsed.every((e) => e.signature.status === 'valid' && e.signature.kid === key.kid)).toBe(true);
  });

  it('--insecure reaches a self-signed receiver and says verification is off', async () => {
    const { url } = await startTlsReceiver();
    const run = await runInProcess(['send', '--url', url, '--authorization', TOKEN, '--key', fixtureKeyFiles.primary, '--insecure', '--count', '3', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: --insecure: .*not verified/);
    expect(run.stdout).toMatch(/^total: 1 batch \(1 accepted, 0 not accepted, 0 retries\); 3 lines: accepted 3,/m);
  });
});

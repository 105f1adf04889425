/**
 * What a hostile or broken client meets on a real server: slow headers, a
 * slow body, a gzip bomb (memory must stay bounded), and a receiver whose
 * key set cannot be loaded yet.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { createGzip } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureKeyFiles, loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { getText, postLikeKonnect, startTestReceiver, TOKEN, type TestReceiver } from './support.js';

const MIB = 1024 * 1024;
let receiver: TestReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  if (receiver !== undefined) await rm(receiver.dir, { recursive: true, force: true });
  receiver = undefined;
});

/** Opens a TLS connection, writes `first`, then nothing more; resolves with what came back once the server closes it. */
function stallAfter(url: string, ca: string, first: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: 'localhost' }, () => socket.write(first));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(30_000, () => reject(new Error('the server never cut the slow client off')));
  });
}

/** ~1 MB of gzip that inflates to 1 GiB: 64 members of 16 MiB of zeros (RFC 1952 allows many members). */
async function gzipBomb(): Promise<Buffer> {
  const member = await new Promise<Buffer>((resolve) => {
    const gzip = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.on('end', () => resolve(Buffer.concat(out)));
    const zeros = Buffer.alloc(MIB);
    for (let i = 0; i < 16; i++) gzip.write(zeros);
    gzip.end();
  });
  return Buffer.concat(Array.from({ length: 64 }, () => member));
}

describe('slow clients are cut off', () => {
  it('headers that never finish: the connection is closed (or answered 408)', async () => {
    receiver = await startTestReceiver({ KONNECT_AUDIT_HEADERS_TIMEOUT_MS: '200', KONNECT_AUDIT_REQUEST_TIMEOUT_MS: '400' });
    const answer = await stallAfter(receiver.url, receiver.cert.cert, 'POST /audit-logs HTTP/1.1\r\nHost: localhost\r\n');
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('a body that stops arriving: the connection is closed (or answered 408)', async () => {
    receiver = await startTestReceiver({ KONNECT_AUDIT_HEADERS_TIMEOUT_MS: '200', KONNECT_AUDIT_REQUEST_TIMEOUT_MS: '400' });
    const head = `POST /audit-logs HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${TOKEN}\r\nContent-Encoding: application/gzip\r\nContent-Length: 100000\r\n\r\n`;
    const answer = await stallAfter(receiver.url, receiver.cert.cert, `${head}\u001f\u008b`);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });
});

describe('gzip bomb', () => {
  it('1 MB that inflates to 1 GiB is refused with 413 while RSS stays bounded', async () => {
    receiver = await startTestReceiver({ KONNECT_AUDIT_MAX_INFLATED_BYTES: String(32 * MIB) });
    const bomb = await gzipBomb();
    expect(bomb.length).toBeLessThan(2 * MIB);
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 5);
    const answer = await postLikeKonnect(receiver.url, receiver.cert.cert, [], {}, bomb);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'KAR_ERR_INTAKE_INFLATED_TOO_LARGE' } });
    // The cap is 32 MiB (measured growth: about 40 MiB); inflating the bomb in full would need 1 GiB.
    expect(peak - before).toBeLessThan(128 * MIB);
  });

  it('a compressed body over the cap is refused with 413 from its Content-Length', async () => {
    receiver = await startTestReceiver({ KONNECT_AUDIT_MAX_BODY_BYTES: String(MIB), KONNECT_AUDIT_MAX_INFLATED_BYTES: String(2 * MIB) });
    // Refused from the header, before a byte of the body is read.
    const answer = await postLikeKonnect(receiver.url, receiver.cert.cert, [], {}, Buffer.alloc(MIB + 1));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'KAR_ERR_INTAKE_BODY_TOO_LARGE' } });
  });
});

describe('keys unavailable at start and none cached', () => {
  it('starts, answers 500 (Konnect retries) and /readyz 503, then loads the keys in the background', async () => {
    const jwksDir = await mkdtemp(join(tmpdir(), 'kar-jwks-'));
    const jwks = join(jwksDir, 'jwks.json');
    receiver = await startTestReceiver({ KONNECT_AUDIT_JWKS: jwks }, { keys: { retryIntervalMs: 50, minRefreshIntervalMs: 0 } });
    const base = receiver.url.replace(/\/audit-logs$/, '');
    const lines = makeSignedKonnectLines({ format: 'json', count: 2, seed: 3, key: loadTestKey('primary').privateKey });

    const refused = await postLikeKonnect(receiver.url, receiver.cert.cert, lines);
    expect(refused.status).toBe(500);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'KAR_ERR_KEYS_UNAVAILABLE' } });
    expect((await getText(`${base}/readyz`, receiver.cert.cert)).status).toBe(503);
    expect((await getText(`${base}/healthz`, receiver.cert.cert)).status).toBe(200);

    await copyFile(fixtureKeyFiles.jwks, jwks);
    while ((await getText(`${base}/readyz`, receiver.cert.cert)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    const accepted = await postLikeKonnect(receiver.url, receiver.cert.cert, lines);
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.body)).toMatchObject({ accepted: 2 });
    await rm(jwksDir, { recursive: true, force: true });
  });
});

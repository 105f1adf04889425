/**
 * The receiver end to end over real TLS on loopback: Konnect's request →
 * decode → parse → verify (fixture JWKS) → durable store → file sink.
 */
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { getText, makeCert, postLikeKonnect, startTestReceiver, waitForLines, type TestReceiver } from './support.js';

const primary = loadTestKey('primary');
const attacker = loadTestKey('attacker');

describe.each([
  ['signatures checked by libsodium on one worker thread per core (the default)', {}],
  ['signatures checked by node:crypto on the libuv pool (KONNECT_AUDIT_VERIFY_THREADS=0)', { KONNECT_AUDIT_VERIFY_THREADS: '0' }],
])('receiver over real TLS (port 0, file sink), %s', (_mode, env) => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startTestReceiver(env);
  });
  afterAll(async () => {
    await receiver.close();
    await rm(receiver.dir, { recursive: true, force: true });
  });

  it('stores a Konnect batch (CEF and JSON, signed) and the file sink holds the normalized events', async () => {
    const cef = makeSignedKonnectLines({ format: 'cef', count: 3, seed: 11, key: primary.privateKey });
    const json = makeSignedKonnectLines({ format: 'json', count: 2, seed: 12, key: primary.privateKey });
    const lines = [...cef, ...json];
    const answer = await postLikeKonnect(receiver.url, receiver.cert.cert, lines);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ accepted: 5, duplicates: 0, quarantined: 0, rejected: 0 });

    const events = (await waitForLines(receiver.sinkFile, 5)).map((line) => JSON.parse(line) as { raw: string; signature: { status: string; kid?: string } });
    expect(events.map((event) => event.raw).sort()).toEqual([...lines].sort());
    for (const event of events) expect(event.signature).toEqual({ status: 'valid', kid: primary.kid });
  });

  it('a replayed batch is answered 200 with duplicates and not forwarded again; bad lines do not fail the batch', async () => {
    const lines = makeSignedKonnectLines({ format: 'cef', count: 2, seed: 21, key: primary.privateKey });
    const first = await postLikeKonnect(receiver.url, receiver.cert.cert, lines);
    expect(JSON.parse(first.body)).toMatchObject({ accepted: 2 });
    const forged = makeSignedKonnectLines({ format: 'json', count: 1, seed: 22, key: attacker.privateKey });
    const again = await postLikeKonnect(receiver.url, receiver.cert.cert, [...lines, ...forged, 'not an audit line at all']);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ accepted: 0, duplicates: 2, quarantined: 1, rejected: 1 });
  });

  it('refuses a wrong Authorization with 401 over the wire', async () => {
    const answer = await postLikeKonnect(receiver.url, receiver.cert.cert, ['x'], { authorization: 'Bearer nope' });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'KAR_ERR_INTAKE_UNAUTHORIZED' } });
  });

  it('serves /healthz, /readyz and /metrics (with the store depth) over TLS', async () => {
    const base = receiver.url.replace(/\/audit-logs$/, '');
    expect((await getText(`${base}/healthz`, receiver.cert.cert)).status).toBe(200);
    expect((await getText(`${base}/readyz`, receiver.cert.cert)).status).toBe(200);
    const metrics = await getText(`${base}/metrics`, receiver.cert.cert);
    expect(metrics.body).toContain('konnect_audit_intake_batches_total');
    expect(metrics.body).toContain('konnect_audit_store_pending_events');
    expect(metrics.body).toContain('konnect_audit_process_resident_memory_bytes');
  });
});

describe('TLS certificate reload (SIGHUP in serve)', () => {
  function servedFingerprint(url: string): Promise<string> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
        resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
        socket.end();
      });
      socket.on('error', reject);
    });
  }

  it('serves a renewed certificate to new connections; a broken one is refused and the current one stays', async () => {
    const receiver = await startTestReceiver();
    try {
      const before = await servedFingerprint(receiver.url);
      expect(before).toBe(new X509Certificate(receiver.cert.cert).fingerprint256);

      const renewedDir = await mkdtemp(join(tmpdir(), 'kar-renewed-'));
      const renewed = await makeCert(renewedDir);
      await copyFile(renewed.certFile, receiver.cert.certFile);
      await copyFile(renewed.keyFile, receiver.cert.keyFile);
      await receiver.reloadTls();
      expect(await servedFingerprint(receiver.url)).toBe(new X509Certificate(renewed.cert).fingerprint256);

      await writeFile(receiver.cert.keyFile, 'not a key');
      await expect(receiver.reloadTls()).rejects.toMatchObject({ code: 'KAR_ERR_CONFIG_TLS' });
      expect(await servedFingerprint(receiver.url)).toBe(new X509Certificate(renewed.cert).fingerprint256);
      await rm(renewedDir, { recursive: true, force: true });
    } finally {
      await receiver.close();
      await rm(receiver.dir, { recursive: true, force: true });
    }
  });
});

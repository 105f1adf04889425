/**
 * The generic http sink against a recording loopback server: NDJSON, real
 * gzip, configured headers, the status table, TLS with a private CA.
 */
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.js';
import { createSink, sinkConfigSchema } from '../../../src/sinks/registry.js';
import type { Sink } from '../../../src/sinks/types.js';
import { startRecordingServer, type RecordingServer } from '../support/http-server.js';
import { makeRecords } from '../support/records.js';
import { createTestPki } from '../support/tls.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(tls?: { key: string; cert: string }): Promise<RecordingServer> {
  const started = await startRecordingServer(tls);
  cleanups.push(() => started.close());
  return started;
}

async function sink(url: string, extra: Record<string, unknown> = {}): Promise<Sink> {
  const created = createSink(sinkConfigSchema.parse({ type: 'http', url, ...extra }), { logger: createSilentLogger() });
  await created.start();
  cleanups.push(() => created.close());
  return created;
}

describe('http sink → recording server', () => {
  it('POSTs the batch as gzip NDJSON with the configured headers', async () => {
    const target = await server();
    const batch = makeRecords(3);
    const out = await (await sink(`${target.url}/ingest?source=konnect`, { headers: { Authorization: 'Bearer s3cr3t', 'X-Tenant': 'sec' } })).write(batch);
    expect(out).toEqual({ kind: 'delivered' });
    const [request] = target.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/ingest?source=konnect' });
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer s3cr3t',
      'x-tenant': 'sec',
      'content-type': 'application/x-ndjson',
      'content-encoding': 'gzip',
    });
    expect(request?.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(request?.body).toBe(batch.map((r) => `${r.json}\n`).join(''));
  });

  it('sends identity NDJSON when gzip is off, with a custom content type', async () => {
    const target = await server();
    const batch = makeRecords(2);
    expect(await (await sink(target.url, { gzip: false, contentType: 'application/json-seq' })).write(batch)).toEqual({ kind: 'delivered' });
    expect(target.requests[0]?.headers['content-encoding']).toBeUndefined();
    expect(target.requests[0]?.headers['content-type']).toBe('application/json-seq');
    expect(target.requests[0]?.raw.toString()).toBe(batch.map((r) => `${r.json}\n`).join(''));
  });

  it.each([
    ['201 Created is delivered', { status: 201 }, { kind: 'delivered' }],
    ['204 No Content is delivered', { status: 204 }, { kind: 'delivered' }],
    ['401: credentials, events wait', { status: 401 }, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['403: credentials, events wait', { status: 403 }, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['429 with Retry-After', { status: 429, headers: { 'retry-after': '12' } }, { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', retryAfterMs: 12_000 }],
    ['503 with Retry-After', { status: 503, headers: { 'retry-after': '3' } }, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER', retryAfterMs: 3000 }],
    ['500', { status: 500 }, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['408', { status: 408 }, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['404: a wrong URL waits for the operator', { status: 404 }, { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE' }],
    ['302: redirects are not followed (credentials stay home)', { status: 302, headers: { location: 'http://elsewhere.example/' } }, { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE' }],
    ['400: these bytes are refused for good', { status: 400, body: 'bad json at line 2' }, { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED', reason: 'HTTP 400: bad json at line 2' }],
    ['413: too large for good', { status: 413 }, { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED' }],
    ['422: unprocessable', { status: 422 }, { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED' }],
  ])('%s', async (_quirk, answer, expected) => {
    const target = await server();
    target.failNext(answer);
    expect(await (await sink(target.url)).write(makeRecords(1))).toMatchObject(expected);
  });

  it('does not echo a configured header value in a reason', async () => {
    const target = await server();
    target.failNext({ status: 403, body: 'token Bearer s3cr3t is not allowed' });
    const out = await (await sink(target.url, { headers: { Authorization: 'Bearer s3cr3t' } })).write(makeRecords(1));
    expect(out).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' });
    expect(JSON.stringify(out)).not.toContain('s3cr3t');
  });

  it('HTTPS with a private CA (caFile) delivers; the default trust store refuses the certificate', async () => {
    const pki = await createTestPki();
    cleanups.push(() => rm(pki.dir, { recursive: true, force: true }));
    const target = await server({ key: pki.serverKey, cert: pki.serverCert });
    expect(await (await sink(target.url, { caFile: pki.caFile })).write(makeRecords(2))).toEqual({ kind: 'delivered' });
    expect(await (await sink(target.url)).write(makeRecords(1))).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE' });
    expect(target.requests).toHaveLength(1);
  });

  it('a server that never answers: retryable after timeoutMs', async () => {
    const silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    cleanups.push(async () => {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as { port: number };
    const out = await (await sink(`http://127.0.0.1:${port}`, { timeoutMs: 100 })).write(makeRecords(1));
    expect(out).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason: expect.stringContaining('no complete answer within 100 ms') });
  });

  it.each([
    ['Content-Length (set by the sink)', { 'Content-Length': '1' }],
    ['Content-Encoding (set by the sink)', { 'content-encoding': 'br' }],
    ['a header name with a space', { 'X Bad': 'x' }],
    ['an empty header value', { 'X-Empty': '' }],
  ])('config refuses %s', (_quirk, headers) => {
    expect(sinkConfigSchema.safeParse({ type: 'http', url: 'https://collector.example/in', headers }).success).toBe(false);
  });
});

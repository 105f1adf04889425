/**
 * The splunk-hec sink against the HEC stand-in (support/splunk-hec-server.ts):
 * every outcome mapping, the partial failure resent from the right event,
 * indexer acknowledgement, size chunks, real gzip, real TLS with a private CA.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, createSilentLogger } from '../../../src/observability/logger.js';
import { createSink, sinkConfigSchema } from '../../../src/sinks/registry.js';
import type { Sink, SinkRecord } from '../../../src/sinks/types.js';
import { makeEvent, makeRecords, toRecord } from '../support/records.js';
import { startHecServer, type HecServer, type HecServerOptions } from '../support/splunk-hec-server.js';
import { createTestPki } from '../support/tls.js';

const TOKEN = '6f1c3e9a-0d2b-4c1e-9a7f-3b5d8e2f1a4c';
const ACK_TOKEN = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hec(options: Partial<HecServerOptions> = {}): Promise<HecServer> {
  const server = await startHecServer({ tokens: { [TOKEN]: {}, [ACK_TOKEN]: { ack: true } }, isPoison: poison, ...options });
  cleanups.push(() => server.close());
  return server;
}

async function sink(url: string, extra: Record<string, unknown> = {}, logger = createSilentLogger()): Promise<Sink> {
  const config = sinkConfigSchema.parse({ type: 'splunk-hec', url, token: TOKEN, host: 'receiver-1', index: 'konnect', ...extra });
  const created = createSink(config, { logger });
  await created.start();
  cleanups.push(() => created.close());
  return created;
}

/** The stand-in indexer refuses events whose id starts with "poison" as invalid data (code 6). */
function poison(event: Record<string, unknown>): boolean {
  return String((event.event as { id?: unknown } | undefined)?.id ?? '').startsWith('poison');
}

function batchWithPoisonAt(size: number, ...bad: number[]): SinkRecord[] {
  return Array.from({ length: size }, (_, i) => toRecord(makeEvent(i, bad.includes(i) ? { id: `poison-${i}` } : {})));
}

const idsOf = (server: HecServer) => server.indexed.map((e) => (e.event as { id: string }).id);
const idsIn = (batch: SinkRecord[], indexes: number[]) => indexes.map((i) => batch[i]?.id);

describe('splunk-hec sink → HEC stand-in', () => {
  it('delivers: Authorization "Splunk <token>", gzip, concatenated event objects with the documented envelope', async () => {
    const server = await hec();
    const batch = makeRecords(3);
    const out = await (await sink(server.url)).write(batch);
    expect(out).toEqual({ kind: 'delivered' });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.path).toBe('/services/collector/event');
    expect(request?.headers.authorization).toBe(`Splunk ${TOKEN}`);
    expect(request?.headers['content-encoding']).toBe('gzip');
    expect(request?.compressedBytes).toBeLessThan(Buffer.byteLength(request?.body ?? ''));
    expect(request?.body.startsWith('{"time":1750688927.556,')).toBe(true);
    expect(request?.body).toContain('}{"time":');
    expect(server.indexed.map((e) => Object.keys(e))).toEqual(Array(3).fill(['time', 'host', 'source', 'sourcetype', 'index', 'event', 'fields']));
    expect(server.indexed[0]).toMatchObject({ host: 'receiver-1', source: 'konnect-audit-receiver', sourcetype: 'konnect:audit', index: 'konnect' });
    expect(server.indexed.map((e) => e.event)).toEqual(batch.map((r) => r.event));
  });

  it('sends plain JSON when gzip is off', async () => {
    const server = await hec();
    expect(await (await sink(server.url, { gzip: false })).write(makeRecords(2))).toEqual({ kind: 'delivered' });
    expect(server.requests[0]?.headers['content-encoding']).toBeUndefined();
    expect(server.indexed).toHaveLength(2);
  });

  it.each([
    ['403 code 4 Invalid token', { token: 'wrong-token' }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['403 code 1 Token disabled', {}, { tokens: { [TOKEN]: { disabled: true } } }, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['400 code 7 Incorrect index: the token may not write there', { index: 'secret-index' }, { tokens: { [TOKEN]: { indexes: ['konnect'] } } }, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['400 code 10 Data channel is missing: the token has acknowledgement on', { token: ACK_TOKEN }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
  ])('%s → events wait (retryable) and nothing is indexed', async (_quirk, sinkExtra, serverExtra, expected) => {
    const server = await hec(serverExtra);
    const out = await (await sink(server.url, sinkExtra)).write(makeRecords(2));
    expect(out).toMatchObject(expected);
    expect(server.indexed).toEqual([]);
  });

  it.each([
    ['503 code 9 Server is busy + Retry-After seconds', { status: 503, body: { text: 'Server is busy', code: 9 }, headers: { 'retry-after': '7' } }, { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', retryAfterMs: 7000 }],
    ['429 + Retry-After HTTP-date', { status: 429, body: 'slow down', headers: { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() } }, { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED' }],
    ['500 code 8 Internal server error', { status: 500, body: { text: 'Internal server error', code: 8 } }, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['408 Request Timeout', { status: 408, body: '' }, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['400 code 5 No data: rejected for good', { status: 400, body: { text: 'No data', code: 5 } }, { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED' }],
  ])('%s', async (_quirk, answer, expected) => {
    const server = await hec();
    server.failNext(answer);
    const out = await (await sink(server.url)).write(makeRecords(2));
    expect(out).toMatchObject(expected);
    if (answer.status === 429) expect((out as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(3_500_000);
  });

  it('partial failure: events before invalid-event-number are delivered, that one rejected, the rest resent from the next event', async () => {
    const server = await hec();
    const batch = batchWithPoisonAt(5, 2);
    const out = await (await sink(server.url)).write(batch);
    expect(out).toEqual({ kind: 'delivered', rejected: [{ index: 2, reason: expect.stringContaining('invalid-event-number 2') }] });
    expect(idsOf(server)).toEqual(idsIn(batch, [0, 1, 3, 4]));
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.body.split('}{"time"')).toHaveLength(2);
  });

  it('partial failure twice in one batch: each bad event rejected, every good one indexed once, in order', async () => {
    const server = await hec();
    const batch = batchWithPoisonAt(6, 1, 4);
    const out = await (await sink(server.url)).write(batch);
    expect(out).toMatchObject({ kind: 'delivered', rejected: [{ index: 1 }, { index: 4 }] });
    expect(idsOf(server)).toEqual(idsIn(batch, [0, 2, 3, 5]));
    expect(server.requests).toHaveLength(3);
  });

  it('partial failure on the last event: nothing left to resend', async () => {
    const server = await hec();
    const batch = batchWithPoisonAt(3, 2);
    expect(await (await sink(server.url)).write(batch)).toMatchObject({ kind: 'delivered', rejected: [{ index: 2 }] });
    expect(server.requests).toHaveLength(1);
    expect(idsOf(server)).toEqual(idsIn(batch, [0, 1]));
  });

  it('a batch of only bad events is rejected as a whole', async () => {
    const server = await hec();
    expect(await (await sink(server.url)).write(batchWithPoisonAt(2, 0, 1))).toMatchObject({ kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED' });
    expect(server.indexed).toEqual([]);
  });

  it('partial failure, then the resend is refused for now: retryable, with the settled records', async () => {
    const server = await hec();
    const batch = batchWithPoisonAt(5, 2);
    // The first request is processed (partial); the resend meets a busy server.
    server.failRequest(2, { status: 503, body: { text: 'Server is busy', code: 9 }, headers: { 'retry-after': '1' } });
    const out = await (await sink(server.url)).write(batch);
    expect(out).toMatchObject({
      kind: 'retryable',
      code: 'KAR_ERR_SINK_THROTTLED',
      retryAfterMs: 1000,
      settled: { delivered: [0, 1], rejected: [{ index: 2 }] },
    });
    expect(idsOf(server)).toEqual(idsIn(batch, [0, 1]));
  });

  it('splits a batch into requests of at most maxBatchBytes (uncompressed), all indexed in order', async () => {
    const server = await hec();
    const batch = makeRecords(12);
    const one = Buffer.byteLength(JSON.stringify({ time: 1, event: batch[0]?.event })) + 200;
    const out = await (await sink(server.url, { maxBatchBytes: one * 4 })).write(batch);
    expect(out).toEqual({ kind: 'delivered' });
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of server.requests) expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(one * 4);
    expect(idsOf(server)).toEqual(batch.map((r) => r.id));
  });

  it('a later request failing keeps the earlier requests settled', async () => {
    const server = await hec();
    const batch = makeRecords(8);
    const one = Buffer.byteLength(JSON.stringify({ time: 1, event: batch[0]?.event })) + 200;
    server.failRequest(2, { status: 503, body: { text: 'Server is busy', code: 9 } });
    const out = await (await sink(server.url, { maxBatchBytes: one * 4 })).write(batch);
    expect(out).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', settled: { delivered: [0, 1, 2, 3], rejected: [] } });
    expect(idsOf(server)).toEqual(idsIn(batch, [0, 1, 2, 3]));
  });

  it('indexer acknowledgement: channel header on every request, polls /services/collector/ack until true, then delivered', async () => {
    const server = await hec({ pollsBeforeAck: 2 });
    const out = await (await sink(server.url, { token: ACK_TOKEN, ack: { enabled: true, pollIntervalMs: 5 } })).write(makeRecords(3));
    expect(out).toEqual({ kind: 'delivered' });
    const channel = server.requests[0]?.headers['x-splunk-request-channel'];
    expect(channel).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.ackPolls).toEqual([
      { channel, acks: [0] },
      { channel, acks: [0] },
      { channel, acks: [0] },
    ]);
    expect(server.requests.filter((r) => r.path === '/services/collector/ack').every((r) => r.headers.authorization === `Splunk ${ACK_TOKEN}`)).toBe(true);
  });

  it('indexer acknowledgement never confirmed: retryable KAR_ERR_SINK_ACK_TIMEOUT, nothing counted delivered', async () => {
    const server = await hec({ pollsBeforeAck: Number.POSITIVE_INFINITY });
    const out = await (await sink(server.url, { token: ACK_TOKEN, ack: { enabled: true, pollIntervalMs: 5, timeoutMs: 200 } })).write(makeRecords(2));
    expect(out).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_ACK_TIMEOUT', settled: { delivered: [], rejected: [] } });
    expect(server.ackPolls.length).toBeGreaterThan(0);
  });

  it('indexer acknowledgement with several requests: one poll asks for every ackId', async () => {
    const server = await hec();
    const batch = makeRecords(6);
    const one = Buffer.byteLength(JSON.stringify({ time: 1, event: batch[0]?.event })) + 200;
    const out = await (await sink(server.url, { token: ACK_TOKEN, maxBatchBytes: one * 2, ack: { enabled: true, pollIntervalMs: 5 } })).write(batch);
    expect(out).toEqual({ kind: 'delivered' });
    expect(server.ackPolls[0]?.acks).toEqual([0, 1, 2]);
  });

  it('indexer acknowledgement + partial failure: the events before the bad one are resent too (their indexing cannot be confirmed)', async () => {
    const server = await hec();
    const batch = batchWithPoisonAt(4, 1);
    const out = await (await sink(server.url, { token: ACK_TOKEN, ack: { enabled: true, pollIntervalMs: 5 } })).write(batch);
    expect(out).toMatchObject({ kind: 'delivered', rejected: [{ index: 1 }] });
    expect(idsOf(server)).toEqual(idsIn(batch, [0, 0, 2, 3]));
  });

  it('ack.enabled with a token that has acknowledgement off: no ackId comes back, events count as delivered', async () => {
    const server = await hec();
    const out = await (await sink(server.url, { ack: { enabled: true, pollIntervalMs: 5 } })).write(makeRecords(2));
    expect(out).toEqual({ kind: 'delivered' });
    expect(server.ackPolls).toEqual([]);
  });

  it('accepts a URL that already names the event endpoint', async () => {
    const server = await hec();
    expect(await (await sink(`${server.url}/services/collector/event`)).write(makeRecords(1))).toEqual({ kind: 'delivered' });
    expect(server.requests[0]?.path).toBe('/services/collector/event');
  });

  it('nothing listening: retryable KAR_ERR_SINK_UNREACHABLE', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    expect(await (await sink(`http://127.0.0.1:${port}`)).write(makeRecords(1))).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE' });
  });

  it('HTTPS with a private CA (caFile) delivers; without it the certificate is refused (retryable)', async () => {
    const pki = await createTestPki();
    cleanups.push(() => rm(pki.dir, { recursive: true, force: true }));
    const server = await hec({ tls: { key: pki.serverKey, cert: pki.serverCert } });
    expect(await (await sink(server.url, { caFile: pki.caFile })).write(makeRecords(2))).toEqual({ kind: 'delivered' });
    expect(await (await sink(server.url)).write(makeRecords(1))).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE' });
    expect(server.indexed).toHaveLength(2);
  });

  it('never logs the token: not in the config, not in a refused write', async () => {
    const server = await hec({ tokens: { [TOKEN]: { disabled: true } } });
    let logged = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ level: 'debug', destination });
    const config = sinkConfigSchema.parse({ type: 'splunk-hec', url: server.url, token: TOKEN });
    logger.info({ config }, 'config');
    const out = await (await sink(server.url, {}, logger)).write(makeRecords(1));
    expect(out.kind).toBe('retryable');
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged).toContain('splunk-hec write not delivered');
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain(TOKEN);
  });
});

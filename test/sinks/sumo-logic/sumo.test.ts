/**
 * The sumo-logic sink against the HTTP-source stand-in
 * (support/sumo-server.ts): headers, real gzip, the 1 MB limit, 429/5xx,
 * and the source URL never appearing in an outcome or a log line.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, createSilentLogger } from '../../../src/observability/logger.js';
import { createSink, sinkConfigSchema } from '../../../src/sinks/registry.js';
import { sumoHeaders } from '../../../src/sinks/sumo-logic/encode.js';
import type { Sink } from '../../../src/sinks/types.js';
import { makeEvent, makeRecords, toRecord } from '../support/records.js';
import { SUMO_LIMIT_BYTES, startSumoServer, type SumoServer } from '../support/sumo-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sumo(): Promise<SumoServer> {
  const server = await startSumoServer();
  cleanups.push(() => server.close());
  return server;
}

async function sink(url: string, extra: Record<string, unknown> = {}, logger = createSilentLogger()): Promise<Sink> {
  const created = createSink(sinkConfigSchema.parse({ type: 'sumo-logic', url, sourceHost: 'receiver-1', ...extra }), { logger });
  await created.start();
  cleanups.push(() => created.close());
  return created;
}

describe('sumo-logic encode', () => {
  it('sets X-Sumo-Category/-Name/-Host/-Fields (k=v,k=v) and the client name', () => {
    expect(sumoHeaders({ category: 'security/konnect', sourceName: 'konnect-audit', sourceHost: 'receiver-1', fields: { env: 'prod', team: 'sec' } })).toEqual({
      'content-type': 'text/plain; charset=utf-8',
      'x-sumo-client': 'konnect-audit-receiver',
      'x-sumo-host': 'receiver-1',
      'x-sumo-category': 'security/konnect',
      'x-sumo-name': 'konnect-audit',
      'x-sumo-fields': 'env=prod,team=sec',
    });
  });

  it('leaves out the optional headers that are not configured', () => {
    expect(Object.keys(sumoHeaders({ sourceHost: 'h', fields: {} }))).toEqual(['content-type', 'x-sumo-client', 'x-sumo-host']);
  });

  it.each([
    ['a field value with a comma', { fields: { env: 'a,b' } }],
    ['a field key with "="', { fields: { 'a=b': 'x' } }],
    ['a batch limit above Sumo\'s 1 MB', { maxBatchBytes: 2_000_000 }],
    ['a URL that is not http(s)', { url: 'ftp://collectors.example/receiver' }],
  ])('config refuses %s', (_quirk, extra) => {
    expect(sinkConfigSchema.safeParse({ type: 'sumo-logic', url: 'https://collectors.sumologic.com/receiver/v1/http/abc', ...extra }).success).toBe(false);
  });
});

describe('sumo-logic sink → HTTP source stand-in', () => {
  it('POSTs gzip NDJSON (Content-Encoding: gzip) with the metadata headers; one message per event', async () => {
    const server = await sumo();
    const batch = makeRecords(3);
    const out = await (await sink(server.url, { category: 'security/konnect', sourceName: 'konnect', fields: { env: 'prod' } })).write(batch);
    expect(out).toEqual({ kind: 'delivered' });
    expect(server.uploads).toHaveLength(1);
    const [upload] = server.uploads;
    expect(upload?.headers).toMatchObject({
      'content-encoding': 'gzip',
      'x-sumo-category': 'security/konnect',
      'x-sumo-name': 'konnect',
      'x-sumo-host': 'receiver-1',
      'x-sumo-fields': 'env=prod',
    });
    expect(upload?.compressedBytes).toBeLessThan(upload?.uncompressedBytes ?? 0);
    expect(server.messages).toEqual(batch.map((r) => r.json));
  });

  it('plain body when gzip is off', async () => {
    const server = await sumo();
    expect(await (await sink(server.url, { gzip: false })).write(makeRecords(2))).toEqual({ kind: 'delivered' });
    expect(server.uploads[0]?.headers['content-encoding']).toBeUndefined();
    expect(server.messages).toHaveLength(2);
  });

  it('keeps every request at or under 1 MB uncompressed, splitting at event boundaries, in order', async () => {
    const server = await sumo();
    const big = 'x'.repeat(150_000);
    const batch = Array.from({ length: 14 }, (_, i) => toRecord(makeEvent(i, { raw: `${big}-${i}` })));
    expect(batch.reduce((n, r) => n + r.json.length, 0)).toBeGreaterThan(2 * SUMO_LIMIT_BYTES);
    expect(await (await sink(server.url)).write(batch)).toEqual({ kind: 'delivered' });
    expect(server.uploads.length).toBeGreaterThanOrEqual(3);
    for (const upload of server.uploads) expect(upload.uncompressedBytes).toBeLessThanOrEqual(SUMO_LIMIT_BYTES);
    expect(server.messages).toEqual(batch.map((r) => r.json));
  });

  it.each([
    ['429 throttling + Retry-After: send again later', { status: 429, headers: { 'retry-after': '30' } }, { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', retryAfterMs: 30_000 }],
    ['429 without Retry-After', { status: 429 }, { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED' }],
    ['503 server issue', { status: 503 }, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['504 server issue', { status: 504 }, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['408 accepted but timed out processing', { status: 408 }, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['400 refuses these bytes for good', { status: 400, body: 'bad request' }, { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED' }],
  ])('%s', async (_quirk, answer, expected) => {
    const server = await sumo();
    server.failNext(answer);
    expect(await (await sink(server.url)).write(makeRecords(2))).toEqual(expected.kind === 'rejected' ? { ...expected, reason: 'HTTP 400: bad request' } : expect.objectContaining(expected));
    expect(server.messages).toEqual([]);
  });

  it('a source URL Sumo does not know (regenerated, deleted): 401 → events wait (retryable auth)', async () => {
    const server = await sumo();
    const out = await (await sink(server.url.replace(server.code, 'revoked-code-0000000000'))).write(makeRecords(1));
    expect(out).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' });
  });

  it('a throttled second request keeps the first one settled', async () => {
    const server = await sumo();
    const big = 'x'.repeat(300_000);
    const batch = Array.from({ length: 6 }, (_, i) => toRecord(makeEvent(i, { raw: `${big}-${i}` })));
    // The first request gets through; the stand-in throttles the one after.
    server.failRequest(2, { status: 429, headers: { 'retry-after': '5' } });
    const out = await (await sink(server.url)).write(batch);
    expect(out).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', retryAfterMs: 5000 });
    const delivered = (out as { settled?: { delivered: number[] } }).settled?.delivered ?? [];
    expect(delivered.length).toBeGreaterThan(0);
    expect(server.messages).toEqual(delivered.map((i) => batch[i]?.json));
  });

  it('never puts the source URL (its token) in an outcome, a log line or a printed config', async () => {
    const server = await sumo();
    let logged = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ level: 'debug', destination });
    const config = sinkConfigSchema.parse({ type: 'sumo-logic', url: server.url });
    logger.info({ config }, 'config');
    server.failNext({ status: 503, body: `upstream failed for /receiver/v1/http/${server.code}` });
    const out = await (await sink(server.url, {}, logger)).write(makeRecords(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.kind).toBe('retryable');
    expect(`${JSON.stringify(out)} ${String(config.type === 'sumo-logic' ? config.url : '')} ${logged}`).not.toContain(server.code);
    expect(logged).toContain('sumo-logic write not delivered');
    expect(JSON.stringify(out)).toContain('[redacted]');
  });
});

/**
 * The payload option through real sinks (issue 14): a file, the HTTP, Sumo
 * Logic and Splunk HEC stand-ins on loopback, real gzip. Records are what the
 * store hands the dispatcher: the v1 JSON, the event parsed lazily from it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadReceiverConfig, parseServeFlags } from '../../src/config/index.js';
import type { NormalizedEvent } from '../../src/normalize/event.js';
import { createSilentLogger } from '../../src/observability/logger.js';
import { toEcs, toOcsf } from '../../src/payload/index.js';
import { createRecordFormatter } from '../../src/sinks/payload.js';
import { createSink, sinkConfigSchema } from '../../src/sinks/registry.js';
import type { Sink, SinkRecord } from '../../src/sinks/types.js';
import { fixtureEvents, fixtureLogs, madeLines, repoRoot } from '../payload/support/events.js';
import { startRecordingServer } from './support/http-server.js';
import { startHecServer } from './support/splunk-hec-server.js';
import { startSumoServer } from './support/sumo-server.js';

const events = (await fixtureEvents()).map((e) => e.event);
const tmp = mkdtempSync(join(tmpdir(), 'kar-payload-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** As the store hands it over: the JSON, and the event parsed from it only when read. */
function storedRecord(event: NormalizedEvent): SinkRecord {
  const json = JSON.stringify(event);
  let parsed: NormalizedEvent | undefined;
  return {
    id: event.id,
    json,
    get event() {
      parsed ??= JSON.parse(json) as NormalizedEvent;
      return parsed;
    },
  };
}
const records = events.map(storedRecord);

async function started(config: Record<string, unknown>): Promise<Sink> {
  const sink = createSink(sinkConfigSchema.parse(config), { logger: createSilentLogger() });
  await sink.start();
  cleanups.push(() => sink.close());
  return sink;
}

/** Every non-blank line of the fixture files that became an event, as received (the line ending is not part of it). */
function receivedLines(): string[] {
  const raws = new Set(events.map((e) => e.raw));
  return fixtureLogs
    .flatMap((file) => readFileSync(`${repoRoot}fixtures/${file}`, 'utf8').split('\n'))
    .map((line) => line.replace(/\r$/, ''))
    .concat(madeLines())
    .filter((line) => raws.has(line));
}

describe('KONNECT_AUDIT_SINK_PAYLOAD in the receiver configuration', () => {
  const base = { KONNECT_AUDIT_AUTHORIZATION: 'Bearer 0123456789abcdef0123456789abcdef0123456789', KONNECT_AUDIT_TLS_CERT: '/tls/cert.pem', KONNECT_AUDIT_TLS_KEY: '/tls/key.pem' };
  const load = (env: Record<string, string>) => loadReceiverConfig({ flags: parseServeFlags([]), env: { ...base, ...env }, cwd: tmp });

  it.each([
    ['the default stdout sink takes it', { KONNECT_AUDIT_SINK_PAYLOAD: 'ecs' }, { type: 'stdout', payload: 'ecs' }],
    ['the KONNECT_AUDIT_SINK sink takes it', { KONNECT_AUDIT_SINK: 'file:/x.ndjson', KONNECT_AUDIT_SINK_PAYLOAD: 'raw' }, { type: 'file', payload: 'raw' }],
    ['unset: v1', {}, { type: 'stdout', payload: 'v1' }],
  ])('%s', async (_name, env, expected) => {
    const { config } = await load(env);
    expect(config.sinks).toEqual([expect.objectContaining(expected)]);
  });

  it('an unknown payload is refused with the variable named', async () => {
    await expect(load({ KONNECT_AUDIT_SINK_PAYLOAD: 'leef' })).rejects.toThrow(/KONNECT_AUDIT_SINK_PAYLOAD must be one of v1, ocsf, ecs, raw \(got "leef"\)/);
  });
});

describe('payload per sink', () => {
  it('raw through the file sink: the received lines byte for byte, in order', async () => {
    const path = join(tmp, 'raw.log');
    const sink = await started({ type: 'file', path, payload: 'raw', fsync: false });
    expect(await sink.write(records)).toEqual({ kind: 'delivered' });
    const written = readFileSync(path);
    const expected = Buffer.from(events.map((e) => `${e.raw}\n`).join(''), 'utf8');
    expect(written.equals(expected)).toBe(true);
    // The same bytes as the fixture files' lines (CRLF endings aside: the line is what was signed).
    expect(new Set(written.toString('utf8').split('\n').slice(0, -1))).toEqual(new Set(receivedLines()));
  });

  it.each([
    ['v1: the stored JSON as it is', 'v1', (e: NormalizedEvent) => JSON.stringify(e)],
    ['ocsf', 'ocsf', (e: NormalizedEvent) => JSON.stringify(toOcsf(e))],
    ['ecs with event.original', 'ecs', (e: NormalizedEvent) => JSON.stringify(toEcs(e, { rawData: true }))],
  ] as const)('%s through the http sink (gzip NDJSON)', async (_name, payload, expected) => {
    const server = await startRecordingServer();
    cleanups.push(() => server.close());
    const sink = await started({ type: 'http', url: server.url, payload, rawData: payload === 'ecs' });
    expect(await sink.write(records)).toEqual({ kind: 'delivered' });
    expect(server.requests[0]?.body).toBe(events.map((e) => `${expected(e)}\n`).join(''));
  });

  it('raw through the http sink: the lines byte for byte', async () => {
    const server = await startRecordingServer();
    cleanups.push(() => server.close());
    const sink = await started({ type: 'http', url: server.url, payload: 'raw', gzip: false });
    await sink.write(records);
    expect(server.requests[0]?.raw.equals(Buffer.from(events.map((e) => `${e.raw}\n`).join(''), 'utf8'))).toBe(true);
  });

  it('v1 never parses the stored JSON (the cheap path stays cheap)', () => {
    let reads = 0;
    const record: SinkRecord = {
      id: 'x',
      json: '{"schema":"konnect-audit/v1"}',
      get event(): NormalizedEvent {
        reads++;
        throw new Error('parsed');
      },
    };
    expect(createRecordFormatter({ payload: 'v1', rawData: false })(record)).toBe(record.json);
    expect(reads).toBe(0);
  });

  it('sumo-logic raw: the verdict in X-Sumo-Fields, one verdict per request, the lines as sent', async () => {
    const server = await startSumoServer();
    cleanups.push(() => server.close());
    const sink = await started({ type: 'sumo-logic', url: server.url, payload: 'raw', fields: { env: 'prod' } });
    expect(await sink.write(records)).toEqual({ kind: 'delivered' });
    expect(server.messages).toEqual(events.map((e) => e.raw));
    for (const upload of server.uploads) {
      const fields = String(upload.headers['x-sumo-fields']);
      expect(fields).toMatch(/^env=prod,signature_status=(valid|invalid|missing|malformed)(,signature_kid=[^,=]+)?$/);
      const status = /signature_status=(\w+)/.exec(fields)?.[1];
      const lines = upload.messages.map((m) => events.find((e) => e.raw === m));
      expect(new Set(lines.map((e) => e?.signature.status))).toEqual(new Set([status]));
    }
    expect(new Set(server.uploads.map((u) => /signature_status=(\w+)/.exec(String(u.headers['x-sumo-fields']))?.[1]))).toEqual(new Set(['valid', 'invalid', 'missing', 'malformed']));
  });

  it('sumo-logic sizes requests on the bytes sent, not on the stored JSON', async () => {
    const server = await startSumoServer();
    cleanups.push(() => server.close());
    const ecsBytes = events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(toEcs(e))) + 1, 0);
    const v1Bytes = records.reduce((n, r) => n + Buffer.byteLength(r.json) + 1, 0);
    // A limit the ECS lines fit in twice over and the v1 JSON does not.
    const maxBatchBytes = Math.ceil(ecsBytes / 2) + 2000;
    expect(v1Bytes).toBeGreaterThan(2 * maxBatchBytes);
    const sink = await started({ type: 'sumo-logic', url: server.url, payload: 'ecs', maxBatchBytes });
    expect(await sink.write(records)).toEqual({ kind: 'delivered' });
    expect(server.uploads.length).toBe(2);
    for (const upload of server.uploads) expect(upload.uncompressedBytes).toBeLessThanOrEqual(maxBatchBytes);
    expect(server.messages.map((m) => JSON.parse(m) as unknown)).toEqual(events.map((e) => toEcs(e)));
  });

  it('splunk-hec raw: event is the line as a string, the verdict and kid in the indexed fields, sourcetype konnect:audit:raw', async () => {
    const server = await startHecServer({ tokens: { tok: {} } });
    cleanups.push(() => server.close());
    const sink = await started({ type: 'splunk-hec', url: server.url, token: 'tok', payload: 'raw', indexedFields: false, gzip: true });
    expect(await sink.write(records)).toEqual({ kind: 'delivered' });
    expect(server.indexed.map((e) => e.event)).toEqual(events.map((e) => e.raw));
    expect(server.indexed[0]).toMatchObject({ sourcetype: 'konnect:audit:raw', fields: { signature_status: 'valid', signature_kid: 'konnect-audit-test-2025', category: 'authentication' } });
    const forged = server.indexed.find((e) => (e.fields as Record<string, string>).signature_status === 'invalid');
    expect(forged?.fields).not.toHaveProperty('signature_kid');
  });

  it.each([
    ['ocsf', 'konnect:audit:ocsf', (e: NormalizedEvent) => toOcsf(e)],
    ['ecs', 'konnect:audit:ecs', (e: NormalizedEvent) => toEcs(e)],
    ['v1', 'konnect:audit', (e: NormalizedEvent) => e],
  ] as const)('splunk-hec %s: the document as the event object, sourcetype %s by default', async (payload, sourcetype, expected) => {
    const server = await startHecServer({ tokens: { tok: {} } });
    cleanups.push(() => server.close());
    const sink = await started({ type: 'splunk-hec', url: server.url, token: 'tok', payload });
    expect(await sink.write(records)).toEqual({ kind: 'delivered' });
    expect(server.indexed.map((e) => e.event)).toEqual(events.map((e) => JSON.parse(JSON.stringify(expected(e))) as unknown));
    expect(new Set(server.indexed.map((e) => e.sourcetype))).toEqual(new Set([sourcetype]));
  });

  it('splunk-hec: a configured sourcetype wins over the payload default', async () => {
    const server = await startHecServer({ tokens: { tok: {} } });
    cleanups.push(() => server.close());
    const sink = await started({ type: 'splunk-hec', url: server.url, token: 'tok', payload: 'ocsf', sourcetype: 'ocsf:konnect' });
    await sink.write(records.slice(0, 1));
    expect(server.indexed[0]?.sourcetype).toBe('ocsf:konnect');
  });

  it.each([
    ['stdout', { type: 'stdout', payload: 'ocsf' }],
    ['blackhole', { type: 'blackhole', payload: 'ecs' }],
    ['file', { type: 'file', path: '/x', payload: 'raw' }],
  ])('%s with a payload other than v1 reads the event (parsed before the write, so a corrupt one is dead-lettered)', (_name, config) => {
    expect(createSink(sinkConfigSchema.parse(config), { logger: createSilentLogger() }).usesEvent).toBe(true);
    expect(createSink(sinkConfigSchema.parse({ ...config, payload: 'v1' }), { logger: createSilentLogger() }).usesEvent).toBe(false);
  });

  it('the blackhole counts the bytes of the payload it would have sent', async () => {
    const v1 = (await started({ type: 'blackhole', name: 'b1' })) as Sink & { stats(): { bytes: number } };
    const raw = (await started({ type: 'blackhole', name: 'b2', payload: 'raw' })) as Sink & { stats(): { bytes: number } };
    await v1.write(records);
    await raw.write(records);
    expect(raw.stats().bytes).toBe(events.reduce((n, e) => n + Buffer.byteLength(e.raw) + 1, 0));
    expect(v1.stats().bytes).toBe(records.reduce((n, r) => n + Buffer.byteLength(r.json) + 1, 0));
  });
});

import { PassThrough } from 'node:stream';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KarError } from '../../src/errors/index.js';
import { createAuthorizationCheck } from '../../src/intake/authorize.js';
import { createLogger } from '../../src/observability/logger.js';
import { Secret } from '../../src/sinks/secret.js';
import { acceptAll, defaultLimits, gzipLines, konnectRequest, makeApp, TOKEN } from './helpers.js';

const LINES = ['CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1 sig=x', '{"rt":2,"sig":"y"}'];

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  return body.error;
}

/** A body stream that sends one chunk and then never ends (a stalled client). */
function stalledBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new Uint8Array([0x1f, 0x8b]));
    },
  });
}

describe('POST /audit-logs: the status table (SPEC 5.2)', () => {
  it('200 + summary — batch durably stored', async () => {
    const { app } = makeApp();
    const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, quarantined: 0, rejected: 0 });
  });

  it.each([
    ['missing header', undefined],
    ['wrong value', 'Bearer wrong'],
    ['right token, wrong scheme', TOKEN.replace('Bearer', 'Splunk')],
    ['the value with a suffix', `${TOKEN}x`],
    ['a prefix of the value', TOKEN.slice(0, -1)],
  ])('401 — missing/wrong Authorization: %s', async (_quirk, header) => {
    const { app } = makeApp();
    const init = konnectRequest(gzipLines(LINES));
    const headers = new Headers(init.headers);
    if (header === undefined) headers.delete('authorization');
    else headers.set('authorization', header);
    const res = await app.request('/audit-logs', { ...init, headers });
    expect(res.status).toBe(401);
    const error = await errorOf(res);
    expect(error.code).toBe('KAR_ERR_INTAKE_UNAUTHORIZED');
    expect(JSON.stringify(error)).not.toContain('test-token');
  });

  it.each(['Bearer old-value-0123456789abcdef0123456789', 'Splunk new-value-0123456789abcdef012345678'])('200 — rotation: each configured value is accepted (%s)', async (value) => {
    const authorize = createAuthorizationCheck({ accepted: [new Secret('Bearer old-value-0123456789abcdef0123456789'), new Secret('Splunk new-value-0123456789abcdef012345678')] });
    const { app } = makeApp({ authorize });
    const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES), { authorization: value }));
    expect(res.status).toBe(200);
  });

  it.each([
    ['gzip magic then garbage', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not really gzip at all')])],
    ['truncated gzip', gzipLines(LINES).subarray(0, 20)],
    ['labelled gzip, not gzip', Buffer.from('plain text line\n')],
  ])('400 — undecodable body: %s', async (_quirk, body) => {
    const { app } = makeApp();
    const res = await app.request('/audit-logs', konnectRequest(body));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('KAR_ERR_INTAKE_BODY_UNDECODABLE');
  });

  it('413 — too large (compressed), declared by Content-Length', async () => {
    const { app } = makeApp({ limits: { ...defaultLimits, maxBodyBytes: 100 } });
    const res = await app.request('/audit-logs', konnectRequest(Buffer.alloc(200), { 'content-length': '200' }));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('KAR_ERR_INTAKE_BODY_TOO_LARGE');
  });

  it('413 — too large (compressed), counted while reading a body without Content-Length', async () => {
    const { app } = makeApp({ limits: { ...defaultLimits, maxBodyBytes: 100 } });
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(64));
      },
    });
    const res = await app.request('/audit-logs', { ...konnectRequest(new Uint8Array()), body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('KAR_ERR_INTAKE_BODY_TOO_LARGE');
  });

  it('413 — too large (inflated): stopped while inflating', async () => {
    const { app } = makeApp({ limits: { ...defaultLimits, maxInflatedBytes: 64 * 1024 } });
    const res = await app.request('/audit-logs', konnectRequest(gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x41))));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('KAR_ERR_INTAKE_INFLATED_TOO_LARGE');
  });

  it.each(['br', 'zstd', 'compress', 'gzip, br', 'gzip, gzip'])('415 — unsupported Content-Encoding: %s', async (label) => {
    const { app } = makeApp();
    const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES), { 'content-encoding': label }));
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe('KAR_ERR_INTAKE_UNSUPPORTED_ENCODING');
  });

  it('a batch beyond the processing slots waits its turn instead of a 429, and is stored once a slot is free', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const { app, inFlight } = makeApp({
      limits: { ...defaultLimits, maxBatchesInFlight: 1 },
      processBatch: async (body) => {
        if (calls++ === 0) await gate;
        return acceptAll(body);
      },
    });
    const first = app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    while (inFlight() === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1); // the second waits for the slot
    release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });

  it('429 + Retry-After — no room in the memory budget within the admission wait', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const body = gzipLines(LINES);
    const { app, inFlight } = makeApp({
      // Room for one body and its inflated lines, not two.
      limits: { ...defaultLimits, memoryBudgetBytes: body.length + 2 * Buffer.byteLength(LINES.join('\n')), admissionWaitMs: 50 },
      processBatch: async (decoded) => {
        await gate;
        return acceptAll(decoded);
      },
    });
    // The declared length is what is reserved before the body is read (unknown: the whole body cap).
    const sized = { 'content-length': String(body.length) };
    const first = app.request('/audit-logs', konnectRequest(body, sized));
    while (inFlight() === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = await app.request('/audit-logs', konnectRequest(body, sized));
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(second)).code).toBe('KAR_ERR_INTAKE_OVERLOADED');
    release();
    expect((await first).status).toBe(200);
  });

  it('429 + Retry-After — storage full', async () => {
    const { app } = makeApp({
      processBatch: async () => {
        throw new KarError('KAR_ERR_STORE_FULL', 'store at 1073741824 bytes');
      },
    });
    const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(res)).code).toBe('KAR_ERR_STORE_FULL');
  });

  it('429 + Retry-After — storage full, with the wait the store asks for', async () => {
    const { app } = makeApp({
      processBatch: async () => {
        throw new KarError('KAR_ERR_STORE_FULL', 'full', { details: { retryAfterMs: 12_500 } });
      },
    });
    const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('13');
  });

  it('429 + Retry-After — shutting down (drain started)', async () => {
    const { app, drain } = makeApp();
    await drain();
    const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).not.toBeNull();
    expect((await errorOf(res)).code).toBe('KAR_ERR_INTAKE_SHUTTING_DOWN');
  });

  it('500 — cannot store now (store unavailable)', async () => {
    const { app } = makeApp({
      processBatch: async () => {
        throw new KarError('KAR_ERR_STORE_UNAVAILABLE', 'SQLITE_IOERR at /secret/path');
      },
    });
    const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    expect(res.status).toBe(500);
    const error = await errorOf(res);
    expect(error.code).toBe('KAR_ERR_STORE_UNAVAILABLE');
    expect(error.message).not.toContain('/secret/path');
  });

  it('500 — keys unavailable and none cached', async () => {
    let called = false;
    const { app } = makeApp({
      keysReady: () => false,
      processBatch: async (body) => {
        called = true;
        return acceptAll(body);
      },
    });
    const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    expect(res.status).toBe(500);
    expect((await errorOf(res)).code).toBe('KAR_ERR_KEYS_UNAVAILABLE');
    expect(called).toBe(false);
  });

  it('500 — internal error: no stack, no message', async () => {
    const { app } = makeApp({
      processBatch: async () => {
        throw new TypeError('cannot read properties of undefined (reading token=abc)');
      },
    });
    const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    expect(res.status).toBe(500);
    const text = await res.clone().text();
    expect(text).not.toContain('token=abc');
    expect(text).not.toContain('at ');
    expect((await errorOf(res)).code).toBe('KAR_ERR_INTERNAL');
  });

  it('408 — the body stalls past the body-read timeout', async () => {
    const { app } = makeApp({ limits: { ...defaultLimits, bodyReadTimeoutMs: 50 } });
    const res = await app.request('/audit-logs', { ...konnectRequest(new Uint8Array()), body: stalledBody(), duplex: 'half' } as RequestInit);
    expect(res.status).toBe(408);
    expect((await errorOf(res)).code).toBe('KAR_ERR_INTAKE_TIMEOUT');
  });

  it.each([
    ['GET on the batch path', 'GET', '/audit-logs'],
    ['POST elsewhere', 'POST', '/other'],
    ['trailing slash', 'POST', '/audit-logs/'],
  ])('404 — %s', async (_quirk, method, path) => {
    const { app } = makeApp();
    const res = await app.request(path, { ...konnectRequest(gzipLines(LINES)), method, ...(method === 'GET' ? { body: null } : {}) });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('KAR_ERR_INTAKE_NOT_FOUND');
  });

  it('never answers 502, 503 or 504 on the batch path whatever the dependency throws', async () => {
    const throws = [new KarError('KAR_ERR_KEYS_FETCH_FAILED', 'x'), new KarError('KAR_ERR_SIG_INVALID', 'x'), new RangeError('x'), 'a string'];
    for (const thrown of throws) {
      const { app } = makeApp({
        processBatch: async () => {
          throw thrown;
        },
      });
      const res = await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
      expect(res.status).toBe(500);
    }
  });
});

describe('graceful shutdown (drain)', () => {
  it('a batch in flight when the drain starts is finished and answered 200; drain resolves after it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { app, inFlight, drain } = makeApp({
      processBatch: async (body) => {
        await gate;
        return acceptAll(body);
      },
    });
    const inflight = app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    while (inFlight() === 0) await new Promise((resolve) => setImmediate(resolve));
    let drained = false;
    const draining = drain().then(() => {
      drained = true;
    });
    const late = await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    expect(late.status).toBe(429);
    expect(drained).toBe(false);
    release();
    expect((await inflight).status).toBe(200);
    await draining;
    expect(drained).toBe(true);
  });
});

describe('POST /audit-logs: how bodies are labelled', () => {
  const text = Buffer.from(LINES.join('\n'));
  it.each([
    ['Konnect: application/gzip', 'application/gzip', gzipSync(text)],
    ['registered gzip', 'gzip', gzipSync(text)],
    ['old alias x-gzip', 'x-gzip', gzipSync(text)],
    ['upper case label', 'GZIP', gzipSync(text)],
    ['unlabelled gzip (magic bytes)', undefined, gzipSync(text)],
    ['identity label on gzip bytes', 'identity', gzipSync(text)],
    ['two gzip members', 'application/gzip', Buffer.concat([gzipSync(Buffer.from(`${LINES[0]}\n`)), gzipSync(Buffer.from(LINES[1] as string))])],
    ['deflate (zlib-wrapped, RFC 9110)', 'deflate', deflateSync(text)],
    ['deflate (raw)', 'deflate', deflateRawSync(text)],
    ['identity', 'identity', text],
    ['no label, plain text', undefined, text],
    ['empty label', '', text],
  ])('%s', async (_quirk, label, body) => {
    const seen: string[] = [];
    const { app } = makeApp({
      processBatch: async (decoded) => {
        seen.push(Buffer.from(decoded).toString('utf8'));
        return acceptAll(decoded);
      },
    });
    const init = konnectRequest(body);
    const headers = new Headers(init.headers);
    if (label === undefined) headers.delete('content-encoding');
    else headers.set('content-encoding', label);
    const res = await app.request('/audit-logs', { ...init, headers });
    expect(res.status).toBe(200);
    expect(seen).toEqual([LINES.join('\n')]);
  });
});

describe('GET /healthz, /readyz, /metrics', () => {
  it('/healthz is 200 while the process runs, even without keys', async () => {
    const { app } = makeApp({ keysReady: () => false, storeHealth: () => ({ ok: false, reason: 'disk full' }) });
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it.each([
    ['keys and store ready', true, true, 200],
    ['no keys yet', false, true, 503],
    ['store not writable', true, false, 503],
  ])('/readyz: %s', async (_quirk, keys, store, status) => {
    const { app } = makeApp({ keysReady: () => keys, storeHealth: () => (store ? { ok: true } : { ok: false, reason: 'disk full' }) });
    expect((await app.request('/readyz')).status).toBe(status);
  });

  it('/metrics serves Prometheus text with the intake metrics', async () => {
    const { app } = makeApp();
    await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/konnect_audit_intake_batches_total\{status="200",code="none"\} \d+/);
    expect(text).toMatch(/konnect_audit_intake_signatures_total\{status="valid",kid="kid-1"\} \d+/);
    expect(text).toContain('konnect_audit_intake_batch_duration_seconds_bucket');
    expect(text).toContain('konnect_audit_intake_batch_lines_bucket');
    expect(text).toContain('konnect_audit_intake_batches_in_flight');
  });
});

describe('logs', () => {
  function capture(): { stream: PassThrough; lines: () => Record<string, unknown>[] } {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return {
      stream,
      lines: () =>
        Buffer.concat(chunks)
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>),
    };
  }

  it('one line per stored batch with counts and duration; a warning with event ids and key ids on verification failures; never the token', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', destination: out.stream });
    const { app } = makeApp({
      logger,
      processBatch: async (body) => ({ ...acceptAll(body), failedIds: ['id-a', 'id-b'], errors: { KAR_ERR_SIG_INVALID: 2 } }),
    });
    await app.request('/audit-logs', konnectRequest(gzipLines(LINES)));
    await app.request('/audit-logs', konnectRequest(gzipLines(LINES), { authorization: 'Bearer wrong-token-value' }));
    const lines = out.lines();
    const stored = lines.filter((line) => line['msg'] === 'batch stored');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 200, accepted: 2, lines: 2, errors: { KAR_ERR_SIG_INVALID: 2 } });
    expect(typeof stored[0]?.['durationMs']).toBe('number');
    const warning = lines.find((line) => line['msg'] === 'lines failed signature verification');
    expect(warning).toMatchObject({ failed: 2, eventIds: ['id-a', 'id-b'], kidsTried: ['kid-1'] });
    const refused = lines.find((line) => line['code'] === 'KAR_ERR_INTAKE_UNAUTHORIZED');
    expect(refused).toMatchObject({ status: 401 });
    const all = JSON.stringify(lines);
    expect(all).not.toContain('test-token');
    expect(all).not.toContain('wrong-token-value');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createRetryPolicy, createTarget, encodeBatch, postBatch, type SendTarget } from '../../src/sender/index.js';
import { closedPort, startScriptedServer, type ScriptedServer, type Step } from './scripted-server.js';

const summary = (accepted: number): Step => ({ status: 200, body: JSON.stringify({ accepted, duplicates: 0, quarantined: 0, rejected: 0 }) });
const batch = encodeBatch(0, ['line one', 'line two']);

let server: ScriptedServer | undefined;
let target: SendTarget | undefined;
afterEach(async () => {
  target?.close();
  await server?.close();
  server = undefined;
  target = undefined;
});

/** A policy with Konnect's numbers whose sleep records the waits instead of waiting. */
function recordingPolicy(): { waits: number[]; policy: ReturnType<typeof createRetryPolicy> } {
  const waits: number[] = [];
  return { waits, policy: createRetryPolicy({ sleep: async (ms) => void waits.push(ms) }) };
}

describe('postBatch: Konnect retry rules (retry only on connection error, 500, 429; 1..30 s; at most 4 retries)', () => {
  it.each<{ quirk: string; script: Step[]; statuses: (number | undefined)[]; waits: number[]; accepted: boolean }>([
    { quirk: '500 is retried, then accepted', script: [{ status: 500 }, summary(2)], statuses: [500, 200], waits: [1000], accepted: true },
    { quirk: '429 with Retry-After: 7 waits 7 s', script: [{ status: 429, headers: { 'retry-after': '7' } }, summary(2)], statuses: [429, 200], waits: [7000], accepted: true },
    { quirk: 'Retry-After above 30 s is clamped to 30 s', script: [{ status: 429, headers: { 'retry-after': '120' } }, summary(2)], statuses: [429, 200], waits: [30000], accepted: true },
    { quirk: 'Retry-After: 0 is raised to the 1 s minimum', script: [{ status: 429, headers: { 'retry-after': '0' } }, summary(2)], statuses: [429, 200], waits: [1000], accepted: true },
    { quirk: '429 without Retry-After backs off exponentially', script: [{ status: 429 }, { status: 429 }, { status: 429 }, summary(2)], statuses: [429, 429, 429, 200], waits: [1000, 2000, 4000], accepted: true },
    { quirk: 'a connection reset before the answer is a connection error', script: [{ reset: true }, summary(2)], statuses: [undefined, 200], waits: [1000], accepted: true },
    { quirk: 'always 500: 1 attempt + 4 retries, then give up', script: [{ status: 500 }], statuses: [500, 500, 500, 500, 500], waits: [1000, 2000, 4000, 8000], accepted: false },
    { quirk: '400 ends the delivery', script: [{ status: 400 }], statuses: [400], waits: [], accepted: false },
    { quirk: '401 ends the delivery', script: [{ status: 401 }], statuses: [401], waits: [], accepted: false },
    { quirk: '413 ends the delivery', script: [{ status: 413 }], statuses: [413], waits: [], accepted: false },
    { quirk: '415 ends the delivery', script: [{ status: 415 }], statuses: [415], waits: [], accepted: false },
    { quirk: '503 ends the delivery (Konnect drops it: why the receiver never sends it)', script: [{ status: 503 }], statuses: [503], waits: [], accepted: false },
    { quirk: '502 ends the delivery', script: [{ status: 502 }], statuses: [502], waits: [], accepted: false },
  ])('$quirk', async ({ script, statuses, waits: expectedWaits, accepted }) => {
    server = await startScriptedServer(script);
    target = createTarget({ url: server.url, authorization: 'Bearer t' });
    const { waits, policy } = recordingPolicy();
    const result = await postBatch(batch, target, { policy });
    expect(result.attempts.map((a) => a.status)).toEqual(statuses);
    expect(waits).toEqual(expectedWaits);
    expect(result.accepted).toBe(accepted);
    expect(server.received).toHaveLength(statuses.length);
    if (accepted) expect(result.summary).toEqual({ accepted: 2, duplicates: 0, quarantined: 0, rejected: 0 });
  });

  it('connection refused: 1 attempt + 4 retries (1, 2, 4, 8 s), then the batch is not accepted', async () => {
    target = createTarget({ url: `http://127.0.0.1:${await closedPort()}/audit-logs`, authorization: 'Bearer t' });
    const { waits, policy } = recordingPolicy();
    const result = await postBatch(batch, target, { policy });
    expect(result.attempts).toHaveLength(5);
    expect(result.attempts.every((a) => a.status === undefined && a.error?.includes('ECONNREFUSED'))).toBe(true);
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    expect(result.accepted).toBe(false);
    expect(result.error).toContain('ECONNREFUSED');
  });

  it('keeps the start of a refusing answer so the user sees why', async () => {
    server = await startScriptedServer([{ status: 401, body: '{"error":"KAR_ERR_INTAKE_UNAUTHORIZED"}' }]);
    target = createTarget({ url: server.url, authorization: 'Bearer wrong' });
    const result = await postBatch(batch, target, { policy: recordingPolicy().policy });
    expect(result.answer).toBe('{"error":"KAR_ERR_INTAKE_UNAUTHORIZED"}');
  });
});

describe('postBatch: the request is the one Konnect sends', () => {
  it('POSTs gzip labelled application/gzip, text/plain, the Authorization verbatim and a Go-like User-Agent', async () => {
    server = await startScriptedServer([summary(2)]);
    target = createTarget({ url: server.url, authorization: 'Splunk  example-token 1234' });
    await postBatch(batch, target);
    const [request] = server.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/audit-logs');
    expect(request?.headers['content-type']).toBe('text/plain');
    expect(request?.headers['content-encoding']).toBe('application/gzip');
    expect(request?.headers['authorization']).toBe('Splunk  example-token 1234');
    expect(request?.headers['user-agent']).toBe('Go-http-client/1.1');
    expect(request?.headers['content-length']).toBe(String(batch.body.length));
    expect([request?.raw[0], request?.raw[1]]).toEqual([0x1f, 0x8b]);
    expect(request?.text).toBe('line one\nline two\n');
  });
});

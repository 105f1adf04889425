/**
 * Issue 12, items 3 and 4, through a real receiver (TLS on loopback, gzip,
 * the fixture JWKS, SQLite, a file sink): a CEF line with text before its
 * first key and cps lines with the sig inside and beside the event are all
 * stored as valid; the sink's events keep the text (`extension_preamble`) and
 * are unwrapped (`format: cps`, header, category), and /metrics counts the
 * warning.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestKey, signCefLine, signCpsLine } from '../../src/testing/index.js';
import { getText, postLikeKonnect, startTestReceiver, waitForLines, type TestReceiver } from '../intake/support.js';

const key = loadTestKey('primary').privateKey;
const ORG = 'b065b594-6afc-4658-9101-5d9cf3f36b7b';
const preambleLine = signCefLine(`2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|garbage text rt=1750688927556 action=retrieve granted=true org_id=${ORG} msg=hi`, key);
const cpsEvent = (trace: number) => `{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.identity-provider","org_id":"${ORG}","rt":${1750688927600 + trace},"severity":1,"trace_id":${3895213347334635000n + BigInt(trace)}}`;
const cpsInside = signCpsLine(cpsEvent(1), key, 'event-last');
const cpsBeside = signCpsLine(cpsEvent(2), key, 'wrapper-last');

let receiver: TestReceiver;

beforeAll(async () => {
  receiver = await startTestReceiver();
});

afterAll(async () => {
  await receiver.close();
  await rm(receiver.dir, { recursive: true, force: true });
});

describe('a receiver takes CEF text before the first key and cps lines', () => {
  it('stores every line as valid, keeps the text, unwraps cps, and counts the warning', async () => {
    const answer = await postLikeKonnect(receiver.url, receiver.cert.cert, [preambleLine, cpsInside, cpsBeside]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ accepted: 3, duplicates: 0, quarantined: 0, rejected: 0 });

    const events = (await waitForLines(receiver.sinkFile, 3)).map((line) => JSON.parse(line) as Record<string, unknown>);
    const byRaw = new Map(events.map((e) => [e['raw'], e]));
    expect(byRaw.get(preambleLine)).toMatchObject({
      format: 'cef',
      category: 'authorization',
      extension_preamble: 'garbage text',
      fields: { rt: '1750688927556', action: 'retrieve', granted: 'true', org_id: ORG, msg: 'hi' },
      signature: { status: 'valid' },
    });
    for (const [line, trace] of [[cpsInside, '3895213347334635001'], [cpsBeside, '3895213347334635002']] as const) {
      expect(byRaw.get(line)).toMatchObject({
        format: 'cps',
        category: 'authorization',
        header: { vendor: 'KongInc', product: 'Konnect', name: 'Authz.identity-provider', severity: '1' },
        org_id: ORG,
        trace_id: trace,
        granted: true,
        signature: { status: 'valid' },
      });
      expect(Object.hasOwn(byRaw.get(line) as object, 'extension_preamble')).toBe(false);
    }

    const metrics = (await getText(receiver.url.replace(/\/audit-logs$/, '/metrics'), receiver.cert.cert)).body;
    const counted = /^konnect_audit_normalize_warnings_total\{warning="extension_preamble"\} (\d+)$/m.exec(metrics);
    expect(Number(counted?.[1])).toBeGreaterThanOrEqual(1);
  });
});

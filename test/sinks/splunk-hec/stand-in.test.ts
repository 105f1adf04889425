/**
 * The HEC stand-in itself, driven like the curl examples in Splunk's docs:
 * if it drifted from the documented protocol, the sink's tests would prove
 * nothing. Raw requests, no sink involved.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHecServer, type HecServer } from '../support/splunk-hec-server.js';

const CHANNEL = '0b7f6a2e-2c1d-4e59-9f5a-3c8e1d2b4a6f';
let hec: HecServer;

beforeAll(async () => {
  hec = await startHecServer({ tokens: { plain: {}, acked: { ack: true }, scoped: { indexes: ['main'] } }, pollsBeforeAck: 1 });
});
afterAll(() => hec.close());

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${hec.url}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const EVENT = '{"event":"hello","sourcetype":"manual"}';

describe('HEC stand-in follows the documented protocol', () => {
  it.each([
    ['no Authorization → 401 code 2', {}, EVENT, 401, { text: 'Token is required', code: 2 }],
    ['not "Splunk <token>" → 401 code 3', { authorization: 'Bearer plain' }, EVENT, 401, { text: 'Invalid authorization', code: 3 }],
    ['an unknown token → 403 code 4', { authorization: 'Splunk nope' }, EVENT, 403, { text: 'Invalid token', code: 4 }],
    ['an empty body → 400 code 5', { authorization: 'Splunk plain' }, '', 400, { text: 'No data', code: 5 }],
    ['one event → Success', { authorization: 'Splunk plain' }, EVENT, 200, { text: 'Success', code: 0 }],
    ['concatenated events → Success', { authorization: 'Splunk plain' }, `${EVENT}${EVENT}${EVENT}`, 200, { text: 'Success', code: 0 }],
    ['newline-separated events → Success', { authorization: 'Splunk plain' }, `${EVENT}\n${EVENT}\n`, 200, { text: 'Success', code: 0 }],
    ['broken JSON at the second event → code 6, number 1', { authorization: 'Splunk plain' }, `${EVENT}{"event":`, 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 1 }],
    ['no event field → code 12', { authorization: 'Splunk plain' }, '{"host":"h"}', 400, { text: 'Event field is required', code: 12, 'invalid-event-number': 0 }],
    ['a blank event → code 13', { authorization: 'Splunk plain' }, `${EVENT}{"event":""}`, 400, { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': 1 }],
    ['an index the token may not use → code 7', { authorization: 'Splunk scoped' }, '{"event":"x","index":"secret"}', 400, { text: 'Incorrect index', code: 7, 'invalid-event-number': 0 }],
    ['ack token without a channel → code 10', { authorization: 'Splunk acked' }, EVENT, 400, { text: 'Data channel is missing', code: 10 }],
    ['a channel that is not a GUID → code 11', { authorization: 'Splunk acked', 'x-splunk-request-channel': 'abc' }, EVENT, 400, { text: 'Invalid data channel', code: 11 }],
  ])('%s', async (_quirk, headers, body, status, answer) => {
    expect(await post('/services/collector/event', body, headers)).toEqual({ status, body: answer });
  });

  it('takes gzip bodies', async () => {
    const out = await post('/services/collector/event', gzipSync(EVENT), { authorization: 'Splunk plain', 'content-encoding': 'gzip' });
    expect(out).toEqual({ status: 200, body: { text: 'Success', code: 0 } });
  });

  it('indexer acknowledgement: ackIds per channel from 0, /ack answers {"acks":{id:bool}}, the channel also as a query parameter', async () => {
    const headers = { authorization: 'Splunk acked', 'x-splunk-request-channel': CHANNEL };
    expect(await post('/services/collector/event', EVENT, headers)).toEqual({ status: 200, body: { text: 'Success', code: 0, ackId: 0 } });
    expect(await post(`/services/collector/event?channel=${CHANNEL}`, EVENT, { authorization: 'Splunk acked' })).toEqual({ status: 200, body: { text: 'Success', code: 0, ackId: 1 } });
    expect(await post('/services/collector/ack', '{"acks":[0,1,7]}', headers)).toEqual({ status: 200, body: { acks: { '0': false, '1': false, '7': false } } });
    expect(await post('/services/collector/ack', '{"acks":[0,1,7]}', headers)).toEqual({ status: 200, body: { acks: { '0': true, '1': true, '7': false } } });
  });

  it('/ack on a token without acknowledgement → 400 code 14', async () => {
    expect(await post('/services/collector/ack', '{"acks":[0]}', { authorization: 'Splunk plain', 'x-splunk-request-channel': CHANNEL })).toEqual({
      status: 400,
      body: { text: 'ACK is disabled', code: 14 },
    });
  });

  it('an unknown path → 404', async () => {
    expect((await post('/services/collector/nope', EVENT, { authorization: 'Splunk plain' })).status).toBe(404);
  });
});

import { describe, expect, it } from 'vitest';
import { classifyHecAnswer } from '../../../src/sinks/splunk-hec/response.js';

const json = (body: unknown) => JSON.stringify(body);

describe('splunk-hec answer → outcome', () => {
  it.each([
    ['200 code 0 Success', 200, { text: 'Success', code: 0 }, {}, { kind: 'accepted' }],
    ['200 with an ackId', 200, { text: 'Success', code: 0, ackId: 7 }, {}, { kind: 'accepted', ackId: 7 }],
    ['400 code 6 with invalid-event-number: partial', 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 2 }, {}, { kind: 'partial', invalidEventNumber: 2 }],
    ['400 code 12 event field required: partial', 400, { text: 'Event field is required', code: 12, 'invalid-event-number': 0 }, {}, { kind: 'partial', invalidEventNumber: 0 }],
    ['400 code 6 without a number: whole request rejected', 400, { text: 'Invalid data format', code: 6 }, {}, { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED' }],
    ['400 code 6 with a number past the request: rejected', 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 9 }, {}, { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED' }],
    ['400 code 5 No data: rejected', 400, { text: 'No data', code: 5 }, {}, { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED' }],
    ['400 code 7 Incorrect index: the token, not the events → waits', 400, { text: 'Incorrect index', code: 7, 'invalid-event-number': 1 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['400 code 10 channel missing: token has ack on → waits', 400, { text: 'Data channel is missing', code: 10 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['400 code 14 ACK is disabled → waits', 400, { text: 'ACK is disabled', code: 14 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['401 code 2 Token is required', 401, { text: 'Token is required', code: 2 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['403 code 4 Invalid token', 403, { text: 'Invalid token', code: 4 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['403 code 1 Token disabled', 403, { text: 'Token disabled', code: 1 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH' }],
    ['503 code 9 Server is busy, Retry-After seconds', 503, { text: 'Server is busy', code: 9 }, { 'retry-after': '7' }, { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', retryAfterMs: 7000 }],
    ['503 code 18 HEC unhealthy, queues full', 503, { text: 'HEC is unhealthy, queues are full', code: 18 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED' }],
    ['429 from a proxy', 429, 'Too Many Requests', { 'retry-after': '2' }, { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', retryAfterMs: 2000 }],
    ['500 code 8 Internal server error', 500, { text: 'Internal server error', code: 8 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['408 from a proxy', 408, '', {}, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['502 HTML from a load balancer', 502, '<html>Bad Gateway</html>', {}, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
    ['404: HEC disabled or wrong path → waits, check the url', 404, { text: 'The requested URL was not found on this server.', code: 404 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE' }],
    ['200 with an unexpected code is not a success', 200, { text: 'HEC is healthy', code: 17 }, {}, { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER' }],
  ])('%s', (_quirk, status, body, headers, expected) => {
    const verdict = classifyHecAnswer(status, headers, typeof body === 'string' ? body : json(body), 5);
    expect(verdict).toMatchObject(expected);
  });
});

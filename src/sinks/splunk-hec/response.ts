/**
 * @module sinks/splunk-hec/response
 * What an HEC answer means for the events. HEC answers `{"text","code"}`
 * (plus `ackId` with indexer acknowledgement, `invalid-event-number` when
 * one event of a batch is bad). Codes from Splunk's HEC status table:
 * 0 Success · 1 Token disabled (403) · 2 Token is required (401) ·
 * 3 Invalid authorization (401) · 4 Invalid token (403) · 5 No data (400) ·
 * 6 Invalid data format (400) · 7 Incorrect index (400) · 8 Internal server
 * error (500) · 9 Server is busy (503) · 10 Data channel is missing (400) ·
 * 11 Invalid data channel (400) · 12 Event field is required (400) ·
 * 13 Event field cannot be blank (400) · 14 ACK is disabled (400) ·
 * 15 Error in handling indexed fields (400) · 18–20 HEC unhealthy (503).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { excerpt, outcomeForStatus, parseRetryAfter } from '../http-outcome.js';
import type { WriteOutcome } from '../types.js';

export interface HecAnswer {
  readonly text?: string;
  readonly code?: number;
  readonly ackId?: number;
  readonly invalidEventNumber?: number;
}

export type HecVerdict =
  | { readonly kind: 'accepted'; readonly ackId?: number }
  /** Events before `invalidEventNumber` were indexed; that one is bad; the rest were not read. */
  | { readonly kind: 'partial'; readonly invalidEventNumber: number; readonly reason: string }
  | Exclude<WriteOutcome, { kind: 'delivered' }>;

/** Event-level faults: HEC stops at the first bad event and says which. */
const EVENT_LEVEL_CODES = new Set([6, 12, 13, 15]);

export function parseHecAnswer(body: string): HecAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const record = parsed as Record<string, unknown>;
  const answer: { text?: string; code?: number; ackId?: number; invalidEventNumber?: number } = {};
  if (typeof record.text === 'string') answer.text = record.text;
  if (Number.isInteger(record.code)) answer.code = record.code as number;
  if (Number.isInteger(record.ackId)) answer.ackId = record.ackId as number;
  if (Number.isInteger(record['invalid-event-number'])) answer.invalidEventNumber = record['invalid-event-number'] as number;
  return answer;
}

export function classifyHecAnswer(status: number, headers: IncomingHttpHeaders, body: string, eventsSent: number): HecVerdict {
  const answer = parseHecAnswer(body);
  const what = answer.code === undefined ? `HTTP ${status}${excerpt(body)}` : `HTTP ${status} HEC code ${answer.code} "${answer.text ?? ''}"`;
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  const after = retryAfterMs === undefined ? {} : { retryAfterMs };

  if (status === 200 && (answer.code === undefined || answer.code === 0)) {
    return answer.ackId === undefined ? { kind: 'accepted' } : { kind: 'accepted', ackId: answer.ackId };
  }
  const n = answer.invalidEventNumber;
  if (status === 400 && answer.code !== undefined && EVENT_LEVEL_CODES.has(answer.code) && n !== undefined && n >= 0 && n < eventsSent) {
    return { kind: 'partial', invalidEventNumber: n, reason: `${what}, invalid-event-number ${n}` };
  }
  switch (answer.code) {
    case 7:
      // Every event carries the configured index: the token may not write to it. Not these events' fault.
      return { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH', reason: `${what}: the token may not write to the configured index`, ...after };
    case 10:
    case 11:
      return { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH', reason: `${what}: the token has indexer acknowledgement on; set ack.enabled`, ...after };
    case 14:
      return { kind: 'retryable', code: 'KAR_ERR_SINK_AUTH', reason: `${what}: the token has indexer acknowledgement off; unset ack.enabled`, ...after };
    case 9:
    case 18:
    case 19:
    case 20:
      return { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', reason: what, ...after };
    default: {
      const outcome = outcomeForStatus(status, headers, body);
      if (outcome.kind === 'delivered') return { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER', reason: `${what}: not a success code`, ...after };
      return outcome;
    }
  }
}

/**
 * @module sinks/splunk-hec/deliver
 * One write(): the batch in ~maxBatchBytes requests, each answer classified,
 * the partial failure resent from the right event, and (optionally) indexer
 * acknowledgement awaited.
 *
 * Partial failure: HEC reads a batch in order and stops at the first bad
 * event, answering 400 with `invalid-event-number: N` (zero-based). Events
 * before N were accepted: they are delivered; event N is rejected for good
 * (reported in `delivered.rejected`, so it goes to the dead-letter store);
 * events after N were never read: they are sent again in the same write()
 * until the rest is accepted. With indexer acknowledgement on, the events
 * before N are sent again too: an error answer carries no ackId, so their
 * indexing cannot be confirmed (at least once: a duplicate, never a loss).
 */
import { chunkBySize } from '../chunks.js';
import { gzip } from '../gzip.js';
import type { HttpClient } from '../http-client.js';
import type { WriteOutcome } from '../types.js';
import { pollAcks } from './ack.js';
import { classifyHecAnswer } from './response.js';

export interface HecDeliveryContext {
  readonly client: HttpClient;
  readonly eventUrl: URL;
  readonly ackUrl: URL;
  /** Authorization (and channel) headers, common to both endpoints. */
  readonly headers: Readonly<Record<string, string>>;
  readonly gzip: boolean;
  readonly maxBatchBytes: number;
  readonly timeoutMs: number;
  readonly ack: { readonly enabled: boolean; readonly timeoutMs: number; readonly pollIntervalMs: number };
  readonly isClosed: () => boolean;
  /** Ack is on in our config but the token answered without an ackId (its acknowledgement is off). */
  readonly onAckIdMissing: () => void;
}

type Rejection = { readonly index: number; readonly reason: string };

export async function deliverHec(encoded: readonly Buffer[], ctx: HecDeliveryContext): Promise<WriteOutcome> {
  const delivered: number[] = [];
  const rejected: Rejection[] = [];
  const pending: { readonly ackId: number; readonly indexes: readonly number[] }[] = [];
  const settled = () => ({ delivered: [...delivered], rejected: [...rejected] });
  const headers: Record<string, string> = { ...ctx.headers, 'content-type': 'application/json' };
  if (ctx.gzip) headers['content-encoding'] = 'gzip';

  for (const chunk of chunkBySize(encoded.map((event) => event.length), ctx.maxBatchBytes)) {
    let remaining = range(chunk.start, chunk.end);
    while (remaining.length > 0) {
      const raw = Buffer.concat(remaining.map((i) => encoded[i] as Buffer));
      const body = ctx.gzip ? await gzip(raw) : raw;
      const answer = await ctx.client.post({ url: ctx.eventUrl, headers, body, timeoutMs: ctx.timeoutMs });
      if (!answer.ok) return { kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason: answer.reason, settled: settled() };
      const verdict = classifyHecAnswer(answer.status, answer.headers, answer.body, remaining.length);

      if (verdict.kind === 'accepted') {
        if (!ctx.ack.enabled) delivered.push(...remaining);
        else if (verdict.ackId !== undefined) pending.push({ ackId: verdict.ackId, indexes: remaining });
        else {
          ctx.onAckIdMissing();
          delivered.push(...remaining);
        }
        break;
      }
      if (verdict.kind === 'partial') {
        const n = verdict.invalidEventNumber;
        rejected.push({ index: remaining[n] as number, reason: verdict.reason });
        const before = remaining.slice(0, n);
        const after = remaining.slice(n + 1);
        if (ctx.ack.enabled) remaining = [...before, ...after];
        else {
          delivered.push(...before);
          remaining = after;
        }
        continue;
      }
      if (verdict.kind === 'rejected') {
        for (const index of remaining) rejected.push({ index, reason: verdict.reason });
        break;
      }
      return { ...verdict, settled: settled() };
    }
  }

  if (pending.length > 0) {
    const { acked, problem } = await pollAcks(
      pending.map((p) => p.ackId),
      {
        client: ctx.client,
        url: ctx.ackUrl,
        headers: { ...ctx.headers, 'content-type': 'application/json' },
        timeoutMs: ctx.ack.timeoutMs,
        pollIntervalMs: ctx.ack.pollIntervalMs,
        requestTimeoutMs: ctx.timeoutMs,
        isClosed: ctx.isClosed,
      },
    );
    const unconfirmed = pending.filter((p) => !acked.has(p.ackId));
    for (const p of pending) if (acked.has(p.ackId)) delivered.push(...p.indexes);
    if (unconfirmed.length > 0) {
      const reason = `${unconfirmed.length} of ${pending.length} indexer acknowledgements not confirmed within ${ctx.ack.timeoutMs} ms${problem === undefined ? '' : ` (${problem})`}`;
      return { kind: 'retryable', code: 'KAR_ERR_SINK_ACK_TIMEOUT', reason, settled: settled() };
    }
  }

  if (encoded.length > 0 && rejected.length === encoded.length) {
    return { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED', reason: rejected[0]?.reason ?? 'rejected' };
  }
  return rejected.length > 0 ? { kind: 'delivered', rejected } : { kind: 'delivered' };
}

function range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

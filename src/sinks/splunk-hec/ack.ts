/**
 * @module sinks/splunk-hec/ack
 * HEC indexer acknowledgement (Splunk "About HTTP Event Collector Indexer
 * Acknowledgment"): a request sent on a channel answers with an `ackId`;
 * POST /services/collector/ack on the same channel with `{"acks":[ids]}`
 * answers `{"acks":{"<id>":true|false}}`; true means indexed. Ids are polled
 * until every one is true or the deadline passes.
 */
import type { HttpClient } from '../http-client.js';
import { excerpt } from '../http-outcome.js';

export interface AckPollOptions {
  readonly client: HttpClient;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** Per-request deadline. */
  readonly requestTimeoutMs: number;
  /** Stops polling early (the sink is closing). */
  readonly isClosed: () => boolean;
}

export interface AckPollResult {
  readonly acked: ReadonlySet<number>;
  /** Why some ids are not acked (last poll problem), for the retryable reason. */
  readonly problem?: string;
}

export async function pollAcks(ids: readonly number[], options: AckPollOptions): Promise<AckPollResult> {
  const acked = new Set<number>();
  const deadline = Date.now() + options.timeoutMs;
  let problem: string | undefined;
  for (;;) {
    const waiting = ids.filter((id) => !acked.has(id));
    if (waiting.length === 0) return { acked };
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0 || options.isClosed()) break;
    const answer = await options.client.post({
      url: options.url,
      headers: options.headers,
      body: Buffer.from(JSON.stringify({ acks: waiting })),
      timeoutMs: Math.min(options.requestTimeoutMs, remainingMs),
    });
    if (!answer.ok) problem = answer.reason;
    else if (answer.status !== 200) problem = `ack poll: HTTP ${answer.status}${excerpt(answer.body)}`;
    else for (const id of ackedIds(answer.body)) acked.add(id);
    if (ids.every((id) => acked.has(id))) return { acked };
    const waitMs = Math.min(options.pollIntervalMs, deadline - Date.now());
    if (waitMs <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  return problem === undefined ? { acked } : { acked, problem };
}

/** The ids answered `true` in `{"acks":{"<id>":true,...}}`. */
export function ackedIds(body: string): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const acks = (parsed as { acks?: unknown } | null)?.acks;
  if (typeof acks !== 'object' || acks === null) return [];
  return Object.entries(acks as Record<string, unknown>)
    .filter(([id, value]) => value === true && /^\d+$/.test(id))
    .map(([id]) => Number(id));
}

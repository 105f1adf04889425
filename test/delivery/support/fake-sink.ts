/**
 * A sink whose answers a test scripts, recording what it was given and what
 * it took.
 */
import type { Sink, SinkRecord, WriteOutcome } from '../../../src/sinks/types.js';

export interface ScriptedSink extends Sink {
  /** Every attempted write, as ids. */
  readonly writes: string[][];
  /** Ids the sink took, in the order it took them. */
  readonly taken: string[];
  readonly closed: () => boolean;
  readonly starts: () => number;
}

export interface ScriptOptions {
  readonly name?: string;
  readonly maxBatchBytes?: number;
  /** Answer of write number `call` (0-based). Default: delivered. */
  readonly answer?: (call: number, batch: readonly SinkRecord[]) => WriteOutcome | Promise<WriteOutcome>;
  /** start() throws this many times first. */
  readonly startFailures?: number;
}

export function createScriptedSink(options: ScriptOptions = {}): ScriptedSink {
  const writes: string[][] = [];
  const taken: string[] = [];
  let closed = false;
  let starts = 0;
  return {
    name: options.name ?? 'fake',
    type: 'fake',
    maxBatchBytes: options.maxBatchBytes ?? 1_000_000,
    writes,
    taken,
    closed: () => closed,
    starts: () => starts,
    async start() {
      starts++;
      if (starts <= (options.startFailures ?? 0)) throw new Error('connection refused');
    },
    async write(batch) {
      const call = writes.length;
      writes.push(batch.map((r) => r.id));
      for (const r of batch) if (r.event.id !== r.id || JSON.stringify(JSON.parse(r.json)) !== JSON.stringify(r.event)) throw new Error('record fields disagree');
      const answer = options.answer ?? ((): WriteOutcome => ({ kind: 'delivered' }));
      const outcome = await answer(call, batch);
      if (outcome.kind === 'delivered') {
        const refused = new Set((outcome.rejected ?? []).map((r) => r.index));
        batch.forEach((r, i) => {
          if (!refused.has(i)) taken.push(r.id);
        });
      } else if (outcome.kind === 'retryable') {
        for (const i of outcome.settled?.delivered ?? []) taken.push(batch[i]?.id ?? '?');
      }
      return outcome;
    },
    health: () => ({ ok: true }),
    async close() {
      closed = true;
    },
  };
}

export const retryable = (retryAfterMs?: number): Extract<WriteOutcome, { kind: 'retryable' }> => ({
  kind: 'retryable',
  code: retryAfterMs === undefined ? 'KAR_ERR_SINK_UNREACHABLE' : 'KAR_ERR_SINK_THROTTLED',
  reason: retryAfterMs === undefined ? 'connect ECONNREFUSED 127.0.0.1:8088' : 'HTTP 503 server busy',
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

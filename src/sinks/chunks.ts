/**
 * @module sinks/chunks
 * One write() may need several requests: a vendor limit on the request size
 * (Sumo Logic: 1 MB uncompressed; Splunk: ~1 MB is the recommended batch)
 * is smaller than some batches once encoded. These helpers cut a batch into
 * chunks at record boundaries and fold the chunks' outcomes into one
 * `WriteOutcome`, keeping which records were settled when a later chunk fails.
 */
import type { SettledRecords, WriteOutcome } from './types.js';

/** Half-open range of record indexes `[start, end)`. */
export interface Chunk {
  readonly start: number;
  readonly end: number;
}

/**
 * Cuts `sizes` (encoded bytes per record) into consecutive chunks of at most
 * `maxBytes`; a record larger than `maxBytes` alone makes a chunk (never split,
 * never dropped here: the vendor decides).
 */
export function chunkBySize(sizes: readonly number[], maxBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i] ?? 0;
    if (i > start && bytes + size > maxBytes) {
      chunks.push({ start, end: i });
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < sizes.length) chunks.push({ start, end: sizes.length });
  return chunks;
}

type Rejection = { readonly index: number; readonly reason: string };

/**
 * Sends the chunks in order; `send` answers with indexes relative to the
 * whole batch. A retryable chunk stops the write (later chunks
 * are not tried: the sink is unhealthy) and reports what was settled before
 * it; a rejected chunk is recorded and the next chunk still goes.
 */
export async function sendChunks(chunks: readonly Chunk[], send: (chunk: Chunk) => Promise<WriteOutcome>): Promise<WriteOutcome> {
  const delivered: number[] = [];
  const rejected: Rejection[] = [];
  let total = 0;
  for (const chunk of chunks) {
    total += chunk.end - chunk.start;
    const outcome = await send(chunk);
    if (outcome.kind === 'retryable') {
      const settled: SettledRecords = { delivered, rejected };
      return delivered.length + rejected.length > 0 || outcome.settled !== undefined
        ? { ...outcome, settled: mergeSettled(settled, outcome.settled) }
        : outcome;
    }
    if (outcome.kind === 'rejected') {
      for (let i = chunk.start; i < chunk.end; i++) rejected.push({ index: i, reason: outcome.reason });
      continue;
    }
    const refused = new Set((outcome.rejected ?? []).map((r) => r.index));
    rejected.push(...(outcome.rejected ?? []));
    for (let i = chunk.start; i < chunk.end; i++) if (!refused.has(i)) delivered.push(i);
  }
  if (total > 0 && rejected.length === total) {
    return { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED', reason: rejected[0]?.reason ?? 'rejected' };
  }
  return rejected.length > 0 ? { kind: 'delivered', rejected } : { kind: 'delivered' };
}

function mergeSettled(a: SettledRecords, b: SettledRecords | undefined): SettledRecords {
  if (b === undefined) return a;
  return { delivered: [...a.delivered, ...b.delivered], rejected: [...a.rejected, ...b.rejected] };
}

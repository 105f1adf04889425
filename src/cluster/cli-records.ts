/**
 * @module cluster/cli-records
 * `konnect-audit quarantine|dead-letter list|export|retry` against a
 * cluster's JetStream (KONNECT_AUDIT_STORE = NATS URLs), with the same
 * output as against the embedded store (cli/quarantine.ts, cli/dead-letter.ts):
 * positions (`qid`, `dlid`) are the records' stream sequences.
 */
import type { CliContext } from '../cli/context.js';
import { rawOf } from '../cli/dead-letter.js';
import { byReceivedAt, retryKeySource, retryReport, reverifyGroup } from '../cli/quarantine.js';
import { previewOf, writeOut } from '../store/inspect.js';
import { commitBatch } from '../store/jetstream/commit.js';
import { openClusterRecords, type ClusterDeadLetterEntry, type ClusterQuarantineEntry, type ClusterRecords, type ClusterStoreAddress } from '../store/jetstream/admin.js';
import type { IncomingBatch } from '../store/types.js';
import { createKeySet, createLineVerifier, type LineVerifier } from '../verify/index.js';

export interface ClusterRecordOptions {
  readonly sub: 'list' | 'export' | 'retry';
  readonly limit: number;
  readonly format: 'text' | 'json';
  readonly sink?: string | undefined;
  readonly jwks?: string | undefined;
}

async function* pages<T extends { qid: number } | { dlid: number }>(read: (after: number, limit: number) => Promise<T[]>, limit: number): AsyncGenerator<T[]> {
  let after = 0;
  let seen = 0;
  while (seen < limit) {
    const page = await read(after, Math.min(500, limit - seen));
    const last = page.at(-1);
    if (last === undefined) return;
    after = 'qid' in last ? last.qid : last.dlid;
    seen += page.length;
    yield page;
  }
}

export async function clusterDeadLetterCommand(ctx: CliContext, address: ClusterStoreAddress, options: ClusterRecordOptions): Promise<number> {
  const records = await openClusterRecords(address);
  try {
    const read = (after: number, limit: number): Promise<ClusterDeadLetterEntry[]> => records.deadLetters(after, limit, options.sink);
    if (options.sub === 'retry') {
      let requeued = 0;
      for await (const page of pages(read, options.limit)) requeued += await records.requeueDeadLetters(page);
      await writeOut(ctx.stdout, options.format === 'json' ? `${JSON.stringify({ requeued, inactive_sinks: [] })}\n` : `re-queued ${requeued} dead letters for delivery${options.sink === undefined ? '' : ` to ${options.sink}`}\n`);
      return 0;
    }
    let shown = 0;
    for await (const page of pages(read, options.limit)) {
      shown += page.length;
      const text = page
        .map((d) => {
          if (options.sub === 'export') return `${JSON.stringify({ dlid: d.dlid, sink: d.sink, id: d.id, code: d.code, reason: d.reason, failed_at: d.failedAt }).slice(0, -1)},"event":${d.json}}\n`;
          return options.format === 'json'
            ? `${JSON.stringify({ dlid: d.dlid, sink: d.sink, id: d.id, code: d.code, reason: d.reason, failed_at: d.failedAt, preview: previewOf(rawOf(d.json)) })}\n`
            : `#${d.dlid}  ${d.failedAt}  ${d.sink}  ${d.code}  ${d.reason}\n    id ${previewOf(d.id, 24)}  ${previewOf(rawOf(d.json))}\n`;
        })
        .join('');
      await writeOut(ctx.stdout, text);
    }
    if (options.sub === 'list' && options.format === 'text') {
      const total = options.sink === undefined ? ` of ${await records.deadLetterCount()}` : '';
      await writeOut(ctx.stdout, `${shown}${total} dead letters${options.sink === undefined ? '' : ` of sink ${options.sink}`}${shown === options.limit ? ' (--limit N for more, export for all)' : ''}\n`);
    }
    return 0;
  } finally {
    await records.close();
  }
}

export async function clusterQuarantineCommand(ctx: CliContext, address: ClusterStoreAddress, options: ClusterRecordOptions): Promise<number> {
  const records = await openClusterRecords(address);
  try {
    const read = (after: number, limit: number): Promise<ClusterQuarantineEntry[]> => records.quarantine(after, limit);
    if (options.sub === 'retry') {
      await retryQuarantine(ctx, records, options);
      return 0;
    }
    let shown = 0;
    for await (const page of pages(read, options.limit)) {
      shown += page.length;
      const text = page
        .map((e) => {
          if (options.sub === 'export') return `${JSON.stringify({ qid: e.qid, id: e.id, kind: e.kind, code: e.code, reason: e.reason, received_at: e.receivedAt, raw: e.raw })}\n`;
          return options.format === 'json'
            ? `${JSON.stringify({ qid: e.qid, id: e.id, kind: e.kind, code: e.code, reason: e.reason, received_at: e.receivedAt, preview: previewOf(e.raw) })}\n`
            : `#${e.qid}  ${e.receivedAt}  ${e.kind}  ${e.code}  ${e.reason}\n    id ${previewOf(e.id, 24)}  ${previewOf(e.raw)}\n`;
        })
        .join('');
      await writeOut(ctx.stdout, text);
    }
    if (options.sub === 'list' && options.format === 'text') {
      const total = await records.quarantineCount();
      await writeOut(ctx.stdout, `${shown} of ${total} quarantined lines${shown < total ? ' (--limit N for more, export for all)' : ''}\n`);
    }
    return 0;
  } finally {
    await records.close();
  }
}

/**
 * Verifies the quarantined lines again (the receiver's own pipeline, policy
 * `quarantine`), stores those that now verify like any batch (dedup claims
 * and all) and then removes them from the quarantine; the others stay.
 */
async function retryQuarantine(ctx: CliContext, records: ClusterRecords, options: ClusterRecordOptions): Promise<void> {
  const keySet = createKeySet({ source: retryKeySource(ctx, options.jwks) });
  await keySet.start();
  const totals = { examined: 0, verified: 0, queued: 0, duplicates: 0 };
  const deps = { js: records.js, jsm: records.jsm, maxPayload: 1024 * 1024, onFailure: () => undefined };
  try {
    const verifier = createLineVerifier({ keySet });
    for await (const page of pages((after, limit) => records.quarantine(after, limit), options.limit)) {
      totals.examined += page.length;
      for (const group of byReceivedAt(page)) {
        const { batch, qids } = await reverify(group, verifier);
        if (qids.length === 0 || batch === undefined) continue;
        const summary = await commitBatch(deps, { ...batch, quarantine: [] });
        await records.removeQuarantine(qids);
        totals.verified += qids.length;
        totals.queued += summary.accepted;
        totals.duplicates += summary.duplicates;
      }
    }
  } finally {
    await keySet.close();
  }
  await writeOut(ctx.stdout, retryReport(totals, options.format));
}

async function reverify(group: readonly ClusterQuarantineEntry[], verifier: LineVerifier): Promise<{ batch: IncomingBatch | undefined; qids: number[] }> {
  const { batch, verified } = await reverifyGroup(group, verifier);
  return { batch, qids: verified.map((line) => line.qid) };
}

/**
 * @module cli/quarantine
 * `konnect-audit quarantine list|export|retry`: the lines the receiver kept
 * aside (signature invalid, malformed or missing; unparseable). `retry`
 * verifies them again with the current keys (after a key rotation the
 * receiver had not seen, say) and moves those that now verify into the
 * delivery queue. Safe while `serve` runs on the same data dir (docs/DELIVERY.md).
 */
import { isAbsolute, resolve } from 'node:path';
import { createLineParser } from '../lines/parse-line.js';
import { processBatch } from '../pipeline.js';
import { openStore, type QuarantineEntry, type SqliteStore } from '../store/index.js';
import { parseLimit, previewOf, resolveDataDir, writeOut } from '../store/inspect.js';
import { eventsOfRecords } from '../store/record-codec.js';
import type { BatchSummary, EventToStore, IncomingBatch } from '../store/types.js';
import { createKeySet, createLineVerifier, DEFAULT_JWKS_URL, type LineVerifier } from '../verify/index.js';
import { clusterQuarantineCommand } from '../cluster/cli-records.js';
import { clusterStoreOf } from '../store/jetstream/admin.js';
import { parseCommandArgs, storeSubcommand, usageError } from './args.js';
import type { CliContext, Command } from './context.js';

const USAGE = `Usage: konnect-audit quarantine <list|export|retry> [options]

Lines the receiver kept aside instead of forwarding: signature invalid,
malformed or missing (policy "quarantine"), and lines that could not be parsed.

  list     id, time received, code and reason, and the start of each line
  export   every entry as NDJSON on stdout: {qid, id, kind, code, reason, received_at, raw}
  retry    verify the lines again with the current keys; those that now verify
           go to the delivery queue (a running receiver picks them up within
           its poll interval) and leave the quarantine; the others stay

Options:
  --data-dir DIR        the receiver's data dir (default: KONNECT_AUDIT_DATA_DIR, else ./data)
  --limit N             at most N entries (list: default 50; export, retry: all)
  --format text|json    list and retry output (default text; json = one object per line)
  --jwks URL|FILE       retry: the key set (default: KONNECT_AUDIT_JWKS, else the us region)
  -h, --help

Cluster mode: with KONNECT_AUDIT_STORE set to the NATS URLs (and
KONNECT_AUDIT_NATS_CREDS / KONNECT_AUDIT_NATS_CA when needed), the command
works on the cluster's JetStream instead of --data-dir (docs/CLUSTER.md).

Exit: 0 done, 2 usage or I/O error.
`;

type Sub = 'list' | 'export' | 'retry';

interface Options {
  readonly sub: Sub;
  readonly dataDir: string;
  readonly limit: number;
  readonly format: 'text' | 'json';
  readonly jwks: string | undefined;
}


function parseOptions(ctx: CliContext): Options | 'help' {
  const { values, positionals } = parseCommandArgs(ctx.argv, {
    'data-dir': { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
    jwks: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) return 'help';
  const sub = storeSubcommand(positionals);
  if (values.jwks !== undefined && sub !== 'retry') throw usageError('--jwks applies to retry only');
  if (values.format !== undefined && sub === 'export') throw usageError('export always writes NDJSON; --format applies to list and retry');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw usageError(`--format must be text or json (got '${format}')`);
  if (values.jwks !== undefined && values.jwks.trim() === '') throw usageError('--jwks needs a URL or a file');
  return {
    sub,
    dataDir: resolveDataDir(values['data-dir'], ctx.env, ctx.cwd),
    limit: parseLimit(values.limit, sub === 'list' ? 50 : Number.MAX_SAFE_INTEGER),
    format,
    jwks: values.jwks,
  };
}

export const quarantineCommand: Command = async (ctx) => {
  const options = parseOptions(ctx);
  if (options === 'help') {
    ctx.stdout.write(USAGE);
    return 0;
  }
  // Cluster mode (docs/CLUSTER.md): the quarantine is in JetStream.
  const cluster = clusterStoreOf(ctx.env);
  if (cluster !== undefined) return clusterQuarantineCommand(ctx, cluster, options);
  const store = openStore({ dataDir: options.dataDir, create: false });
  try {
    if (options.sub === 'list') await list(ctx, store, options);
    else if (options.sub === 'export') await exportAll(ctx, store, options.limit);
    else await retry(ctx, store, options);
    return 0;
  } finally {
    await store.close();
  }
};

/** Pages through the quarantine, oldest first. */
async function* entries(store: SqliteStore, limit: number): AsyncGenerator<QuarantineEntry[]> {
  let after = 0;
  let seen = 0;
  while (seen < limit) {
    const page = store.listQuarantine({ after, limit: Math.min(500, limit - seen) });
    const last = page.at(-1);
    if (last === undefined) return;
    after = last.qid;
    seen += page.length;
    yield page;
  }
}

async function list(ctx: CliContext, store: SqliteStore, options: Options): Promise<void> {
  const total = store.stats().quarantineRecords;
  let shown = 0;
  for await (const page of entries(store, options.limit)) {
    shown += page.length;
    const text = page
      .map((e) =>
        options.format === 'json'
          ? `${JSON.stringify({ qid: e.qid, id: e.id, kind: e.kind, code: e.code, reason: e.reason, received_at: e.receivedAt, preview: previewOf(e.raw) })}\n`
          : `#${e.qid}  ${e.receivedAt}  ${e.kind}  ${e.code}  ${e.reason}\n    id ${previewOf(e.id, 24)}  ${previewOf(e.raw)}\n`,
      )
      .join('');
    await writeOut(ctx.stdout, text);
  }
  if (options.format === 'text') await writeOut(ctx.stdout, `${shown} of ${total} quarantined lines${shown < total ? ' (--limit N for more, export for all)' : ''}\n`);
}

async function exportAll(ctx: CliContext, store: SqliteStore, limit: number): Promise<void> {
  for await (const page of entries(store, limit)) {
    const text = page.map((e) => `${JSON.stringify({ qid: e.qid, id: e.id, kind: e.kind, code: e.code, reason: e.reason, received_at: e.receivedAt, raw: e.raw })}\n`).join('');
    await writeOut(ctx.stdout, text);
  }
}

async function retry(ctx: CliContext, store: SqliteStore, options: Options): Promise<void> {
  const keySet = createKeySet({ source: retryKeySource(ctx, options.jwks) });
  await keySet.start();
  const totals = { examined: 0, verified: 0, queued: 0, duplicates: 0 };
  try {
    const verifier = createLineVerifier({ keySet });
    for await (const page of entries(store, options.limit)) {
      totals.examined += page.length;
      const release: { qid: number; event: EventToStore }[] = [];
      for (const group of byReceivedAt(page)) release.push(...(await reverify(group, verifier)));
      const result = store.releaseQuarantine(release);
      totals.verified += release.length;
      totals.queued += result.accepted;
      totals.duplicates += result.duplicates;
    }
  } finally {
    await keySet.close();
  }
  await writeOut(ctx.stdout, retryReport(totals, options.format));
}

/** Where `quarantine retry` takes the key set: --jwks, else KONNECT_AUDIT_JWKS, else Konnect's us region. */
export function retryKeySource(ctx: CliContext, jwks: string | undefined): string {
  const configured = jwks ?? ctx.env['KONNECT_AUDIT_JWKS'] ?? DEFAULT_JWKS_URL;
  // A file path is relative to the command's directory; URLs are left as they are.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(configured) || isAbsolute(configured) ? configured : resolve(ctx.cwd, configured);
}

export interface RetryTotals {
  readonly examined: number;
  readonly verified: number;
  readonly queued: number;
  readonly duplicates: number;
}

/** The one line `quarantine retry` prints, the same for the embedded store and the cluster. */
export function retryReport(totals: RetryTotals, format: 'text' | 'json'): string {
  const stillFailing = totals.examined - totals.verified;
  return format === 'json'
    ? `${JSON.stringify({ examined: totals.examined, verified: totals.verified, queued: totals.queued, duplicates: totals.duplicates, still_failing: stillFailing })}\n`
    : `examined ${totals.examined} quarantined lines: ${totals.verified} now verify (${totals.queued} queued for delivery, ${totals.duplicates} already received), ${stillFailing} still fail and stay\n`;
}

/** Entries of one Konnect batch share their received time, which their events keep. */
export function byReceivedAt<T extends Pick<QuarantineEntry, 'receivedAt'>>(page: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const entry of page) {
    const current = groups.at(-1);
    if (current?.[0]?.receivedAt === entry.receivedAt) current.push(entry);
    else groups.push([entry]);
  }
  return groups;
}

/** What re-verifying one received batch's quarantined lines gave: the batch to store and the lines that now verify. */
export interface Reverified {
  readonly batch: IncomingBatch | undefined;
  readonly verified: readonly { readonly qid: number; readonly id: string; readonly json: string }[];
}

/**
 * The receiver's own data path (pipeline.ts) over the quarantined lines, with
 * a store that only captures the batch: events in it verified with the
 * current keys (policy `quarantine` forwards nothing else). Serves the
 * embedded store and the cluster (cluster/cli-records.ts) alike.
 */
export async function reverifyGroup(group: readonly Pick<QuarantineEntry, 'qid' | 'raw' | 'receivedAt'>[], verifier: LineVerifier): Promise<Reverified> {
  const first = group[0];
  if (first === undefined) return { batch: undefined, verified: [] };
  const receivedMs = Date.parse(first.receivedAt);
  let captured: IncomingBatch | undefined;
  const capture = {
    commitBatch(batch: IncomingBatch): Promise<BatchSummary> {
      captured = batch;
      return Promise.resolve({ accepted: 0, duplicates: 0, quarantined: 0, rejected: 0 });
    },
  };
  const body = Buffer.from(group.map((e) => e.raw).join('\n'), 'utf8');
  await processBatch(body, { lineParser: createLineParser(), verifier, store: capture, policy: 'quarantine', now: () => (Number.isFinite(receivedMs) ? new Date(receivedMs) : new Date()) });
  const qidOf = new Map(group.map((e) => [e.raw, e.qid]));
  const verified: { qid: number; id: string; json: string }[] = [];
  for (const event of eventsOfRecords(captured?.records ?? [])) {
    const qid = event.event === undefined ? undefined : qidOf.get(event.event.raw);
    if (event.event?.signature.status === 'valid' && qid !== undefined) verified.push({ qid, id: event.id, json: event.json });
  }
  return { batch: captured, verified };
}

async function reverify(group: readonly QuarantineEntry[], verifier: LineVerifier): Promise<{ qid: number; event: EventToStore }[]> {
  const { verified } = await reverifyGroup(group, verifier);
  return verified.map(({ qid, id, json }) => ({ qid, event: { id, json, status: 'valid' } }));
}

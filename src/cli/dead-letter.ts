/**
 * @module cli/dead-letter
 * `konnect-audit dead-letter list|export|retry`: events a sink refused for
 * good (HTTP 400 from Splunk, an invalid event number...). `retry` queues
 * them again for the sink that refused them, once its configuration or the
 * data problem is fixed. Safe while `serve` runs on the same data dir.
 */
import { openStore, type DeadLetterEntry, type SqliteStore } from '../store/index.js';
import { parseLimit, previewOf, resolveDataDir, writeOut } from '../store/inspect.js';
import { clusterDeadLetterCommand } from '../cluster/cli-records.js';
import { clusterStoreOf } from '../store/jetstream/admin.js';
import { parseCommandArgs, storeSubcommand, usageError } from './args.js';
import type { CliContext, Command } from './context.js';

const USAGE = `Usage: konnect-audit dead-letter <list|export|retry> [options]

Events a sink rejected for good; each is kept with the sink, the code and the
reason.

  list     sink, time, code and reason, and the start of each event's raw line
  export   every entry as NDJSON on stdout:
           {dlid, sink, id, code, reason, failed_at, event} (event: the normalized event sent)
  retry    queue them again, each for the sink that rejected it (a running
           receiver picks them up within its poll interval); entries of sinks
           that are no longer configured stay

Options:
  --data-dir DIR        the receiver's data dir (default: KONNECT_AUDIT_DATA_DIR, else ./data)
  --sink NAME           only this sink's dead letters
  --limit N             at most N entries (list: default 50; export, retry: all)
  --format text|json    list and retry output (default text; json = one object per line)
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
  readonly sink: string | undefined;
  readonly limit: number;
  readonly format: 'text' | 'json';
}


function parseOptions(ctx: CliContext): Options | 'help' {
  const { values, positionals } = parseCommandArgs(ctx.argv, {
    'data-dir': { type: 'string' },
    sink: { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) return 'help';
  const sub = storeSubcommand(positionals);
  if (values.format !== undefined && sub === 'export') throw usageError('export always writes NDJSON; --format applies to list and retry');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw usageError(`--format must be text or json (got '${format}')`);
  if (values.sink !== undefined && values.sink.trim() === '') throw usageError('--sink needs a sink name');
  return {
    sub,
    dataDir: resolveDataDir(values['data-dir'], ctx.env, ctx.cwd),
    sink: values.sink,
    limit: parseLimit(values.limit, sub === 'list' ? 50 : Number.MAX_SAFE_INTEGER),
    format,
  };
}

export const deadLetterCommand: Command = async (ctx) => {
  const options = parseOptions(ctx);
  if (options === 'help') {
    ctx.stdout.write(USAGE);
    return 0;
  }
  // Cluster mode (docs/CLUSTER.md): the dead letters are in JetStream.
  const cluster = clusterStoreOf(ctx.env);
  if (cluster !== undefined) return clusterDeadLetterCommand(ctx, cluster, options);
  const store = openStore({ dataDir: options.dataDir, create: false });
  try {
    if (options.sink !== undefined && !store.sinks().some((s) => s.name === options.sink)) {
      const known = store.sinks().map((s) => s.name);
      throw usageError(`no sink named '${options.sink}' in this store (known: ${known.length === 0 ? 'none' : known.join(', ')})`);
    }
    if (options.sub === 'list') await list(ctx, store, options);
    else if (options.sub === 'export') await exportAll(ctx, store, options);
    else await retry(ctx, store, options);
    return 0;
  } finally {
    await store.close();
  }
};

async function* entries(store: SqliteStore, options: Options): AsyncGenerator<DeadLetterEntry[]> {
  let after = 0;
  let seen = 0;
  while (seen < options.limit) {
    const page = store.listDeadLetters({ after, limit: Math.min(500, options.limit - seen), ...(options.sink === undefined ? {} : { sink: options.sink }) });
    const last = page.at(-1);
    if (last === undefined) return;
    after = last.dlid;
    seen += page.length;
    yield page;
  }
}

/** The raw Konnect line inside the stored event, for the preview. */
export function rawOf(json: string): string {
  try {
    const raw = (JSON.parse(json) as { raw?: unknown }).raw;
    return typeof raw === 'string' ? raw : json;
  } catch {
    return json;
  }
}

async function list(ctx: CliContext, store: SqliteStore, options: Options): Promise<void> {
  let shown = 0;
  for await (const page of entries(store, options)) {
    shown += page.length;
    const text = page
      .map((d) =>
        options.format === 'json'
          ? `${JSON.stringify({ dlid: d.dlid, sink: d.sink, id: d.id, code: d.code, reason: d.reason, failed_at: d.failedAt, preview: previewOf(rawOf(d.json)) })}\n`
          : `#${d.dlid}  ${d.failedAt}  ${d.sink}  ${d.code}  ${d.reason}\n    id ${previewOf(d.id, 24)}  ${previewOf(rawOf(d.json))}\n`,
      )
      .join('');
    await writeOut(ctx.stdout, text);
  }
  if (options.format === 'text') {
    const total = options.sink === undefined ? store.stats().deadLetterRecords : undefined;
    await writeOut(ctx.stdout, `${shown}${total === undefined ? '' : ` of ${total}`} dead letters${options.sink === undefined ? '' : ` of sink ${options.sink}`}${shown === options.limit ? ' (--limit N for more, export for all)' : ''}\n`);
  }
}

async function exportAll(ctx: CliContext, store: SqliteStore, options: Options): Promise<void> {
  for await (const page of entries(store, options)) {
    // The event is embedded verbatim: the exact JSON the sink was given.
    const text = page
      .map((d) => `${JSON.stringify({ dlid: d.dlid, sink: d.sink, id: d.id, code: d.code, reason: d.reason, failed_at: d.failedAt }).slice(0, -1)},"event":${d.json}}\n`)
      .join('');
    await writeOut(ctx.stdout, text);
  }
}

async function retry(ctx: CliContext, store: SqliteStore, options: Options): Promise<void> {
  const result = store.requeueDeadLetters({ ...(options.sink === undefined ? {} : { sink: options.sink }), ...(options.limit === Number.MAX_SAFE_INTEGER ? {} : { limit: options.limit }) });
  if (result.inactiveSinks.length > 0) {
    ctx.stderr.write(`konnect-audit dead-letter: left the dead letters of sinks not in the receiver's configuration: ${result.inactiveSinks.join(', ')}\n`);
  }
  await writeOut(
    ctx.stdout,
    options.format === 'json'
      ? `${JSON.stringify({ requeued: result.requeued, inactive_sinks: result.inactiveSinks })}\n`
      : `re-queued ${result.requeued} dead letters for delivery${options.sink === undefined ? '' : ` to ${options.sink}`}\n`,
  );
}

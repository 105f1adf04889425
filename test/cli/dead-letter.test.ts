import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { openStore, type SqliteStore } from '../../src/store/index.js';
import { batch, eventJson, tempDir } from '../store/support/batches.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function run(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await runCli({ argv, stdin: new PassThrough(), stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, stdout: out, stderr: err };
}

const all = { maxBytes: 1e9, maxEvents: 1000 };

/** splunk rejected a and b (HTTP 400), file rejected c; the serving store stays open, as under `serve`. */
async function serving(): Promise<{ dir: string; serve: SqliteStore }> {
  const { dir, cleanup } = tempDir('dead-letter-cli');
  cleanups.push(cleanup);
  const serve = openStore({ dataDir: dir, sinkNames: ['splunk', 'file'] });
  cleanups.push(() => serve.close());
  await serve.commitBatch(batch(['a', 'b', 'c']));
  for (const [sink, refused] of [['splunk', ['a', 'b']], ['file', ['c']]] as const) {
    const pending = serve.readPending(sink, all);
    const dead = pending.filter((e) => (refused as readonly string[]).includes(e.id));
    serve.completeDelivery(sink, pending.at(-1)?.seq ?? 0, dead.map((e) => ({ seq: e.seq, id: e.id, json: e.json, code: 'KAR_ERR_SINK_REJECTED' as const, reason: `HTTP 400 from ${sink}` })));
  }
  return { dir, serve };
}

describe('konnect-audit dead-letter', () => {
  it('list shows sink, code, reason and the start of the raw line', async () => {
    const { dir } = await serving();
    const result = await run(['dead-letter', 'list', '--data-dir', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^#1 {2}\S+ {2}splunk {2}KAR_ERR_SINK_REJECTED {2}HTTP 400 from splunk$/m);
    expect(result.stdout).toContain('line a');
    expect(result.stdout).toMatch(/^3 of 3 dead letters$/m);
  });

  it('list --sink file --format json shows only that sink', async () => {
    const { dir } = await serving();
    const result = await run(['dead-letter', 'list', '--data-dir', dir, '--sink', 'file', '--format', 'json']);
    const rows = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([expect.objectContaining({ sink: 'file', id: 'c', code: 'KAR_ERR_SINK_REJECTED', reason: 'HTTP 400 from file', preview: 'line c' })]);
  });

  it('export embeds the exact event the sink was given', async () => {
    const { dir } = await serving();
    const result = await run(['dead-letter', 'export', '--data-dir', dir]);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]?.endsWith(`,"event":${eventJson('a')}}`)).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ dlid: 1, sink: 'splunk', id: 'a', reason: 'HTTP 400 from splunk', event: { id: 'a' } });
  });

  it('retry --sink splunk queues them again for splunk only, seen by the serving process', async () => {
    const { dir, serve } = await serving();
    const result = await run(['dead-letter', 'retry', '--data-dir', dir, '--sink', 'splunk']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('re-queued 2 dead letters for delivery to splunk\n');
    expect(serve.readPending('splunk', all).map((e) => e.id)).toEqual(['a', 'b']);
    expect(serve.readPending('file', all)).toEqual([]);
    expect(serve.listDeadLetters({ limit: 10 }).map((d) => d.id)).toEqual(['c']);
  });

  it('retry leaves the dead letters of a sink no longer configured, and says so', async () => {
    const { dir, serve } = await serving();
    await serve.close();
    await openStore({ dataDir: dir, sinkNames: ['splunk'] }).close();
    const result = await run(['dead-letter', 'retry', '--data-dir', dir, '--format', 'json']);
    expect(JSON.parse(result.stdout)).toEqual({ requeued: 2, inactive_sinks: ['file'] });
    expect(result.stderr).toContain('file');
  });

  it.each([
    { quirk: 'an unknown sink', argv: ['dead-letter', 'list', '--sink', 'nope'], message: "no sink named 'nope' in this store (known: file, splunk)" },
    { quirk: 'an unknown subcommand', argv: ['dead-letter', 'drop'], message: "unknown subcommand 'drop'" },
    { quirk: '--format on export', argv: ['dead-letter', 'export', '--format', 'json'], message: 'export always writes NDJSON' },
  ])('refuses $quirk (KAR_ERR_USAGE, exit 2)', async ({ argv, message }) => {
    const { dir } = await serving();
    const result = await run([...argv, '--data-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('KAR_ERR_USAGE');
  });
});

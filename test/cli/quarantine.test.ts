import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { createLineParser } from '../../src/lines/parse-line.js';
import { processBatch } from '../../src/pipeline.js';
import { openStore, type SqliteStore } from '../../src/store/index.js';
import { fixtureKeyFiles, loadTestKey, makeSignedKonnectLines, testKeyIds } from '../../src/testing/index.js';
import { createKeySet, createLineVerifier } from '../../src/verify/index.js';
import { tempDir } from '../store/support/batches.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function run(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await runCli({ argv, stdin: new PassThrough(), stdout, stderr, env, cwd: process.cwd() });
  return { code, stdout: out, stderr: err };
}

const RECEIVED_AT = '2025-06-23T14:28:48.001Z';
const primary = makeSignedKonnectLines({ format: 'cef', count: 2, seed: 1, key: loadTestKey('primary').privateKey });
const rotated = makeSignedKonnectLines({ format: 'json', count: 3, seed: 2, key: loadTestKey('rotated').privateKey });
const forged = makeSignedKonnectLines({ format: 'cef', count: 2, seed: 3, key: loadTestKey('attacker').privateKey });
const garbage = 'this is not an audit line';

/** A data dir as the receiver leaves it after a batch verified with the keys from before Konnect's rotation. */
async function receiverDataDir(): Promise<{ dir: string; serve: SqliteStore }> {
  const { dir, cleanup } = tempDir('quarantine-cli');
  cleanups.push(cleanup);
  const serve = openStore({ dataDir: dir, sinkNames: ['splunk'] });
  cleanups.push(() => serve.close());
  const keySet = createKeySet({ source: fixtureKeyFiles.jwksBeforeRotation });
  await keySet.start();
  cleanups.push(() => keySet.close());
  const body = Buffer.from([...primary, ...rotated, ...forged, garbage].join('\n'), 'utf8');
  const outcome = await processBatch(body, { lineParser: createLineParser(), verifier: createLineVerifier({ keySet }), store: serve, policy: 'quarantine', now: () => new Date(RECEIVED_AT) });
  expect(outcome.summary).toEqual({ accepted: 2, duplicates: 0, quarantined: 5, rejected: 1 });
  return { dir, serve };
}

const pendingOf = (store: SqliteStore): { id: string; json: string }[] => store.readPending('splunk', { maxBytes: 1e9, maxEvents: 1000 });

describe('konnect-audit quarantine', () => {
  it('list shows each entry with its time, code, reason and the start of the line', async () => {
    const { dir } = await receiverDataDir();
    const result = await run(['quarantine', 'list', '--data-dir', dir]);
    expect(result.code).toBe(0);
    // The pipeline keeps unparseable lines first, then those that failed verification.
    expect(result.stdout).toContain(`#1  ${RECEIVED_AT}  rejected  KAR_ERR_LINE_UNRECOGNIZED`);
    expect(result.stdout).toContain(`#2  ${RECEIVED_AT}  quarantined  KAR_ERR_SIG_INVALID  signature invalid`);
    expect(result.stdout).toContain(rotated[0]?.slice(0, 40).replaceAll('"', '\\"'));
    expect(result.stdout).toMatch(/^6 of 6 quarantined lines$/m);
  });

  it('list --format json --limit 2 gives two objects', async () => {
    const { dir } = await receiverDataDir();
    const result = await run(['quarantine', 'list', '--data-dir', dir, '--format', 'json', '--limit', '2']);
    const rows = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ qid: 2, kind: 'quarantined', code: 'KAR_ERR_SIG_INVALID', received_at: RECEIVED_AT });
  });

  it('export writes every raw line with its reason as NDJSON, exactly as received', async () => {
    const { dir } = await receiverDataDir();
    const result = await run(['quarantine', 'export'], { KONNECT_AUDIT_DATA_DIR: dir });
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { raw: string; reason: string; kind: string });
    expect(rows.map((r) => r.raw)).toEqual([garbage, ...rotated, ...forged]);
    expect(rows[0]).toMatchObject({ kind: 'rejected' });
  });

  it('retry with the rotated key set moves the lines that now verify into the delivery queue, the rest stays', async () => {
    const { dir, serve } = await receiverDataDir();
    const result = await run(['quarantine', 'retry', '--data-dir', dir, '--jwks', fixtureKeyFiles.jwks]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('examined 6 quarantined lines: 3 now verify (3 queued for delivery, 0 already received), 3 still fail and stay\n');
    // The serving process sees them: they are delivered like any other event.
    const queued = pendingOf(serve).slice(2).map((e) => JSON.parse(e.json) as { raw: string; received_at: string; signature: unknown });
    expect(queued.map((e) => e.raw)).toEqual(rotated);
    expect(queued.every((e) => e.received_at === RECEIVED_AT)).toBe(true);
    expect(queued[0]?.signature).toEqual({ status: 'valid', kid: testKeyIds.rotated });
    const left = await run(['quarantine', 'export', '--data-dir', dir]);
    expect(left.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { raw: string }).raw)).toEqual([garbage, ...forged]);
    const again = await run(['quarantine', 'retry', '--data-dir', dir, '--jwks', fixtureKeyFiles.jwks, '--format', 'json']);
    expect(JSON.parse(again.stdout)).toEqual({ examined: 3, verified: 0, queued: 0, duplicates: 0, still_failing: 3 });
  });

  it('retry counts a line that arrived again (verified) meanwhile as already received, not sent twice', async () => {
    const { dir, serve } = await receiverDataDir();
    const keySet = createKeySet({ source: fixtureKeyFiles.jwks });
    await keySet.start();
    cleanups.push(() => keySet.close());
    const replay = Buffer.from(rotated[0] ?? '', 'utf8');
    const replayed = await processBatch(replay, { lineParser: createLineParser(), verifier: createLineVerifier({ keySet }), store: serve, policy: 'quarantine', now: () => new Date() });
    expect(replayed.summary.accepted).toBe(1);
    const result = await run(['quarantine', 'retry', '--data-dir', dir, '--jwks', fixtureKeyFiles.jwks, '--format', 'json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ verified: 3, queued: 2, duplicates: 1 });
    expect(pendingOf(serve)).toHaveLength(2 + 1 + 2);
  });

  it.each([
    { quirk: 'no subcommand', argv: ['quarantine'], code: 2, message: 'KAR_ERR_USAGE' },
    { quirk: 'an unknown subcommand', argv: ['quarantine', 'purge'], code: 2, message: 'KAR_ERR_USAGE' },
    { quirk: 'an unknown option', argv: ['quarantine', 'list', '--color'], code: 2, message: 'KAR_ERR_USAGE' },
    { quirk: '--jwks on list', argv: ['quarantine', 'list', '--jwks', 'x.json'], code: 2, message: 'KAR_ERR_USAGE' },
    { quirk: 'a bad --limit', argv: ['quarantine', 'list', '--limit', '0'], code: 2, message: 'KAR_ERR_USAGE' },
    { quirk: 'a bad --format', argv: ['quarantine', 'list', '--format', 'yaml'], code: 2, message: 'KAR_ERR_USAGE' },
    { quirk: 'a data dir without a store', argv: ['quarantine', 'list', '--data-dir', '/nonexistent/kar-data'], code: 2, message: 'KAR_ERR_IO_READ' },
  ])('refuses $quirk in one line, without a stack trace', async ({ argv, code, message }) => {
    const result = await run(argv);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help prints the usage', async () => {
    const result = await run(['quarantine', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: konnect-audit quarantine <list|export|retry>');
  });
});

/**
 * KONNECT_AUDIT_NATS_CREDS against a real nats-server in operator
 * (decentralized JWT) mode: operator, system account and a JetStream-enabled
 * account preloaded into a MEMORY resolver, users' .creds files made with
 * @nats-io/jwt (test/cluster/support/nats-auth.ts).
 *
 * - the receiver's user: `serve` becomes ready, a signed batch is answered
 *   200 and delivered once; `quarantine list` reads the cluster with the creds;
 * - no creds, an expired or revoked user, a user of an account the server does
 *   not know: no 200 for a POST; the start fails with a code on one line,
 *   without a stack trace, a JWT or a seed in what the process printed;
 * - a creds file that is missing or is not a creds file: a configuration
 *   error (KAR_ERR_CONFIG_INVALID) naming the file, for `serve` and the CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixtureKeyFiles, loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { externalDaemon } from '../support/external-daemon.js';
import { startOperatorModeServer, startServe, type OperatorModeServer, type ServeProcess, type TestUser } from './support/nats-auth.js';
import { bin, post, readyz, root, startCollector, TOKEN, type Collector } from './support/receivers.js';

const nats = externalDaemon('nats-server', 'nats-server');
const run = promisify(execFile);

/** A failure the way a person sees it: one line naming a code, no stack frame. */
const STACK_FRAME = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

describe.runIf(nats.path !== undefined)('KONNECT_AUDIT_NATS_CREDS on a nats-server in operator mode', () => {
  let server: OperatorModeServer;
  let collector: Collector;
  let dir: string;
  const running: ServeProcess[] = [];
  let nextDataDir = 0;

  const serve = async (extraEnv: Record<string, string>): Promise<ServeProcess> => {
    const receiver = await startServe({
      bin,
      cwd: root,
      natsUrl: server.url,
      sinkUrl: collector.url,
      // The key set before the rotation: lines signed with the rotated key are quarantined.
      jwks: fixtureKeyFiles.jwksBeforeRotation,
      token: TOKEN,
      dataDir: join(dir, `r${nextDataDir++}`),
      extraEnv,
    });
    running.push(receiver);
    return receiver;
  };
  const cli = async (env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root, env: { PATH: process.env['PATH'] ?? '', KONNECT_AUDIT_STORE: server.url, ...env }, timeout: 30_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };
  const expectNoSecret = (text: string): void => {
    for (const secret of server.trust.secrets) expect(text.includes(secret), 'a JWT or an NKey seed was printed').toBe(false);
    expect(text).not.toMatch(/\bSU[A-Z2-7]{56}\b/);
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  };

  beforeAll(async () => {
    if (nats.path === undefined) return;
    expect(existsSync(bin), 'dist/cli/bin.js is missing: run `npx tsc -p tsconfig.build.json` (npm test does)').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'kar-creds-'));
    collector = await startCollector();
    server = await startOperatorModeServer(nats.path);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(running.map((receiver) => receiver.stop()));
    await collector?.close();
    await server?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('with the receiver user\'s creds: ready, a signed batch answered 200 and delivered once, quarantine list reads the cluster', async () => {
    const receiver = await serve({ KONNECT_AUDIT_NATS_CREDS: server.trust.creds.receiver });
    expect(await receiver.outcome, receiver.output()).toBe('listening');
    await vi.waitFor(async () => expect(await readyz(receiver.base)).toBe(200), { timeout: 30_000, interval: 250 });

    const lines = makeSignedKonnectLines({ format: 'cef', count: 5, seed: 9101, key: loadTestKey('primary').privateKey });
    const answer = await post(receiver.url, lines);
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ accepted: 5 });
    await vi.waitFor(() => expect(lines.map((line) => collector.counts.get(line) ?? 0)).toEqual([1, 1, 1, 1, 1]), { timeout: 30_000, interval: 250 });

    const rotated = makeSignedKonnectLines({ format: 'cef', count: 2, seed: 9102, key: loadTestKey('rotated').privateKey });
    expect(JSON.parse((await post(receiver.url, rotated)).body)).toMatchObject({ quarantined: 2 });
    const listed = await cli({ KONNECT_AUDIT_NATS_CREDS: server.trust.creds.receiver }, 'quarantine', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('2 of 2 quarantined lines');
    // Settle: nothing is delivered a second time.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(lines.map((line) => collector.counts.get(line) ?? 0)).toEqual([1, 1, 1, 1, 1]);
    expectNoSecret(receiver.output() + listed.stdout + listed.stderr);
  }, 90_000);

  // Each row: what the receiver is given, and the reason nats-server (run with -D) logs for refusing it.
  const refused: [string, TestUser | undefined, RegExp][] = [
    ['no creds at all', undefined, /Authentication requires a user JWT/],
    ['an expired user JWT', 'expired', /User JWT no longer valid: .*claim is expired/],
    ['a user JWT revoked in its account JWT', 'revoked', /User authentication revoked/],
    ['a user of an account the server does not know', 'unknown-account', /Account JWT lookup error: account missing/],
  ];

  it.each(refused)('with %s: the start fails with a code on one line, no secret printed, no 200', async (_, user, serverReason) => {
    const env = user === undefined ? {} : { KONNECT_AUDIT_NATS_CREDS: server.trust.creds[user] };
    const logBefore = server.log().length;
    const receiver = await serve(env);
    const outcome = await receiver.outcome;
    const printed = receiver.output();
    expect(outcome, printed).toEqual({ code: 2, signal: null });
    expect(printed).toMatch(/^konnect-audit serve: cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: Authorization Violation \(KAR_ERR_STORE_UNAVAILABLE\)$/m);
    expect(printed).not.toMatch(STACK_FRAME);
    expectNoSecret(printed);
    // Nothing listens: Konnect gets no answer (it retries), never a 200.
    expect((await post(receiver.url, makeSignedKonnectLines({ format: 'cef', count: 1, seed: 9200, key: loadTestKey('primary').privateKey }))).status).toBe(0);

    const listed = await cli(env, 'quarantine', 'list');
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(/^konnect-audit quarantine: cannot connect to NATS at .*: Authorization Violation \(KAR_ERR_STORE_UNAVAILABLE\)$/m);
    expect(listed.stderr).not.toMatch(STACK_FRAME);
    expectNoSecret(listed.stdout + listed.stderr);
    // Refused for this row's reason, not another one.
    expect(server.log().slice(logBefore)).toMatch(serverReason);
  }, 60_000);

  const broken: [string, (file: string) => void][] = [
    ['does not exist', () => undefined],
    ['is not a creds file', (file) => writeFileSync(file, 'user = "kar"\npassword = "not a creds file"\n')],
    ['holds a JWT block but a broken seed', (file) => writeFileSync(file, '-----BEGIN NATS USER JWT-----\neyJhIjoxfQ.eyJiIjoyfQ.c2ln\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\nSUNOTASEED\n------END USER NKEY SEED------\n')],
  ];

  it.each(broken)('with a creds file that %s: a configuration error naming the file, from serve and from the CLI', async (name, make) => {
    const file = join(dir, `${name.replaceAll(' ', '-')}.creds`);
    make(file);
    const receiver = await serve({ KONNECT_AUDIT_NATS_CREDS: file });
    const outcome = await receiver.outcome;
    expect(outcome, receiver.output()).toEqual({ code: 2, signal: null });
    expect(receiver.output()).toMatch(new RegExp(`^konnect-audit serve: KONNECT_AUDIT_NATS_CREDS: .*${file.replaceAll('.', '\\.')}.* \\(KAR_ERR_CONFIG_INVALID\\)$`, 'm'));
    expect(receiver.output()).not.toMatch(STACK_FRAME);
    expect(receiver.output()).not.toContain('SUNOTASEED');

    const listed = await cli({ KONNECT_AUDIT_NATS_CREDS: file }, 'quarantine', 'list');
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(/^konnect-audit quarantine: KONNECT_AUDIT_NATS_CREDS: .* \(KAR_ERR_CONFIG_INVALID\)$/m);
    expect(listed.stderr).not.toMatch(STACK_FRAME);
  }, 60_000);
});

/**
 * A real nats-server in operator (decentralized JWT) mode for the
 * KONNECT_AUDIT_NATS_CREDS tests, and the identities it trusts, made with
 * nats-io's own JWT library (what `nsc` does; Debian does not package nsc):
 *
 * - an operator, whose JWT names the system account;
 * - the system account and the receivers' account, preloaded into the
 *   server's MEMORY resolver; the receivers' account has JetStream in its
 *   JWT limits (-1: unlimited, as `nsc edit account --js-disk-storage -1`);
 * - .creds files for users of that account, and for users the server must
 *   refuse (expired, revoked in the account JWT, of an account it does not know).
 *
 * One node on loopback, JetStream on files in a temp dir, killed by `stop()`
 * and, as a last resort, when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOnExit } from '../../support/kill-on-exit.js';
import { createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, fmtCreds, type KeyPair, type OperatorLimits } from '@nats-io/jwt';
import { freePort } from './nats-cluster.js';
import { clusterServeEnv } from './receivers.js';


/** Account limits with nothing limited: an account JWT that omits one means 0 (no connections, no subscriptions). */
const UNLIMITED: OperatorLimits = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };
/** JetStream is on for an account when its JWT gives it storage. */
const JETSTREAM_UNLIMITED: OperatorLimits = { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };

/** Seconds since the epoch, the unit of JWT dates. */
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Users whose .creds the tests write; `revoked` is listed in the account JWT's revocations. */
export type TestUser = 'receiver' | 'revoked' | 'expired' | 'unknown-account';

export interface OperatorTrust {
  readonly operatorJwt: string;
  readonly systemAccount: string;
  /** Account public key → account JWT: what the server's resolver_preload holds. */
  readonly preload: ReadonlyMap<string, string>;
  /** The .creds file (user JWT + seed) of each test user, written by `createOperatorTrust`. */
  readonly creds: Readonly<Record<TestUser, string>>;
  /** Every user JWT and seed written, for asserting that no output shows one. */
  readonly secrets: readonly string[];
}

async function userCreds(dir: string, name: TestUser, account: KeyPair, exp?: number): Promise<{ file: string; jwt: string; seed: string; publicKey: string }> {
  const user = createUser();
  const jwt = await encodeUser(`kar-${name}`, user, account, {}, exp === undefined ? {} : { exp });
  const file = join(dir, `${name}.creds`);
  writeFileSync(file, fmtCreds(jwt, user), { mode: 0o600 });
  return { file, jwt, seed: new TextDecoder().decode(user.getSeed()), publicKey: user.getPublicKey() };
}

/** The operator, its accounts and the test users' .creds files in `dir`. */
export async function createOperatorTrust(dir: string): Promise<OperatorTrust> {
  const operator = createOperator();
  const system = createAccount();
  const account = createAccount();
  // Signed by the same operator but never given to the server: its users cannot be resolved.
  const stranger = createAccount();
  const users = {
    receiver: await userCreds(dir, 'receiver', account),
    revoked: await userCreds(dir, 'revoked', account),
    expired: await userCreds(dir, 'expired', account, nowSeconds() - 60),
    'unknown-account': await userCreds(dir, 'unknown-account', stranger),
  };
  const operatorJwt = await encodeOperator('kar-test-operator', operator, { system_account: system.getPublicKey() });
  const systemJwt = await encodeAccount('SYS', system, { limits: UNLIMITED }, { signer: operator });
  // A revocation covers the user's JWTs issued at or before its time.
  const accountJwt = await encodeAccount('KAR', account, { limits: { ...UNLIMITED, ...JETSTREAM_UNLIMITED }, revocations: { [users.revoked.publicKey]: nowSeconds() } }, { signer: operator });
  return {
    operatorJwt,
    systemAccount: system.getPublicKey(),
    preload: new Map([
      [system.getPublicKey(), systemJwt],
      [account.getPublicKey(), accountJwt],
    ]),
    creds: { receiver: users.receiver.file, revoked: users.revoked.file, expired: users.expired.file, 'unknown-account': users['unknown-account'].file },
    secrets: Object.values(users).flatMap((u) => [u.jwt, u.seed]),
  };
}

/** The server configuration in operator mode (docs/CLUSTER.md shows it). */
export function operatorModeConfig(node: { port: number; monitorPort: number; storeDir: string }, trust: OperatorTrust): string {
  return [
    'server_name: kar-auth',
    `listen: 127.0.0.1:${node.port}`,
    `http: 127.0.0.1:${node.monitorPort}`,
    `operator: "${trust.operatorJwt}"`,
    `system_account: ${trust.systemAccount}`,
    'resolver: MEMORY',
    'resolver_preload: {',
    ...[...trust.preload].map(([key, jwt]) => `  ${key}: "${jwt}"`),
    '}',
    'jetstream {',
    `  store_dir: "${node.storeDir}"`,
    '  max_memory_store: 64MB',
    '  max_file_store: 2GB',
    '}',
    '',
  ].join('\n');
}

export interface OperatorModeServer {
  readonly url: string;
  readonly dir: string;
  readonly trust: OperatorTrust;
  /** What nats-server wrote (its log), for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/** Waits until the monitoring port reports JetStream on, or throws after `timeoutMs`. */
async function waitJetStream(monitorPort: number, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited (${String(child.exitCode)}): ${log().slice(-2000)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${monitorPort}/jsz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok && ((await response.json()) as { config?: unknown }).config !== undefined) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nats-server in operator mode: JetStream not up after ${timeoutMs} ms: ${log().slice(-2000)}`);
}

export async function startOperatorModeServer(binary: string): Promise<OperatorModeServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kar-nats-auth-'));
  const output: Buffer[] = [];
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((done) => child?.once('exit', () => done()));
      child.kill('SIGKILL');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const log = (): string => Buffer.concat(output).toString('utf8');
  try {
    const trust = await createOperatorTrust(dir);
    const [port, monitorPort] = [await freePort(), await freePort()];
    const storeDir = join(dir, 'jetstream');
    mkdirSync(storeDir);
    const configFile = join(dir, 'operator-mode.conf');
    writeFileSync(configFile, operatorModeConfig({ port, monitorPort, storeDir }, trust));
    const started = spawn(binary, ['-c', configFile, '-D'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    killOnExit(started);
    started.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    started.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    await waitJetStream(monitorPort, started, log);
    return { url: `nats://127.0.0.1:${port}`, dir, trust, log, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface ServeProcess {
  readonly base: string;
  readonly url: string;
  /** stdout and stderr so far (the receiver logs to stderr). */
  output(): string;
  /** 'listening', or how the process ended when it stopped before listening. */
  readonly outcome: Promise<'listening' | { code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * `node dist/cli/bin.js serve` in cluster mode against one NATS server
 * (replicas 1), with `extraEnv` on top (KONNECT_AUDIT_NATS_CREDS); everything
 * it prints is kept, to assert what a failing start says and that no secret shows.
 */
export async function startServe(options: { readonly bin: string; readonly cwd: string; readonly natsUrl: string; readonly sinkUrl: string; readonly jwks: string; readonly token: string; readonly dataDir: string; readonly extraEnv?: Readonly<Record<string, string>> }, timeoutMs = 30_000): Promise<ServeProcess> {
  const port = await freePort();
  const env = clusterServeEnv({ ...options, port, store: options.natsUrl }, { KONNECT_AUDIT_NATS_REPLICAS: '1', ...options.extraEnv });
  const child = spawn(process.execPath, [options.bin, 'serve'], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  const output: Buffer[] = [];
  const text = (): string => Buffer.concat(output).toString('utf8');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('close', (code, signal) => done({ code, signal })),
  );
  const listening = new Promise<'listening'>((done) => {
    const watch = (chunk: Buffer): void => {
      output.push(chunk);
      if (text().includes('"receiver listening"')) done('listening');
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`serve neither listened nor exited within ${timeoutMs} ms: ${text().slice(-2000)}`)), timeoutMs);
  });
  const outcome = Promise.race([listening, exited, deadline]).finally(() => clearTimeout(timer));
  // A rejection is the test's to see (it awaits outcome); this keeps it from being reported as unhandled first.
  outcome.catch(() => undefined);
  return {
    base: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/audit-logs`,
    output: text,
    outcome,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

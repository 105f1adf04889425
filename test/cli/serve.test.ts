/**
 * `konnect-audit serve`: configuration errors end in one clear message and
 * exit 2 (in-process through runCli), and the real process serves a batch
 * and shuts down on SIGTERM with exit 0.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { fixtureKeyFiles, loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { makeCert, postLikeKonnect, TOKEN, type TestCert } from '../intake/support.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'dist/cli/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'kar-serve-cli-'));
let cert: TestCert;

function baseEnv(): Record<string, string> {
  return {
    KONNECT_AUDIT_AUTHORIZATION: TOKEN,
    KONNECT_AUDIT_HOST: '127.0.0.1',
    KONNECT_AUDIT_PORT: '0',
    KONNECT_AUDIT_TLS_CERT: cert.certFile,
    KONNECT_AUDIT_TLS_KEY: cert.keyFile,
    KONNECT_AUDIT_DATA_DIR: join(dir, 'data'),
    KONNECT_AUDIT_JWKS: fixtureKeyFiles.jwks,
    KONNECT_AUDIT_SINK: `file:${join(dir, 'events.ndjson')}`,
  };
}

async function serveInProcess(env: Record<string, string>, argv: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli({ argv: ['serve', ...argv], stdin: new PassThrough(), stdout, stderr, env, cwd: dir });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

beforeAll(async () => {
  cert = await makeCert(dir);
});

describe('serve: configuration errors (exit 2, one clear message, no stack)', () => {
  const without = (name: string): Record<string, string> => Object.fromEntries(Object.entries(baseEnv()).filter(([key]) => key !== name));

  it.each([
    ['no Authorization value', () => without('KONNECT_AUDIT_AUTHORIZATION'), [], 'KAR_ERR_CONFIG_NO_AUTHORIZATION', 'KONNECT_AUDIT_AUTHORIZATION'],
    ['unreadable certificate', () => ({ ...baseEnv(), KONNECT_AUDIT_TLS_CERT: join(dir, 'missing.pem') }), [], 'KAR_ERR_CONFIG_TLS', 'missing.pem cannot be read (ENOENT)'],
    ['a key that is not the certificate’s', () => ({ ...baseEnv(), KONNECT_AUDIT_TLS_KEY: cert.certFile }), [], 'KAR_ERR_CONFIG_TLS', 'is not a PEM private key'],
    ['bad port', () => ({ ...baseEnv(), KONNECT_AUDIT_PORT: '99999' }), [], 'KAR_ERR_CONFIG_INVALID', 'KONNECT_AUDIT_PORT: must be a whole number from 0 to 65535'],
    ['unknown key in the config file', () => ({ ...baseEnv(), KONNECT_AUDIT_CONFIG: writeConfig({ prot: 1 }) }), [], 'KAR_ERR_CONFIG_INVALID', 'unknown key "prot"'],
    ['a flag value that reads but is out of range', () => baseEnv(), ['--port', '70000'], 'KAR_ERR_CONFIG_INVALID', '--port: must be a whole number from 0 to 65535 (got 70000)'],
  ])('%s', async (_quirk, env, argv, code, words) => {
    const result = await serveInProcess(env(), argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`(${code})`);
    expect(result.stderr).toContain(words);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain(TOKEN);
  });

  it.each([
    ['an unknown option', ['--prot', '1'], "Unknown option '--prot'"],
    ['a missing value', ['--host', '127.0.0.1', '--port'], "Option '--port <value>' argument missing"],
    ['a value that is not a whole number', ['--port', 'eighty'], "Option '--port' takes a whole number (got 'eighty')"],
    ['a boolean word it cannot read', ['--insecure-http=maybe'], "Option '--insecure-http' takes no value, or one of true, false, 1, 0, yes, no, on, off (got 'maybe')"],
    ['an Authorization value on the command line (never printed)', ['--authorization', 'Bearer s3cr3t'], "Unknown option '--authorization' (Authorization values are secrets: use KONNECT_AUDIT_AUTHORIZATION or --authorization-file)"],
  ])('%s: the shared usage line (cli/args), exit 2, nothing else printed, as a real process', (_quirk, argv, message) => {
    ensureBuilt();
    // A configuration that is also wrong (no Authorization, no TLS): the command line is reported alone, first.
    const run = spawnSync(process.execPath, [bin, 'serve', ...argv], { cwd: dir, env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' });
    expect({ code: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 2, stdout: '', stderr: `konnect-audit serve: ${message}; see --help (KAR_ERR_USAGE)\n` });
  });

  it('--help lists every variable and exits 0', async () => {
    const result = await serveInProcess({}, ['--help']);
    expect(result.code).toBe(0);
    for (const name of ['KONNECT_AUDIT_AUTHORIZATION', 'KONNECT_AUDIT_TLS_CERT', '--max-inflated-bytes', 'KONNECT_AUDIT_CONFIG']) expect(result.stdout).toContain(name);
  });
});

function writeConfig(value: unknown): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

function newest(path: string): number {
  return Math.max(...readdirSync(path).map((name) => statSync(join(path, name)).mtimeMs));
}

/** Builds dist/ when it is missing or older than the sources of serve (`npm test` builds first anyway). */
function ensureBuilt(): void {
  const built = join(root, 'dist/cli/serve.js');
  const sources = Math.max(newest(join(root, 'src/intake')), newest(join(root, 'src/config')), statSync(join(root, 'src/cli/serve.ts')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--noEmitOnError', 'false'], { cwd: root, stdio: 'ignore' });
}

describe('serve as a real process', () => {
  let child: ChildProcessWithoutNullStreams;
  let stderr = '';
  let url: string;

  beforeAll(async () => {
    ensureBuilt();
    child = spawn(process.execPath, [bin, 'serve'], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', ...baseEnv() } });
    url = await new Promise<string>((resolveUrl, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /"url":"([^"]+)"/.exec(stderr);
        if (match?.[1] !== undefined) resolveUrl(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('logs its effective configuration without secrets, stores a batch, and exits 0 on SIGTERM', async () => {
    const startup = stderr.split('\n').find((line) => line.includes('receiver listening')) ?? '';
    expect(JSON.parse(startup)).toMatchObject({ level: 30, acceptedAuthorizationValues: 1, config: { authorization: '[redacted]', port: 0, path: '/audit-logs' } });
    expect(stderr).not.toContain(TOKEN.slice('Bearer '.length));

    const lines = makeSignedKonnectLines({ format: 'cef', count: 3, seed: 99, key: loadTestKey('primary').privateKey });
    const answer = await postLikeKonnect(url, cert.cert, lines);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ accepted: 3, duplicates: 0, quarantined: 0, rejected: 0 });

    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('receiver stopped');
    expect(stderr).not.toContain(TOKEN.slice('Bearer '.length));
  });
});

/**
 * Issue 12: under a supervisor (systemd, `docker stop`, a script's `kill`)
 * SIGTERM goes to the one process the supervisor started. Started the ways
 * the README and docs/deploy/ document, that process is node itself: it exits
 * 0 within the shutdown bound and leaves nothing behind, neither a process
 * nor the port. (Through `npx`, npm would exit 143 and orphan the receiver.)
 */
describe('serve under a supervisor: SIGTERM to the started process ends everything', () => {
  const SHUTDOWN_TIMEOUT_MS = 3_000;
  // serve's bound: the in-flight batches, then the sinks, each within the shutdown timeout (docs/deploy/README.md).
  const EXIT_BOUND_MS = 2 * SHUTDOWN_TIMEOUT_MS + 10_000;

  /** The installed `konnect-audit`: npm links the package's bin (dist/cli/bin.js, `#!/usr/bin/env node`) into a bin directory. */
  function installedBin(): string {
    const link = join(dir, 'global', 'bin', 'konnect-audit');
    if (!existsSync(link)) {
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(bin, link);
    }
    // `npm run build` makes bin.js executable; a bare tsc build (ensureBuilt) does not.
    chmodSync(bin, 0o755);
    return link;
  }

  /** Pids of the processes whose parent is `pid` (Linux /proc). */
  function childrenOf(pid: number): number[] {
    const found: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may hold spaces, hence after the last ')'.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === pid) found.push(Number(name));
      } catch {
        // The process ended while the list was read.
      }
    }
    return found;
  }

  function groupAlive(pgid: number): boolean {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  }

  function portIsFree(port: number): Promise<boolean> {
    return new Promise((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
  }

  it.each([
    ['`node dist/cli/bin.js serve` (the Docker ENTRYPOINT; a systemd ExecStart naming node)', () => [process.execPath, [bin, 'serve']] as const],
    ['`konnect-audit serve` through the installed bin link (npm install -g, node_modules/.bin; the unit\'s ExecStart)', () => [installedBin(), ['serve']] as const],
  ])('%s', async (_how, command) => {
    ensureBuilt();
    const [file, args] = command();
    const env = {
      // node must be on PATH for `#!/usr/bin/env node`, as it is for a global install.
      PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
      ...baseEnv(),
      KONNECT_AUDIT_DATA_DIR: join(dir, `data-${Math.random().toString(36).slice(2)}`),
      KONNECT_AUDIT_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    };
    // Its own process group, as a service has: whatever it might start stays in it and can be looked for after.
    const child = spawn(file, [...args], { cwd: dir, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    const pid = child.pid as number;
    let stderr = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /"url":"([^"]+)"/.exec(stderr);
          if (match?.[1] !== undefined) resolveUrl(match[1]);
        });
        void exited.then(({ code }) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const port = Number(new URL(url).port);
      const lines = makeSignedKonnectLines({ format: 'json', count: 2, seed: 7, key: loadTestKey('primary').privateKey });
      expect((await postLikeKonnect(url, cert.cert, lines)).status).toBe(200);

      // The process the supervisor signals is node itself (env replaced itself with it), and it has no child process.
      expect(readlinkSync(`/proc/${pid}/exe`)).toBe(realpathSync(process.execPath));
      expect(childrenOf(pid)).toEqual([]);

      child.kill('SIGTERM');
      let bound: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([exited, new Promise<'still running'>((done) => (bound = setTimeout(() => done('still running'), EXIT_BOUND_MS)))]);
      clearTimeout(bound);
      expect(outcome).toEqual({ code: 0, signal: null });
      expect(stderr).toContain('receiver stopped');
      expect(groupAlive(pid)).toBe(false);
      expect(await portIsFree(port)).toBe(true);
    } finally {
      if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    }
  });
});

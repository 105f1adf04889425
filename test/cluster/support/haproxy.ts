/**
 * HAProxy (Debian's) in front of test receivers, with the documented
 * configuration (ops/haproxy/haproxy.cfg): only the bind line, the server
 * lines and the errorfile folder are replaced, for loopback ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOnExit } from '../../support/kill-on-exit.js';
import { freePort } from './nats-cluster.js';
import { root } from './receivers.js';

export interface HaproxyProcess {
  readonly url: string;
  /** What HAProxy logged lately (for a failing test's message). */
  logs(): string;
  stop(): Promise<void>;
}

export function haproxyConfig(port: number, servers: readonly number[]): string {
  const documented = readFileSync(join(root, 'ops/haproxy/haproxy.cfg'), 'utf8');
  const lines = documented
    .replaceAll('/etc/haproxy/errors', join(root, 'ops/haproxy/errors'))
    .replace(/^\s*bind .*$/m, `  bind 127.0.0.1:${port}`)
    .split('\n')
    .filter((line) => !/^\s*server receiver\d/.test(line));
  return [...lines, ...servers.map((p, i) => `  server receiver${i + 1} 127.0.0.1:${p}`), ''].join('\n');
}

export async function startHaproxy(binary: string, servers: readonly number[]): Promise<HaproxyProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kar-haproxy-'));
  const port = await freePort();
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(port, servers));
  const child: ChildProcess = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  let logs = '';
  child.stdout?.on('data', (chunk: Buffer) => (logs = (logs + chunk.toString('utf8')).slice(-20_000)));
  killOnExit(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${errors}`);
    try {
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (i > 100) throw new Error(`haproxy did not listen: ${errors}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    logs: () => `${errors}${logs}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGKILL');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

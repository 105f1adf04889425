/**
 * A real nats-server cluster on loopback for the cluster-mode tests: N nodes
 * (three by default) with JetStream on files in a temp dir, routes between
 * them, each node stoppable (SIGKILL or SIGTERM) and restartable on the same
 * ports and store. Every process is killed by `stop()` and, as a last resort,
 * when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOnExit } from '../../support/kill-on-exit.js';

export interface NatsNode {
  readonly name: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly url: string;
  readonly configFile: string;
  readonly storeDir: string;
  /** The running process, or undefined while stopped. */
  process: ChildProcess | undefined;
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** Comma-separated client URLs, as KONNECT_AUDIT_STORE takes them. */
  readonly urls: string;
  readonly dir: string;
  kill(index: number, signal?: NodeJS.Signals): Promise<void>;
  restart(index: number): Promise<void>;
  /** Waits until every running node reports JetStream healthy (meta leader known). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A free loopback port (bound then released: good enough on a test machine). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The nats-server configuration the tests use (docs/CLUSTER.md shows it). */
export function natsNodeConfig(node: { name: string; port: number; monitorPort: number; clusterPort: number; storeDir: string }, routes: readonly number[], tls?: NatsTls, maxPayload?: number): string {
  return [
    `server_name: ${node.name}`,
    ...(maxPayload === undefined ? [] : [`max_payload: ${maxPayload}`]),
    `listen: 127.0.0.1:${node.port}`,
    `http: 127.0.0.1:${node.monitorPort}`,
    ...(tls === undefined ? [] : ['tls {', `  cert_file: "${tls.certFile}"`, `  key_file: "${tls.keyFile}"`, '}']),
    'jetstream {',
    `  store_dir: "${node.storeDir}"`,
    '  max_memory_store: 64MB',
    '  max_file_store: 2GB',
    '}',
    ...(routes.length === 0
      ? []
      : ['cluster {', '  name: kar-test', `  listen: 127.0.0.1:${node.clusterPort}`, `  routes: [${routes.map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}]`, '}']),
    '',
  ].join('\n');
}

/** TLS on the client port (clients must trust the certificate's CA). */
export interface NatsTls {
  readonly certFile: string;
  readonly keyFile: string;
}

export async function startNatsCluster(binary: string, size = 3, options: { readonly tls?: NatsTls; readonly maxPayload?: number } = {}): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kar-nats-'));
  const ports = await Promise.all(Array.from({ length: size * 3 }, () => freePort()));
  const clusterPorts = Array.from({ length: size }, (_, i) => ports[i * 3 + 2] ?? 0);
  const nodes: NatsNode[] = Array.from({ length: size }, (_, i) => {
    const name = `n${i + 1}`;
    const storeDir = join(dir, name);
    mkdirSync(storeDir, { recursive: true });
    const spec = { name, port: ports[i * 3] ?? 0, monitorPort: ports[i * 3 + 1] ?? 0, clusterPort: clusterPorts[i] ?? 0, storeDir };
    const configFile = join(dir, `${name}.conf`);
    writeFileSync(configFile, natsNodeConfig(spec, size > 1 ? clusterPorts.filter((_, j) => j !== i) : [], options.tls, options.maxPayload));
    return { name, port: spec.port, monitorPort: spec.monitorPort, url: `${options.tls === undefined ? 'nats' : 'tls'}://127.0.0.1:${spec.port}`, configFile, storeDir, process: undefined };
  });

  function launch(node: NatsNode): void {
    const child = spawn(binary, ['-c', node.configFile], { stdio: ['ignore', 'ignore', 'ignore'] });
    killOnExit(child);
    node.process = child;
  }

  async function exited(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  }

  async function healthy(node: NatsNode): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz`, { signal: AbortSignal.timeout(1000) });
      if (!response.ok) return false;
      const jsz = (await response.json()) as { meta_cluster?: { leader?: string }; config?: unknown };
      return size === 1 ? jsz.config !== undefined : (jsz.meta_cluster?.leader ?? '') !== '';
    } catch {
      return false;
    }
  }

  const cluster: NatsCluster = {
    nodes,
    urls: nodes.map((n) => n.url).join(','),
    dir,
    async kill(index, signal = 'SIGKILL') {
      const node = nodes[index];
      const child = node?.process;
      if (node === undefined || child === undefined) return;
      child.kill(signal);
      await exited(child);
      node.process = undefined;
    },
    async restart(index) {
      const node = nodes[index];
      if (node === undefined || node.process !== undefined) return;
      launch(node);
      await Promise.resolve();
    },
    async waitHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const running = nodes.filter((n) => n.process !== undefined);
        const states = await Promise.all(running.map((n) => healthy(n)));
        if (states.every(Boolean)) return;
        if (Date.now() > deadline) throw new Error(`nats cluster not healthy after ${timeoutMs} ms: ${running.map((n, i) => `${n.name}=${String(states[i])}`).join(' ')}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      await Promise.all(nodes.map((_, i) => cluster.kill(i)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const node of nodes) launch(node);
  try {
    await cluster.waitHealthy();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

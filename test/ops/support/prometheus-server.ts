/**
 * A real Prometheus server for tests, on loopback: scrapes one receiver
 * (job `konnect-audit`, HTTPS with the test CA) and evaluates a rule file,
 * both every second. The caller's test timeout bounds every wait.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOnExit } from '../../support/kill-on-exit.js';

export interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing' | 'inactive';
}

export interface RunningPrometheus {
  /** Resolves once the instant query returns at least one series. */
  waitForQuery(query: string): Promise<void>;
  /** Resolves with the firing alerts once every name in `names` is among them. */
  waitForAlerts(names: readonly string[]): Promise<PrometheusAlert[]>;
  alerts(): Promise<PrometheusAlert[]>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  readonly binary: string;
  readonly rules: string;
  /** host:port of the receiver. */
  readonly target: string;
  readonly caFile: string;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'kar-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${JSON.stringify(options.rules)}`,
      'scrape_configs:',
      '  - job_name: konnect-audit',
      '    scheme: https',
      '    tls_config:',
      `      ca_file: ${JSON.stringify(options.caFile)}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(options.target)}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = killOnExit(spawn(options.binary, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  async function api<T>(path: string): Promise<T | undefined> {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${log}`);
    try {
      const response = await fetch(`${base}${path}`);
      if (!response.ok) return undefined;
      return ((await response.json()) as { data: T }).data;
    } catch {
      return undefined; // not listening yet
    }
  }

  async function alerts(): Promise<PrometheusAlert[]> {
    return (await api<{ alerts: PrometheusAlert[] }>('/api/v1/alerts'))?.alerts ?? [];
  }

  return {
    async waitForQuery(query) {
      for (;;) {
        const data = await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(query)}`);
        if (data !== undefined && data.result.length > 0) return;
        await pause(200);
      }
    },
    async waitForAlerts(names) {
      for (;;) {
        const firing = (await alerts()).filter((alert) => alert.state === 'firing');
        if (names.every((name) => firing.some((alert) => alert.labels.alertname === name))) return firing;
        await pause(200);
      }
    },
    alerts,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

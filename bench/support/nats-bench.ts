/**
 * @module bench/support/nats-bench
 * `npm run bench:receiver -- --store nats` (issue 11): one receiver on the
 * embedded store, on a one-node JetStream (R1) and on a three-node
 * JetStream cluster (R3, loopback), in the same run, same signed 100-line
 * gzip batches over TLS, blackhole sink: lines/s at peak, p99 at half of
 * peak, and the CPU per line of the receiver and of the nats-servers (the
 * JetStream path's cost per line is the difference to the embedded store).
 * Prints one JSON object on stdout and a table on stderr.
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { startNatsCluster, type NatsCluster } from '../../test/cluster/support/nats-cluster.js';
import { findExecutable } from '../../test/support/external-daemon.js';
import { createBodyCursor, runLoad, type LoadResult, type LoadShape } from './load.js';
import { createBenchEnvironment, startReceiverProcess, type BenchEnvironment, type ReceiverProcess } from './receiver-process.js';
import { buildBodyPool, createLineSource, type LineSource } from './signed-bodies.js';
import { round } from './stats.js';

export interface NatsBenchArgs {
  readonly durationMs: number;
  readonly connections: number;
}

const WARMUP_MS = 3000;
const BATCH = 100;

interface StoreRun {
  readonly store: string;
  readonly peak: LoadResult;
  readonly half: LoadResult;
  readonly receiverCpuMicrosPerLine: number;
  readonly natsCpuMicrosPerLine: number;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function cpuSecondsOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function load(env: BenchEnvironment, source: LineSource, receiver: ReceiverProcess, shape: LoadShape, durationMs: number, linesPerSec: number): Promise<LoadResult> {
  const pool = await buildBodyPool(source, Math.ceil((linesPerSec * (durationMs / 1000) * 1.5) / BATCH) + 16, BATCH);
  return runLoad({ url: receiver.url, authorization: env.authorization, bodies: createBodyCursor(pool.bodies), shape, durationMs });
}

async function runStore(env: BenchEnvironment, source: LineSource, args: NatsBenchArgs, store: string, cluster: NatsCluster | undefined): Promise<StoreRun> {
  const receiver = await startReceiverProcess(env, { name: store, env: cluster === undefined ? {} : { KONNECT_AUDIT_STORE: cluster.urls } });
  try {
    const closed: LoadShape = { kind: 'closed', connections: args.connections };
    await load(env, source, receiver, closed, WARMUP_MS, 30_000);
    const natsPids = cluster?.nodes.map((node) => node.process?.pid) ?? [];
    const nats0 = (await Promise.all(natsPids.map(cpuSecondsOf))).reduce((a, b) => a + b, 0);
    const cpu0 = await receiver.cpuSeconds();
    const peak = await load(env, source, receiver, closed, args.durationMs, 30_000);
    const cpu = (await receiver.cpuSeconds()) - cpu0;
    const nats = (await Promise.all(natsPids.map(cpuSecondsOf))).reduce((a, b) => a + b, 0) - nats0;
    const half = await load(env, source, receiver, { kind: 'paced', requestsPerSec: peak.requestsPerSec / 2, instances: args.connections }, args.durationMs, peak.linesPerSec / 2);
    const perLine = (seconds: number): number => (seconds * 1e6) / Math.max(1, peak.summary.accepted);
    const run = { store, peak, half, receiverCpuMicrosPerLine: perLine(cpu), natsCpuMicrosPerLine: perLine(nats) };
    log(
      `  ${store}: peak ${Math.round(peak.linesPerSec)} lines/s (p99 ${peak.latencyMs.p99.toFixed(1)} ms), half of peak p99 ${half.latencyMs.p99.toFixed(1)} ms, ` +
        `receiver ${run.receiverCpuMicrosPerLine.toFixed(1)} µs CPU/line, nats-server ${run.natsCpuMicrosPerLine.toFixed(1)} µs CPU/line, statuses ${JSON.stringify(peak.statusCodes)} ${JSON.stringify(half.statusCodes)}`,
    );
    return run;
  } finally {
    await receiver.stop();
  }
}

export async function runNatsStoreBench(args: NatsBenchArgs): Promise<void> {
  const binary = findExecutable('nats-server');
  if (binary === undefined) throw new Error('nats-server is not installed: apt-get install -y nats-server');
  const loadBefore = loadavg();
  const env = await createBenchEnvironment();
  const source = createLineSource(env.keyPair.privateKey);
  const runs: StoreRun[] = [];
  log(`receiver store bench: ${cpus().length} CPUs, Node ${process.version}, loadavg ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  try {
    runs.push(await runStore(env, source, args, 'sqlite', undefined));
    for (const size of [1, 3]) {
      const cluster = await startNatsCluster(binary, size);
      try {
        runs.push(await runStore(env, source, args, `nats ${size} node${size > 1 ? 's' : ''} (R${size})`, cluster));
      } finally {
        await cluster.stop();
      }
    }
  } finally {
    await env.remove();
  }
  const embedded = runs[0];
  const output = {
    bench: 'receiver --store nats',
    machine: { nproc: cpus().length, node: process.version, loadavgBefore: loadBefore.map(round), loadavgAfter: loadavg().map(round) },
    config: { durationMs: args.durationMs, warmupMs: WARMUP_MS, connections: args.connections, batchLines: BATCH, tls: true, sink: 'blackhole' },
    runs: runs.map((run) => ({
      store: run.store,
      peakLinesPerSec: round(run.peak.linesPerSec),
      peakP99Ms: round(run.peak.latencyMs.p99),
      halfPeakP99Ms: round(run.half.latencyMs.p99),
      receiverCpuMicrosPerLine: round(run.receiverCpuMicrosPerLine),
      natsCpuMicrosPerLine: round(run.natsCpuMicrosPerLine),
      // The JetStream path's cost per line: receiver + servers, beyond the embedded store's.
      extraCpuMicrosPerLine: embedded === undefined ? 0 : round(run.receiverCpuMicrosPerLine + run.natsCpuMicrosPerLine - embedded.receiverCpuMicrosPerLine),
      statusCodes: { peak: run.peak.statusCodes, half: run.half.statusCodes },
    })),
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

/**
 * Goal (SPEC 9, issues 6 and 10), on the 2-core development machine,
 * receiver end to end (`konnect-audit serve` as its own process: gzip,
 * storage on with fsync, blackhole sink, default log level), driven by
 * autocannon with unique signed 100-line gzip batches on loopback:
 *   - verified lines/s at peak >= 80% of the libsodium ceiling (sodium-native,
 *     one worker thread per core, same lines, measured in the same run,
 *     interleaved with the load phases), with 8 and 16 connections, over TLS
 *     and over plain HTTP (a second receiver, KONNECT_AUDIT_INSECURE_HTTP);
 *   - p99 latency <= 50 ms at half of peak (TLS, 8 connections);
 *   - peak RSS of the receivers (VmHWM) <= 200 MB;
 *   - no answer other than 200 under load, 16 connections included.
 *
 * Run: `npm run bench:receiver` (builds, then `tsx bench/receiver.ts`).
 * Options: `--scaling` adds batch sizes 10 and 1,000 (TLS, 8 connections); `--duration-ms N` per load phase (10000);
 * `--connections N` for the peak (8 = the default maxBatchesInFlight);
 * `--cpu-prof DIR` runs the receiver under `node --cpu-prof`; `--threadpool N`
 * sets the main receiver's UV_THREADPOOL_SIZE; `--max-batches-in-flight N`
 * its KONNECT_AUDIT_MAX_BATCHES_IN_FLIGHT (with `--connections` above 8);
 * `--verify-threads N` its KONNECT_AUDIT_VERIFY_THREADS (0: checks on the
 * libuv pool, the callback form; default: the receiver's own default);
 * `--store nats` runs bench/support/nats-bench.ts instead (the embedded store
 * beside a one-node and a three-node JetStream, issue 11).
 * Prints one JSON object on stdout and a human table on stderr.
 *
 * The machine is shared: every rate is also given per CPU-second
 * (`cpuMicrosPerLine`: CPU time of the receiver, all threads, per line vs.
 * that of the bare verify loop), a ratio that a busy neighbour moves much
 * less than wall-clock rates. The load average is recorded before and after.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { measureVerifyCeiling, verifyItemsOf, type CeilingResult } from './support/ceiling.js';
import { runLoad, createBodyCursor, type LoadResult, type LoadShape } from './support/load.js';
import { createBenchEnvironment, startReceiverProcess, type BenchEnvironment, type ReceiverProcess } from './support/receiver-process.js';
import { buildBodyPool, createLineSource, type LineSource } from './support/signed-bodies.js';
import { runNatsStoreBench } from './support/nats-bench.js';
import { mean, round } from './support/stats.js';

const TARGETS = { ceilingRatio: 0.8, p99HalfPeakMs: 50, peakRssMb: 200 } as const;

interface Args {
  readonly scaling: boolean;
  readonly durationMs: number;
  readonly connections: number;
  readonly cpuProfDir: string | undefined;
  /** UV_THREADPOOL_SIZE of the main receiver (unset: Node's default, 4). */
  readonly threadpool: number | undefined;
  /** KONNECT_AUDIT_MAX_BATCHES_IN_FLIGHT of the receivers (unset: the default, 8). */
  readonly maxBatchesInFlight: number | undefined;
  /** KONNECT_AUDIT_VERIFY_THREADS of the receivers (unset: the default). */
  readonly verifyThreads: number | undefined;
  /** `nats`: the embedded store beside a 1-node and a 3-node JetStream instead (bench/support/nats-bench.ts, issue 11). */
  readonly store: string;
}

function parseArgs(argv: readonly string[]): Args {
  let scaling = false;
  let durationMs = 10_000;
  let connections = 8;
  let cpuProfDir: string | undefined;
  let threadpool: number | undefined;
  let maxBatchesInFlight: number | undefined;
  let verifyThreads: number | undefined;
  let store = 'sqlite';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--scaling') scaling = true;
    else if (arg === '--duration-ms') durationMs = Number(value());
    else if (arg === '--connections') connections = Number(value());
    else if (arg === '--cpu-prof') cpuProfDir = resolve(value());
    else if (arg === '--threadpool') threadpool = Number(value());
    else if (arg === '--max-batches-in-flight') maxBatchesInFlight = Number(value());
    else if (arg === '--verify-threads') verifyThreads = Number(value());
    else if (arg === '--store') store = value();
    else throw new Error(`unknown option ${arg}`);
  }
  return { scaling, durationMs, connections, cpuProfDir, threadpool, maxBatchesInFlight, verifyThreads, store };
}

const WARMUP_MS = 3000;
const CEILING_MS = 3000;
/** Bodies for a phase: the ceiling rate times the duration, with this margin (the receiver cannot beat the ceiling by much). */
const BODY_MARGIN = 1.4;

interface PhaseResult extends LoadResult {
  readonly name: string;
  readonly batchSize: number;
  readonly threadpoolSize: number;
  readonly shape: LoadShape;
  /** Mean of the ceiling measured right before and right after this phase. */
  readonly ceilingLinesPerSec: number;
  readonly ceilingRatio: number;
  readonly receiverCpuMicrosPerLine: number;
  /** The receiver's CPU per line: event loop vs. other threads (libuv pool: verify, gunzip; V8 GC and compiler). */
  readonly receiverCpuMicrosPerLineByThread: { readonly main: number; readonly threads: number };
  readonly ceilingCpuMicrosPerLine: number;
  /** Bare verify CPU per line ÷ receiver CPU per line: the share of the receiver's CPU that is the signature check. */
  readonly cpuRatio: number;
  readonly peakRssMb: number;
  readonly loadavg: number;
  /** Share of one core the receiver's event loop used: near 1, a second process (node:cluster) would be what helps. */
  readonly eventLoopBusy: number;
  /** CPU of the load generator (autocannon, this process) per line: it shares the 2 cores with the receiver. */
  readonly clientCpuMicrosPerLine: number;
  /** Group commit under load: batches committed per transaction (one fsync each). */
  readonly groupCommit: { readonly transactions: number; readonly batches: number; readonly batchesPerTransaction: number };
}

const TRANSACTIONS = 'konnect_audit_store_commit_transactions_total';
const COMMITTED = 'konnect_audit_store_commit_batches_total{result="committed"}';

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

function cpuModel(): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return match?.[1] ?? cpus()[0]?.model ?? 'unknown';
}

/** Waits until the receiver is idle (the dispatcher has drained the store), so the ceiling has the machine. */
async function settle(receiver: ReceiverProcess): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const before = await receiver.cpuSeconds();
    await new Promise((r) => setTimeout(r, 200));
    if ((await receiver.cpuSeconds()) - before <= 0.01) return;
  }
}

class Bench {
  readonly ceilings: (CeilingResult & { readonly after: string })[] = [];
  readonly phases: PhaseResult[] = [];
  private lastCeiling: CeilingResult | undefined;

  constructor(
    private readonly env: BenchEnvironment,
    private readonly source: LineSource,
    private readonly args: Args,
  ) {}

  async ceiling(lines: readonly string[], after: string): Promise<CeilingResult> {
    const result = await measureVerifyCeiling(verifyItemsOf(lines), this.env.keyPair.publicKey, CEILING_MS);
    if (result.failures > 0) throw new Error(`${result.failures} bench lines did not verify`);
    this.ceilings.push({ ...result, after });
    this.lastCeiling = result;
    log(`  ceiling (${after}): ${Math.round(result.linesPerSec)} lines/s, ${result.cpuMicrosPerLine.toFixed(1)} µs CPU/line`);
    return result;
  }

  /** One load phase, framed by ceilings (the one before is reused from the previous phase when there is one). */
  async phase(receiver: ReceiverProcess, name: string, batchSize: number, threadpoolSize: number, shape: LoadShape, rateForBodies: number): Promise<PhaseResult> {
    const seconds = this.args.durationMs / 1000;
    const batches = Math.ceil((rateForBodies * seconds * BODY_MARGIN) / batchSize) + this.connectionsOf(shape);
    const pool = await buildBodyPool(this.source, batches, batchSize);
    await settle(receiver);
    const before = this.lastCeiling ?? (await this.ceiling(pool.sampleLines, `before ${name}`));
    const metrics0 = await receiver.metrics();
    const cpu0 = await receiver.cpuSeconds();
    const threads0 = await receiver.cpuSecondsByThread();
    const client0 = process.cpuUsage();
    const load = await runLoad({
      url: receiver.url,
      authorization: this.env.authorization,
      bodies: createBodyCursor(pool.bodies),
      shape,
      durationMs: this.args.durationMs,
    });
    const client = process.cpuUsage(client0);
    const cpu = (await receiver.cpuSeconds()) - cpu0;
    const threads1 = await receiver.cpuSecondsByThread();
    const metrics1 = await receiver.metrics();
    const delta = (name: string): number => (metrics1.get(name) ?? 0) - (metrics0.get(name) ?? 0);
    const transactions = delta(TRANSACTIONS);
    const committed = delta(COMMITTED);
    const peakRss = await receiver.peakRssBytes();
    const load1 = loadavg()[0] ?? Number.NaN;
    await settle(receiver);
    const after = await this.ceiling(pool.sampleLines, `after ${name}`);
    const ceilingLinesPerSec = mean([before.linesPerSec, after.linesPerSec]);
    const ceilingCpu = mean([before.cpuMicrosPerLine, after.cpuMicrosPerLine]);
    const perLine = (seconds: number): number => (seconds * 1e6) / Math.max(1, load.summary.accepted);
    const receiverCpu = perLine(cpu);
    const byThread = { main: perLine(threads1.main - threads0.main), threads: perLine(threads1.threads - threads0.threads) };
    const result: PhaseResult = {
      name,
      batchSize,
      threadpoolSize,
      shape,
      ...load,
      ceilingLinesPerSec,
      ceilingRatio: load.linesPerSec / ceilingLinesPerSec,
      receiverCpuMicrosPerLine: receiverCpu,
      receiverCpuMicrosPerLineByThread: byThread,
      ceilingCpuMicrosPerLine: ceilingCpu,
      cpuRatio: ceilingCpu / receiverCpu,
      peakRssMb: peakRss / 1024 / 1024,
      loadavg: load1,
      eventLoopBusy: (threads1.main - threads0.main) / load.seconds,
      clientCpuMicrosPerLine: perLine((client.user + client.system) / 1e6),
      groupCommit: { transactions, batches: committed, batchesPerTransaction: committed / Math.max(1, transactions) },
    };
    this.phases.push(result);
    log(
      `  ${name}: ${Math.round(load.linesPerSec)} lines/s (${(result.ceilingRatio * 100).toFixed(0)}% of ceiling), ${load.requestsPerSec.toFixed(1)} req/s, ` +
        `p50 ${load.latencyMs.p50.toFixed(1)} ms, p99 ${load.latencyMs.p99.toFixed(1)} ms, ${receiverCpu.toFixed(1)} µs CPU/line ` +
        `(event loop ${byThread.main.toFixed(0)}, other threads ${byThread.threads.toFixed(0)}), ` +
        `event loop busy ${(result.eventLoopBusy * 100).toFixed(0)}%, ${result.groupCommit.batchesPerTransaction.toFixed(2)} batches/commit, client ${result.clientCpuMicrosPerLine.toFixed(0)} µs CPU/line, ` +
        `RSS ${result.peakRssMb.toFixed(0)} MB, statuses ${JSON.stringify(load.statusCodes)}${load.exhausted ? ' (body pool exhausted)' : ''}`,
    );
    return result;
  }

  private connectionsOf(shape: LoadShape): number {
    return shape.kind === 'closed' ? shape.connections : shape.instances;
  }

  /** Warm-up: JIT, SQLite page cache, TLS sessions; not reported. */
  async warmup(receiver: ReceiverProcess, batchSize: number, rate: number): Promise<void> {
    const pool = await buildBodyPool(this.source, Math.ceil((rate * (WARMUP_MS / 1000) * BODY_MARGIN) / batchSize) + this.args.connections, batchSize);
    await runLoad({
      url: receiver.url,
      authorization: this.env.authorization,
      bodies: createBodyCursor(pool.bodies),
      shape: { kind: 'closed', connections: this.args.connections },
      durationMs: WARMUP_MS,
    });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.store === 'nats') return runNatsStoreBench({ durationMs: args.durationMs, connections: args.connections });
  const loadBefore = loadavg();
  const env = await createBenchEnvironment();
  const source = createLineSource(env.keyPair.privateKey);
  const bench = new Bench(env, source, args);
  const receivers: ReceiverProcess[] = [];
  const start = async (name: string, threadpoolSize?: number, plainHttp = false): Promise<ReceiverProcess> => {
    const receiver = await startReceiverProcess(env, {
      name,
      plainHttp,
      ...(threadpoolSize === undefined ? {} : { threadpoolSize }),
      env: {
        ...(args.maxBatchesInFlight === undefined ? {} : { KONNECT_AUDIT_MAX_BATCHES_IN_FLIGHT: String(args.maxBatchesInFlight) }),
        ...(args.verifyThreads === undefined ? {} : { KONNECT_AUDIT_VERIFY_THREADS: String(args.verifyThreads) }),
      },
      ...(args.cpuProfDir === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${args.cpuProfDir}`] }),
    });
    receivers.push(receiver);
    return receiver;
  };
  try {
    log(`receiver bench: ${cpus().length} CPUs (${cpuModel()}), Node ${process.version}, loadavg ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
    const first = await source.next(4000);
    const estimate = await bench.ceiling(first, 'start');

    // Main scenario: 100-line batches, Node's default thread pool (4).
    const mainPool = args.threadpool ?? 4;
    const main = await start('main', args.threadpool);
    await bench.warmup(main, 100, estimate.linesPerSec);
    const peak = await bench.phase(main, 'peak', 100, mainPool, { kind: 'closed', connections: args.connections }, estimate.linesPerSec);
    const halfRate = peak.requestsPerSec / 2;
    // As many paced single-connection instances as the peak has connections: never more batches in flight than
    // maxBatchesInFlight, so a 429 cannot come from the bench itself.
    const half = await bench.phase(main, 'half of peak', 100, mainPool, { kind: 'paced', requestsPerSec: halfRate, instances: args.connections }, peak.linesPerSec / 2);
    // The RSS target is for the main scenario (100-line batches); bigger batches hold more at once.
    // SPEC 9: 8 and 16 connections, TLS and plain HTTP (behind a TLS-terminating proxy).
    const peaks = [peak];
    const more = args.connections === 16 ? 8 : 16;
    peaks.push(await bench.phase(main, `peak, TLS, ${more} connections`, 100, mainPool, { kind: 'closed', connections: more }, estimate.linesPerSec));
    const mainRss = await main.peakRssBytes();
    if (args.scaling) {
      for (const batchSize of [10, 1000]) {
        await bench.phase(main, `peak, ${batchSize}-line batches`, batchSize, mainPool, { kind: 'closed', connections: args.connections }, estimate.linesPerSec);
      }
    }
    await main.stop();

    const plain = await start('plain-http', args.threadpool, true);
    await bench.warmup(plain, 100, estimate.linesPerSec);
    for (const connections of [args.connections, more]) {
      peaks.push(await bench.phase(plain, `peak, plain HTTP, ${connections} connections`, 100, mainPool, { kind: 'closed', connections }, estimate.linesPerSec));
    }
    const plainRss = await plain.peakRssBytes();
    await plain.stop();

    const loadAfter = loadavg();
    const statuses: Record<string, number> = {};
    for (const phase of [...peaks, half]) for (const [code, n] of Object.entries(phase.statusCodes)) statuses[code] = (statuses[code] ?? 0) + n;
    const only200 = Object.keys(statuses).every((code) => code === '200');
    const worst = Math.min(...peaks.map((p) => p.ceilingRatio));
    const peakRss = Math.max(mainRss, plainRss);
    const targets = {
      ceilingRatio: {
        value: round(worst),
        byPhase: Object.fromEntries(peaks.map((p) => [p.name, round(p.ceilingRatio)])),
        target: `>= ${TARGETS.ceilingRatio} in every peak phase`,
        met: worst >= TARGETS.ceilingRatio,
      },
      p99HalfPeakMs: { value: round(half.latencyMs.p99), target: `<= ${TARGETS.p99HalfPeakMs}`, met: half.latencyMs.p99 <= TARGETS.p99HalfPeakMs },
      peakRssMb: { value: round(peakRss / 1024 / 1024), target: `<= ${TARGETS.peakRssMb}`, met: peakRss / 1024 / 1024 <= TARGETS.peakRssMb },
      only200UnderLoad: { value: statuses, target: 'only 200', met: only200 },
    };
    const output = {
      bench: 'receiver',
      goal: 'receiver end to end >= 80% of the libsodium ceiling at peak (8 and 16 connections, TLS and plain HTTP); p99 <= 50 ms at half of peak; RSS <= 200 MB; only 200 under load (SPEC 9)',
      machine: { nproc: cpus().length, cpuModel: cpuModel(), node: process.version, commit: gitCommit(), loadavgBefore: loadBefore.map(round), loadavgAfter: loadAfter.map(round) },
      config: { durationMs: args.durationMs, warmupMs: WARMUP_MS, ceilingMs: CEILING_MS, peakConnections: args.connections, pacedInstances: args.connections, threadpool: mainPool, maxBatchesInFlight: args.maxBatchesInFlight ?? 8, verifyThreads: args.verifyThreads ?? 'default', tls: 'TLS and plain HTTP', storage: 'sqlite, synchronous=FULL', sink: 'blackhole', logLevel: 'info' },
      targets,
      phases: bench.phases.map(roundPhase),
      ceilings: bench.ceilings.map((c) => ({ after: c.after, linesPerSec: round(c.linesPerSec), cpuMicrosPerLine: round(c.cpuMicrosPerLine) })),
    };
    printTable(bench.phases, targets);
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } finally {
    for (const receiver of receivers) await receiver.stop().catch(() => undefined);
    if (args.cpuProfDir === undefined) await env.remove();
    else log(`profiles in ${args.cpuProfDir}; logs and data kept in ${env.dir}`);
  }
}

function roundPhase(p: PhaseResult): Record<string, unknown> {
  return {
    name: p.name,
    batchSize: p.batchSize,
    threadpoolSize: p.threadpoolSize,
    shape: p.shape,
    seconds: round(p.seconds),
    batches: p.batches,
    linesPerSec: round(p.linesPerSec),
    requestsPerSec: round(p.requestsPerSec),
    ceilingLinesPerSec: round(p.ceilingLinesPerSec),
    ceilingRatio: round(p.ceilingRatio),
    receiverCpuMicrosPerLine: round(p.receiverCpuMicrosPerLine),
    receiverCpuMicrosPerLineByThread: { main: round(p.receiverCpuMicrosPerLineByThread.main), threads: round(p.receiverCpuMicrosPerLineByThread.threads) },
    ceilingCpuMicrosPerLine: round(p.ceilingCpuMicrosPerLine),
    cpuRatio: round(p.cpuRatio),
    latencyMs: { p50: round(p.latencyMs.p50), p90: round(p.latencyMs.p90), p99: round(p.latencyMs.p99), max: round(p.latencyMs.max), mean: round(p.latencyMs.mean) },
    statusCodes: p.statusCodes,
    summary: p.summary,
    eventLoopBusy: round(p.eventLoopBusy),
    clientCpuMicrosPerLine: round(p.clientCpuMicrosPerLine),
    groupCommit: { transactions: p.groupCommit.transactions, batches: p.groupCommit.batches, batchesPerTransaction: round(p.groupCommit.batchesPerTransaction) },
    peakRssMb: round(p.peakRssMb),
    loadavg: round(p.loadavg),
    exhausted: p.exhausted,
  };
}

function printTable(phases: readonly PhaseResult[], targets: Readonly<Record<string, { readonly value: unknown; readonly target: string; readonly met: boolean }>>): void {
  const rows = phases.map((p) => [
    p.name,
    String(Math.round(p.linesPerSec)),
    p.requestsPerSec.toFixed(1),
    `${(p.ceilingRatio * 100).toFixed(0)}%`,
    `${(p.cpuRatio * 100).toFixed(0)}%`,
    p.latencyMs.p50.toFixed(1),
    p.latencyMs.p99.toFixed(1),
    p.peakRssMb.toFixed(0),
    Object.entries(p.statusCodes)
      .map(([c, n]) => `${c}×${n}`)
      .join(' '),
  ]);
  const header = ['phase', 'lines/s', 'req/s', 'of ceiling', 'CPU share', 'p50 ms', 'p99 ms', 'RSS MB', 'statuses'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  log('');
  log(line(header));
  for (const row of rows) log(line(row));
  log('');
  for (const [name, t] of Object.entries(targets)) log(`${t.met ? 'MET    ' : 'NOT MET'} ${name}: ${JSON.stringify(t.value)} (target ${t.target})`);
}

await main();

/**
 * @module bench/support/perf-profile
 * Where the receiver's CPU goes under load, from Linux `perf` (on-CPU samples
 * of every thread, native and kernel frames included, JS names from
 * `--perf-basic-prof`). Unlike `--cpu-prof` (wall-clock samples of the main
 * thread), a busy neighbour does not move time between functions.
 *
 *   tsx bench/support/perf-profile.ts [batchSize=100] [seconds=10]
 *
 * Needs `perf` (linux-perf) and permission to profile one's own processes.
 * Prints the share of samples by thread (event loop vs. others) and, for the
 * event loop, by area: the first frame of our code or a package on the stack,
 * else the native leaf.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBodyCursor, runLoad } from './load.js';
import { createBenchEnvironment, startReceiverProcess } from './receiver-process.js';
import { buildBodyPool, createLineSource } from './signed-bodies.js';

interface Sample {
  readonly tid: number;
  readonly frames: readonly string[];
}

export function parsePerfScript(text: string): Sample[] {
  const samples: Sample[] = [];
  let current: { tid: number; frames: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current !== undefined) samples.push(current);
      current = undefined;
    } else if (!/^\s/.test(line)) {
      current = { tid: Number(line.trim().split(/\s+/)[0]), frames: [] };
    } else {
      current?.frames.push(line.trim().replace(/^\S+\s+/, ''));
    }
  }
  if (current !== undefined) samples.push(current);
  return samples;
}

/** `src/store`, `node_modules/better-sqlite3`, `node:internal/streams/readable`, or `(native leaf)`. */
export function perfAreaOf(frames: readonly string[]): string {
  for (const frame of frames) {
    if (!frame.includes('JS:')) continue;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/\s]+)/.exec(frame);
    if (pkg !== null) return `node_modules/${pkg[1]}`;
    const ours = /\/dist\/([^/:\s]+?)(?:\.js)?[/:]/.exec(frame);
    if (ours !== null) return `src/${ours[1]}`;
    const core = /JS:\S*\s+(node:[^:\s]+)/.exec(frame);
    if (core !== null) return core[1] as string;
  }
  const leaf = frames[0] ?? '';
  return `(${leaf.replace(/\s+\(.*$/, '').slice(0, 48)})`;
}

export function summarizePerf(samples: readonly Sample[], mainTid: number, top = 25): { eventLoopShare: number; byArea: { area: string; share: number }[] } {
  const main = samples.filter((s) => s.tid === mainTid);
  const counts = new Map<string, number>();
  for (const s of main) counts.set(perfAreaOf(s.frames), (counts.get(perfAreaOf(s.frames)) ?? 0) + 1);
  const byArea = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([area, n]) => ({ area, share: Math.round((n / Math.max(1, main.length)) * 1000) / 1000 }));
  return { eventLoopShare: main.length / Math.max(1, samples.length), byArea };
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const batchSize = Number(process.argv[2] ?? 100);
  const seconds = Number(process.argv[3] ?? 10);
  const data = join(tmpdir(), `kar-perf-${process.pid}.data`);
  const env = await createBenchEnvironment();
  const receiver = await startReceiverProcess(env, { name: 'perf', nodeArgs: ['--perf-basic-prof'] });
  try {
    const source = createLineSource(env.keyPair.privateKey);
    const load = (ms: number, pool: Awaited<ReturnType<typeof buildBodyPool>>): ReturnType<typeof runLoad> =>
      runLoad({ url: receiver.url, authorization: env.authorization, bodies: createBodyCursor(pool.bodies), shape: { kind: 'closed', connections: 8 }, durationMs: ms });
    await load(3000, await buildBodyPool(source, Math.ceil(30_000 / batchSize), batchSize));
    // Bodies first: signing them is the bench's own work and must not fall inside the profile.
    const pool = await buildBodyPool(source, Math.ceil((seconds * 15_000) / batchSize), batchSize);
    const perf = spawn('perf', ['record', '-F', '499', '-g', '-p', String(receiver.pid), '-o', data, '--', 'sleep', String(seconds)], { stdio: 'ignore' });
    const perfDone = once(perf, 'exit');
    const cpu0 = await receiver.cpuSecondsByThread();
    const result = await load(seconds * 1000, pool);
    const cpu1 = await receiver.cpuSecondsByThread();
    await perfDone;
    const script = execFileSync('perf', ['script', '-i', data, '-F', 'tid,ip,sym,dso'], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
    const summary = summarizePerf(parsePerfScript(script), receiver.pid);
    const perLine = (s: number): number => Math.round((s * 1e6) / Math.max(1, result.summary.accepted));
    const out = { probe: 'perf', batchSize, seconds, linesPerSec: Math.round(result.linesPerSec), cpuMicrosPerLine: { eventLoop: perLine(cpu1.main - cpu0.main), otherThreads: perLine(cpu1.threads - cpu0.threads) }, ...summary };
    process.stderr.write(`${out.linesPerSec} lines/s; CPU µs/line: event loop ${out.cpuMicrosPerLine.eventLoop}, other threads ${out.cpuMicrosPerLine.otherThreads}\n`);
    for (const row of summary.byArea) process.stderr.write(`${(row.share * 100).toFixed(1).padStart(5)}%  ${row.area}\n`);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await receiver.stop();
    await env.remove();
    rmSync(data, { force: true });
    rmSync(`${data}.old`, { force: true });
  }
}

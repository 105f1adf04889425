/**
 * Goal (SPEC 9, issue 10), on the 2-core development machine:
 *   - `konnect-audit verify`: verified lines/s >= 0.85 x the libsodium
 *     ceiling (sodium-native, one worker thread per core, on the same lines,
 *     in the same run), for the in-process core (`runAudit`) and for the CLI
 *     process;
 *   - `--big`: constant memory, peak RSS <= 150 MB while the CLI verifies a
 *     1 GB file (opt-in: it takes minutes).
 *
 * Run: `npm run bench:verify` (builds, then `tsx bench/verify.ts`), or
 * `npm run --silent bench:verify -- --big > verify.json`. One JSON object on
 * stdout, a short table on stderr.
 *
 * Input: 100,000 signed Konnect-shaped lines (70% CEF, 30% JSON, from
 * src/testing), one key, written to a temp file. Every line is valid, so every
 * line costs one Ed25519 check: the worst case for the ratio.
 *
 * Contenders, interleaved round by round (reversed every other round) so that
 * the load of a shared machine hits them alike, each doing about LINES checks
 * (median of ROUNDS rounds; a ratio is the median of the per-round ratios).
 * Wall-clock ratios are the goal; CPU-time ratios (ceiling CPU per line / ours)
 * are printed beside them: they show the overhead of reading and parsing even
 * when a busy machine makes the wall clock noisy.
 *   - ceiling: bench/support/ceiling.ts, libsodium on one worker thread per
 *     core, signed bytes prepared before timing (no reading, no parsing);
 *   - cryptoVerify: the previous ceiling and the fallback's, bare
 *     crypto.verify callbacks on the libuv pool (a second baseline);
 *   - core: runAudit on the file (read, split, parse, extract, verify on the
 *     libsodium workers, count);
 *   - cli: `node dist/cli/bin.js verify --format json FILE`, wall clock from
 *     spawn to exit (Node start-up, key loading and worker start included).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { runAudit } from '../src/audit/index.js';
import { makeSignedKonnectLines } from '../src/testing/index.js';
import { generateKeyPair, jwksOf, parseJwks } from '../src/verify/index.js';
import { measureCryptoVerifyBaseline, measureVerifyCeiling, verifyItemsOf } from './support/ceiling.js';
import { median, round } from './support/stats.js';

const LINES = 100_000;
const ROUNDS = 3;
const TARGET_RATIO = 0.85;
const BIG_BYTES = 2 ** 30;
const RSS_LIMIT_MB = 150;
const BIN = resolve(import.meta.dirname, '../dist/cli/bin.js');
const big = process.argv.includes('--big');

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

// ── the lines ───────────────────────────────────────────────────────────────

const keyPair = generateKeyPair();
const cefCount = Math.round(LINES * 0.7);
const lines = [
  ...makeSignedKonnectLines({ format: 'cef', count: cefCount, seed: 7, key: keyPair.privateKey }),
  ...makeSignedKonnectLines({ format: 'json', count: LINES - cefCount, seed: 8, key: keyPair.privateKey }),
];
// Interleave the two formats as a real export would.
lines.sort((a, b) => (a.length % 7) - (b.length % 7));
const dir = await mkdtemp(join(os.tmpdir(), 'bench-verify-'));
const file = join(dir, 'signed.log');
const jwksFile = join(dir, 'jwks.json');
writeFileSync(file, `${lines.join('\n')}\n`);
writeFileSync(jwksFile, JSON.stringify(jwksOf([keyPair.publicJwk])));
const keys = parseJwks(readFileSync(jwksFile, 'utf8'));
const items = verifyItemsOf(lines);
const fileBytes = (await stat(file)).size;

// ── contenders ──────────────────────────────────────────────────────────────

/** Lines per wall-clock second, and CPU microseconds per line (all threads of the process). */
interface Rate {
  readonly linesPerSec: number;
  readonly cpuMicrosPerLine: number;
}

function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

async function core(): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await runAudit({ inputs: [file], stdin: Readable.from([]), keys });
  const seconds = (performance.now() - t0) / 1000;
  if (report.valid !== LINES) throw new Error(`core: ${report.valid} of ${LINES} lines valid`);
  return { linesPerSec: LINES / seconds, cpuMicrosPerLine: cpuMicros(cpu0) / LINES };
}

interface CliRun {
  readonly seconds: number;
  readonly stdout: string;
  readonly peakRssKb: number;
  /** user + system CPU of the process, start-up included (from /proc, USER_HZ = 100). */
  readonly cpuMicros: number;
}

function cpuMicrosOf(pid: number): number | undefined {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesized command name): utime, stime in clock ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

function peakRssKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

function runCli(input: string): Promise<CliRun> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'verify', '--jwks', jwksFile, '--format', 'json', input], { stdio: ['ignore', 'pipe', 'inherit'] });
    let peak = 0;
    let cpu = 0;
    const sample = (): void => {
      peak = Math.max(peak, peakRssKb(child.pid as number) ?? 0);
      cpu = Math.max(cpu, cpuMicrosOf(child.pid as number) ?? 0);
    };
    const sampler = setInterval(sample, 200);
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    // VmHWM is the peak so far: read it once more as the report arrives, just before exit.
    child.stdout.on('end', sample);
    child.on('error', fail);
    child.on('close', (code) => {
      clearInterval(sampler);
      if (code !== 0) return fail(new Error(`verify exited ${code}`));
      done({ seconds: (performance.now() - t0) / 1000, stdout: Buffer.concat(out).toString(), peakRssKb: peak, cpuMicros: cpu });
    });
  });
}

async function cli(): Promise<Rate> {
  const run = await runCli(file);
  const report = JSON.parse(run.stdout) as { valid: number };
  if (report.valid !== LINES) throw new Error(`cli: ${report.valid} of ${LINES} lines valid`);
  return { linesPerSec: LINES / run.seconds, cpuMicrosPerLine: run.cpuMicros / LINES };
}

/** Set from warm-up runs so that each baseline does about LINES checks, as much work as the others. */
let ceilingMs = 3000;
let cryptoVerifyMs = 3000;

async function ceiling(): Promise<Rate> {
  const result = await measureVerifyCeiling(items, keyPair.publicKey, ceilingMs);
  if (result.failures > 0) throw new Error('ceiling: some lines did not verify');
  return { linesPerSec: result.linesPerSec, cpuMicrosPerLine: result.cpuMicrosPerLine };
}

async function cryptoVerify(): Promise<Rate> {
  const result = await measureCryptoVerifyBaseline(items, keyPair.publicKey, cryptoVerifyMs);
  if (result.failures > 0) throw new Error('cryptoVerify: some lines did not verify');
  return { linesPerSec: result.linesPerSec, cpuMicrosPerLine: result.cpuMicrosPerLine };
}

// ── the rounds ──────────────────────────────────────────────────────────────

const poolThreads = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4);
const workerCount = os.availableParallelism();
const loadBefore = os.loadavg().map(round);
log(`verify bench: ${LINES} signed lines (${Math.round(fileBytes / LINES)} bytes on average, 70% CEF), ${workerCount} cores (libsodium workers), ${poolThreads} libuv pool threads, ${process.version}, load average ${loadBefore.join(' ')}`);
await core(); // warm-up: JIT of the reading and parsing path
ceilingMs = Math.round((LINES / (await measureVerifyCeiling(items, keyPair.publicKey, 1000)).linesPerSec) * 1000);
cryptoVerifyMs = Math.round((LINES / (await measureCryptoVerifyBaseline(items, keyPair.publicKey, 1000)).linesPerSec) * 1000);
const contenders = ['ceiling', 'cryptoVerify', 'core', 'cli'] as const;
type Contender = (typeof contenders)[number];
const run: Record<Contender, () => Promise<Rate>> = { ceiling, cryptoVerify, core, cli };
const rounds: Record<Contender, Rate>[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Odd rounds run the contenders in reverse order, so that a load that rises or falls during a round favours no one.
  const order = r % 2 === 0 ? contenders : [...contenders].reverse();
  const measured: Partial<Record<Contender, Rate>> = {};
  for (const c of order) measured[c] = await run[c]();
  const round = measured as Record<Contender, Rate>;
  rounds.push(round);
  const show = (c: Contender): string => `${c} ${Math.round(round[c].linesPerSec)}/s ${round[c].cpuMicrosPerLine.toFixed(1)}µs`;
  log(`  round ${r + 1}: ${contenders.map(show).join('   ')}`);
}

const rateOf = (c: Contender): number => median(rounds.map((r) => r[c].linesPerSec));
const cpuOf = (c: Contender): number => median(rounds.map((r) => r[c].cpuMicrosPerLine));
/** Throughput ratio (the goal), and CPU-efficiency ratio (ceiling CPU per line / ours: robust to a busy machine). */
const ratioOf = (c: Contender): number => median(rounds.map((r) => r[c].linesPerSec / r.ceiling.linesPerSec));
const cpuRatioOf = (c: Contender): number => median(rounds.map((r) => r.ceiling.cpuMicrosPerLine / r[c].cpuMicrosPerLine));
const coreRatio = ratioOf('core');
const cliRatio = ratioOf('cli');
const cryptoVerifyRatio = ratioOf('cryptoVerify');

let bigResult: Record<string, number | boolean> | undefined;
if (big) {
  // 1 GB of the same signed lines, repeated: every line verifies, so this also shows the sustained rate.
  const bigFile = join(dir, 'big.log');
  const block = Buffer.from(`${lines.join('\n')}\n`);
  const repeats = Math.ceil(BIG_BYTES / block.length);
  log(`big: writing ${repeats} x ${block.length} bytes to ${bigFile}`);
  const out = createWriteStream(bigFile);
  for (let i = 0; i < repeats; i++) if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(r));
  const run = await runCli(bigFile);
  const report = JSON.parse(run.stdout) as { total: number; valid: number };
  if (report.valid !== LINES * repeats) throw new Error(`big: ${report.valid} of ${LINES * repeats} lines valid`);
  bigResult = {
    bytes: block.length * repeats,
    lines: report.total,
    seconds: round(run.seconds),
    linesPerSec: Math.round(report.total / run.seconds),
    peakRssMb: round(run.peakRssKb / 1024),
    rssLimitMb: RSS_LIMIT_MB,
    pass: run.peakRssKb / 1024 <= RSS_LIMIT_MB,
  };
  log(`big: ${report.total} lines in ${round(run.seconds)} s, peak RSS ${round(run.peakRssKb / 1024)} MB (limit ${RSS_LIMIT_MB})`);
}
await rm(dir, { recursive: true, force: true });

const result = {
  bench: 'verify',
  goal: `verify lines/s >= ${TARGET_RATIO} x the libsodium ceiling (sodium-native, one worker thread per core) on the same lines; --big: peak RSS <= ${RSS_LIMIT_MB} MB on 1 GB`,
  node: process.version,
  cores: os.availableParallelism(),
  lines: LINES,
  avgLineBytes: Math.round(fileBytes / LINES),
  rounds: ROUNDS,
  linesPerSec: Object.fromEntries(contenders.map((c) => [c, Math.round(rateOf(c))])),
  cpuMicrosPerLine: Object.fromEntries(contenders.map((c) => [c, round(cpuOf(c))])),
  ratios: { core: round(coreRatio), cli: round(cliRatio), cryptoVerify: round(cryptoVerifyRatio) },
  cpuRatios: { core: round(cpuRatioOf('core')), cli: round(cpuRatioOf('cli')), cryptoVerify: round(cpuRatioOf('cryptoVerify')) },
  // `loadAverage` (at the end) keeps the shape bench/report.ts reads.
  loadAverage: os.loadavg().map(round),
  loadAverageBefore: loadBefore,
  target: TARGET_RATIO,
  pass: { core: coreRatio >= TARGET_RATIO, cli: cliRatio >= TARGET_RATIO },
  ...(bigResult === undefined ? {} : { big: bigResult }),
  method: { ceiling: `libsodium, ${workerCount} worker threads`, cryptoVerify: `crypto.verify callbacks, ${poolThreads} libuv pool threads`, ceilingMs, cryptoVerifyMs },
};
log(`ratios to the libsodium ceiling: core ${round(coreRatio)}, cli ${round(cliRatio)} (target ${TARGET_RATIO}); crypto.verify on the pool ${round(cryptoVerifyRatio)}`);
log(`CPU per line (µs): ${contenders.map((c) => `${c} ${round(cpuOf(c))}`).join(', ')}; load average ${os.loadavg().map(round).join(' ')}`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);

/**
 * Goal (STYLE 10): the performance tables of docs/BENCHMARKS.md are generated
 * from the benches' JSON results, never typed by hand.
 *
 *   npm run --silent bench:tokenizer > tokenizer.json
 *   npm run --silent bench:verify > verify.json
 *   npm run --silent bench:receiver -- --scaling > receiver.json
 *   npx tsx bench/report.ts tokenizer.json verify.json receiver.json            # tables on stdout
 *   npx tsx bench/report.ts --write docs/BENCHMARKS.md tokenizer.json verify.json receiver.json
 *
 * `--write FILE` replaces what lies between `<!-- bench-report:start -->` and
 * `<!-- bench-report:end -->` in FILE. Each input is recognised by its
 * `bench` field; a missing one leaves its table out. Several receiver
 * results (runs of a shared machine differ): the last one in detail, all of
 * them in a table of runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- bench-report:start -->';
const END = '<!-- bench-report:end -->';

type Json = Record<string, unknown>;

const num = (value: unknown, digits = 0): string =>
  typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
const pct = (value: unknown): string => (typeof value === 'number' && Number.isFinite(value) ? `${Math.round(value * 100)}%` : '-');
const yes = (met: unknown): string => (met === true ? 'met' : met === false ? '**not met**' : '-');
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const arr = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function tokenizerSection(r: Json): string {
  const goals = obj(r['goals']);
  const rows = arr(r['results']).map((c) => [
    `\`${String(c['name'])}\``,
    num(c['linesPerSec']),
    num(c['wallLinesPerSec']),
    c['agreement'] === undefined ? '-' : pct(c['agreement']),
  ]);
  const goalRows = Object.entries(goals).map(([name, g]) => [name, num(obj(g)['target'], name === 'vsBestNpm' ? 1 : 0), num(obj(g)['measured'], name === 'vsBestNpm' ? 1 : 0), yes(obj(g)['met'])]);
  return [
    `### Tokenizer (\`${String(r['command'] ?? 'npm run bench:tokenizer')}\`)`,
    '',
    `${num(r['lines'])} Konnect-shaped CEF lines of ${num(r['avgLineBytes'])} bytes on average; lines per CPU-second of one core (median of ${num(r['rounds'])} rounds).`,
    '',
    table(['contender', 'lines/CPU-s', 'lines/wall-s', 'agrees with ours'], rows),
    '',
    table(['goal', 'target', 'measured', ''], goalRows),
  ].join('\n');
}

export function verifySection(r: Json): string {
  const rates = obj(r['linesPerSec']);
  const cpu = obj(r['cpuMicrosPerLine']);
  const ratios = obj(r['ratios']);
  const cpuRatios = obj(r['cpuRatios']);
  const ratioOf = (name: string): unknown => (name === 'ceiling' ? 1 : name === 'workers' ? ratios['workersVsCeiling'] : ratios[name]);
  const cpuRatioOf = (name: string): unknown => (name === 'ceiling' ? 1 : name === 'workers' ? cpuRatios['workersVsCeiling'] : cpuRatios[name]);
  const rows = Object.keys(rates).map((name) => [name, num(rates[name]), ratioOf(name) === undefined ? '-' : num(ratioOf(name), 2), num(cpu[name]), cpuRatioOf(name) === undefined ? '-' : num(cpuRatioOf(name), 2)]);
  const pass = obj(r['pass']);
  const big = obj(r['big']);
  return [
    '### Verify (`npm run bench:verify`)',
    '',
    `${num(r['lines'])} signed lines of ${num(r['avgLineBytes'])} bytes on average; goal: >= ${String(r['target'])} x the ceiling. Load average ${arr(r['loadAverage']).join(' ')}.`,
    '',
    table(['contender', 'lines/s', 'ratio to the ceiling', 'CPU µs/line', 'CPU ratio'], rows),
    '',
    `Goal: core ${yes(pass['core'])}, CLI ${yes(pass['cli'])}.${big['peakRssMb'] === undefined ? '' : ` 1 GB file: ${num(big['linesPerSec'])} lines/s, peak RSS ${num(big['peakRssMb'])} MB (limit ${num(big['rssLimitMb'])}): ${yes(big['pass'])}.`}`,
  ].join('\n');
}

export function receiverSection(r: Json): string {
  const machine = obj(r['machine']);
  const targets = obj(r['targets']);
  const phases = arr(r['phases']);
  const rows = phases.map((p) => {
    const latency = obj(p['latencyMs']);
    const threads = obj(p['receiverCpuMicrosPerLineByThread']);
    return [
      String(p['name']),
      num(p['linesPerSec']),
      num(p['requestsPerSec'], 1),
      num(p['ceilingLinesPerSec']),
      pct(p['ceilingRatio']),
      `${num(p['receiverCpuMicrosPerLine'])} (${num(threads['main'])} + ${num(threads['threads'])})`,
      num(p['ceilingCpuMicrosPerLine']),
      pct(p['cpuRatio']),
      num(latency['p50'], 1),
      num(latency['p99'], 1),
      num(obj(p['groupCommit'])['batchesPerTransaction'], 2),
      num(p['peakRssMb']),
      Object.entries(obj(p['statusCodes']))
        .map(([code, n]) => `${code}×${String(n)}`)
        .join(' '),
    ];
  });
  const targetRows = Object.entries(targets).map(([name, t]) => [name, String(obj(t)['target']), typeof obj(t)['value'] === 'object' ? JSON.stringify(obj(t)['value']) : String(obj(t)['value']), yes(obj(t)['met'])]);
  return [
    '### Receiver end to end (`npm run bench:receiver -- --scaling`)',
    '',
    `Commit ${String(machine['commit'])}, ${String(machine['nproc'])} × ${String(machine['cpuModel'])}, Node ${String(machine['node'])}; load average ${arr(machine['loadavgBefore']).join(' ')} before, ${arr(machine['loadavgAfter']).join(' ')} after.`,
    '',
    table(
      ['phase', 'lines/s', 'req/s', 'ceiling lines/s', 'of ceiling', 'receiver CPU µs/line (event loop + other threads)', 'ceiling CPU µs/line', 'CPU ratio', 'p50 ms', 'p99 ms', 'batches/commit', 'RSS MB', 'statuses'],
      rows,
    ),
    '',
    table(['target', 'bar', 'measured', ''], targetRows),
  ].join('\n');
}

/** One row per receiver run: the targets side by side (the machine is shared: runs differ). */
export function receiverRunsSection(runs: readonly Json[]): string {
  const rows = runs.map((r, i) => {
    const machine = obj(r['machine']);
    const phases = arr(r['phases']);
    const peak = phases.find((p) => p['name'] === 'peak') ?? {};
    const half = phases.find((p) => p['name'] === 'half of peak') ?? {};
    const targets = obj(r['targets']);
    return [
      String(i + 1),
      String(machine['commit']),
      arr(machine['loadavgBefore']).join(' '),
      num(peak['linesPerSec']),
      pct(peak['ceilingRatio']),
      pct(peak['cpuRatio']),
      num(obj(half['latencyMs'])['p99'], 1),
      num(obj(targets['peakRssMb'])['value']),
      yes(obj(targets['only200UnderLoad'])['met']),
    ];
  });
  return [
    '#### Runs',
    '',
    table(['run', 'commit', 'load average before', 'peak lines/s', 'of ceiling (>= 80%)', 'CPU ratio', 'p99 ms at half of peak (<= 50)', 'RSS MB (<= 200)', 'only 200'], rows),
  ].join('\n');
}

export function renderReport(results: readonly Json[]): string {
  const by = (name: string): Json | undefined => results.find((r) => r['bench'] === name);
  const sections: string[] = [];
  const tokenizer = by('tokenizer');
  const verify = by('verify');
  const receivers = results.filter((r) => r['bench'] === 'receiver');
  if (tokenizer !== undefined) sections.push(tokenizerSection(tokenizer));
  if (verify !== undefined) sections.push(verifySection(verify));
  const last = receivers.at(-1);
  if (last !== undefined) sections.push(receiverSection(last));
  if (receivers.length > 1) sections.push(receiverRunsSection(receivers));
  return `${sections.join('\n\n')}\n`;
}

/** `text` with the report block replaced (markers kept). */
export function replaceBlock(text: string, report: string): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the file has no ${START} ... ${END} block`);
  return `${text.slice(0, start + START.length)}\n${report}${text.slice(end)}`;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  let target: string | undefined;
  if (args[0] === '--write') {
    target = args[1];
    args.splice(0, 2);
  }
  const report = renderReport(args.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Json));
  if (target === undefined) process.stdout.write(report);
  else writeFileSync(target, replaceBlock(readFileSync(target, 'utf8'), report));
}

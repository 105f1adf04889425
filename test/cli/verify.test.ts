/**
 * `konnect-audit verify` as a real process (node dist/cli/bin.js): exit
 * codes, the three report formats, key rotation across two --jwks files,
 * one clear stderr line for every usage and I/O error, and a 1 GB input
 * streamed through stdin with its peak memory measured.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCommand } from '../../src/cli/verify.js';
import { breakSig, cefUnsigned, dropSig, exportAs, jsonUnsigned, makeKey, signCef, signJson, tamper, tempDir, type TestKey } from '../audit/helpers.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'dist/cli/bin.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function newest(dir: string): number {
  return Math.max(...readdirSync(dir).map((name) => statSync(join(dir, name)).mtimeMs));
}

/** Builds dist/ when it is missing or older than the sources of this command (`npm test` builds first anyway). */
function ensureBuilt(): void {
  const built = join(root, 'dist/cli/verify.js');
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(newest(join(root, 'src/audit')), statSync(join(root, 'src/cli/verify.ts')).mtimeMs)) return;
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--noEmitOnError', 'false'], { cwd: root, stdio: 'ignore' });
}

function run(args: readonly string[], options: { stdin?: string | Buffer; cwd?: string } = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, 'verify', ...args], { cwd: options.cwd ?? dir, env: { ...process.env, KONNECT_AUDIT_DEBUG: '' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(options.stdin ?? '');
  });
}

let dir: string;
let k1: TestKey;
let k2: TestKey;
let jwks1: string;
let jwks2: string;
let both: string;
let mixedLines: string[];

beforeAll(() => {
  ensureBuilt();
  dir = tempDir('h5-verify-cli-');
  k1 = makeKey('kid-2024');
  k2 = makeKey('kid-2025');
  jwks1 = join(dir, 'jwks-2024.json');
  jwks2 = join(dir, 'jwks-2025.json');
  both = join(dir, 'jwks-both.json');
  writeFileSync(jwks1, JSON.stringify({ keys: [k1.jwk] }));
  writeFileSync(jwks2, JSON.stringify({ keys: [k2.jwk] }));
  writeFileSync(both, JSON.stringify({ keys: [k1.jwk, k2.jwk] }));
  mixedLines = [
    signCef(cefUnsigned(1), k1),
    signJson(jsonUnsigned(2), k2),
    tamper(signCef(cefUnsigned(3), k1)),
    breakSig(signCef(cefUnsigned(4), k2)),
    dropSig(signJson(jsonUnsigned(5), k1)),
    'not an audit line',
    signCef(cefUnsigned(7), k2),
  ];
  writeFileSync(join(dir, 'mixed.log'), `${mixedLines.join('\n')}\n`);
  writeFileSync(join(dir, 'valid.log'), `${[mixedLines[0], mixedLines[1], mixedLines[6]].join('\n')}\n`);
  writeFileSync(join(dir, 'missing-only.log'), `${mixedLines[4]}\n`);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('konnect-audit verify (process)', () => {
  it('exits 0 when every line is valid, prints the text report on stdout and nothing on stderr (not a TTY: no progress)', async () => {
    const r = await run(['--jwks', jwks1, '--jwks', jwks2, 'valid.log']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('Signature audit of 3 lines in 1 input');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Result: OK, every line is valid.');
  });

  it('exits 1 on findings; --format json has exactly the report keys, failures at file:line', async () => {
    const r = await run(['--jwks', both, '--format', 'json', 'mixed.log']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['total', 'valid', 'invalid', 'missing', 'malformed', 'unparseable', 'by_kid', 'failures', 'files']);
    expect(report).toMatchObject({ total: 7, valid: 3, invalid: 1, missing: 1, malformed: 1, unparseable: 1, by_kid: { 'kid-2024': 1, 'kid-2025': 2 } });
    expect((report['failures'] as { file: string; line: number; status: string }[]).map((f) => `${f.file}:${f.line} ${f.status}`)).toEqual([
      'mixed.log:3 invalid',
      'mixed.log:4 malformed',
      'mixed.log:5 missing',
      'mixed.log:6 unparseable',
    ]);
  });

  it('counts the kids of a rotation apart with two --jwks files, and finds the lines of the missing key invalid with one', async () => {
    const rotation = await run(['--jwks', jwks1, '--jwks', jwks2, '--format', 'json', 'valid.log']);
    expect(JSON.parse(rotation.stdout)).toMatchObject({ total: 3, valid: 3, by_kid: { 'kid-2024': 1, 'kid-2025': 2 } });
    const oldOnly = await run(['--jwks', jwks1, '--format', 'json', 'valid.log']);
    expect(oldOnly.code).toBe(1);
    expect(JSON.parse(oldOnly.stdout)).toMatchObject({ total: 3, valid: 1, invalid: 2, by_kid: { 'kid-2024': 1 } });
  });

  it('--format ndjson: one verdict per input line on stdout, the summary on stderr', async () => {
    const r = await run(['--jwks', both, '--format', 'ndjson', '-'], { stdin: readFileSync(join(dir, 'mixed.log')) });
    expect(r.code).toBe(1);
    const verdicts = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { file: string; line: number; status: string; kid?: string });
    expect(verdicts.map((v) => [v.line, v.status, v.kid ?? ''])).toEqual([
      [1, 'valid', 'kid-2024'],
      [2, 'valid', 'kid-2025'],
      [3, 'invalid', ''],
      [4, 'malformed', ''],
      [5, 'missing', ''],
      [6, 'unparseable', ''],
      [7, 'valid', 'kid-2025'],
    ]);
    expect(verdicts.every((v) => v.file === '<stdin>')).toBe(true);
    expect(r.stderr).toBe('konnect-audit verify: 7 lines: 3 valid, 1 invalid, 1 missing, 1 malformed, 1 unparseable\n');
  });

  it.each([
    ['--fail-on invalid ignores missing lines', ['--fail-on', 'invalid'], 0],
    ['--fail-on missing fails on them', ['--fail-on', 'missing,malformed'], 1],
    ['--fail-on none never fails', ['--fail-on', 'none'], 0],
  ])('%s', async (_name, flags, code) => {
    expect((await run(['--jwks', both, ...flags, 'missing-only.log'])).code).toBe(code);
  });

  it('reads a gzip Splunk CSV export named .csv.gz and a Sumo Logic page from stdin in one run', async () => {
    writeFileSync(join(dir, 'splunk.csv.gz'), gzipSync(exportAs('splunk-csv', mixedLines).text));
    const r = await run(['--jwks', both, '--format', 'json', 'splunk.csv.gz', '-'], { stdin: exportAs('sumo-json', mixedLines).text });
    const report = JSON.parse(r.stdout) as { total: number; valid: number; files: unknown[] };
    expect(report).toMatchObject({ total: 14, valid: 6 });
    expect(report.files).toEqual([
      { file: 'splunk.csv.gz', kind: 'splunk-csv', gzip: true, total: 7 },
      { file: '<stdin>', kind: 'sumo-json', gzip: false, total: 7 },
    ]);
  });

  const errors: readonly (readonly [string, () => readonly string[], string, string])[] = [
    ['a missing input file', () => ['--jwks', both, 'mixed.log', 'nope.log'], 'KAR_ERR_IO_READ', 'nope.log'],
    ['a JWKS that is not JSON', () => ['--jwks', write('broken.json', '{"keys": ['), 'mixed.log'], 'KAR_ERR_KEYS_INVALID_JWKS', 'broken.json'],
    ['a JWKS without an Ed25519 key', () => ['--jwks', write('rsa.json', JSON.stringify({ keys: [{ kty: 'RSA', kid: 'r', n: 'x', e: 'AQAB' }] })), 'mixed.log'], 'KAR_ERR_KEYS_NONE_USABLE', 'rsa.json'],
    ['a missing JWKS file', () => ['--jwks', join(dir, 'no-jwks.json'), 'mixed.log'], 'KAR_ERR_KEYS_FETCH_FAILED', 'no-jwks.json'],
    ['an unreadable gzip file', () => ['--jwks', both, write('bad.log.gz', Buffer.concat([gzipSync('x'.repeat(1000)).subarray(0, 12), Buffer.alloc(64, 7)]))], 'KAR_ERR_INPUT_GZIP', 'bad.log.gz'],
    ['a CSV export without a raw column', () => ['--jwks', both, write('no-raw.csv', '_time,host,source\n1,h,s\n')], 'KAR_ERR_INPUT_NO_RAW_COLUMN', 'no-raw.csv'],
    ['a CSV export with a broken quote', () => ['--jwks', both, write('broken.csv', '_raw\n"a"b\n')], 'KAR_ERR_INPUT_FORMAT', 'broken.csv:2'],
    ['an unknown option', () => ['--jwks', both, '--colour', 'mixed.log'], 'KAR_ERR_USAGE', '--colour'],
    ['an unknown --input-format', () => ['--jwks', both, '--input-format', 'xml', 'mixed.log'], 'KAR_ERR_USAGE', 'xml'],
    ['an unknown --fail-on status', () => ['--jwks', both, '--fail-on', 'valid', 'mixed.log'], 'KAR_ERR_USAGE', 'valid'],
    ['no input at all', () => ['--jwks', both], 'KAR_ERR_USAGE', 'no input'],
  ];

  function write(name: string, content: string | Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return name;
  }

  it.each(errors)('exits 2 on %s, with one stderr line naming it and its code, no stack trace', async (_name, args, code, names) => {
    const r = await run(args());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^konnect-audit verify: .*\\(${code}\\)$`));
    expect(lines[0]).toContain(names);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    // node's own message, closing quote missing as node writes it (cli/args puts it on one line).
    ['an unknown option', ['--colour', 'mixed.log'], `Unknown option '--colour'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "--colour"`],
    ['a missing value', ['mixed.log', '--format'], "Option '--format <value>' argument missing"],
    ['a bad --format', ['--format', 'xml', 'mixed.log'], "--format must be one of text, json, ndjson (got 'xml')"],
    ['a bad --input-format', ['--input-format', 'xml', 'mixed.log'], "--input-format must be one of raw, ndjson, splunk-json, splunk-csv, sumo-csv, sumo-json (got 'xml')"],
    ['an unknown --fail-on status', ['--fail-on', 'valid', 'mixed.log'], "--fail-on: unknown status 'valid' (use invalid, missing, malformed, unparseable or none)"],
    ['a --fail-on without a status', ['--fail-on', ',', 'mixed.log'], '--fail-on needs at least one status, or none'],
    ['a --max-failures that is not a number', ['--max-failures', 'many', 'mixed.log'], "--max-failures must be an integer >= 0 (got 'many')"],
    ['a --max-line-bytes under 1', ['--max-line-bytes', '0', 'mixed.log'], "--max-line-bytes must be an integer >= 1 (got '0')"],
    ['an empty --max-failures (Number("") would be 0)', ['--max-failures=', 'mixed.log'], "--max-failures must be an integer >= 0 (got '')"],
    ['a --max-failures in exponent notation', ['--max-failures', '1e3', 'mixed.log'], "--max-failures must be an integer >= 0 (got '1e3')"],
    ['no input', ['--format', 'json'], 'no input: give one or more files, or - to read stdin'],
  ])('usage: %s is the shared usage line (cli/args), exit 2, nothing else printed', async (_quirk, args, message) => {
    const r = await run(['--jwks', both, ...args]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `konnect-audit verify: ${message}; see --help (KAR_ERR_USAGE)\n` });
  });

  it('fetches a JWKS from a URL (loopback HTTP server) and adds a second set from a file', async () => {
    const server: Server = createServer((request, response) => {
      response.writeHead(request.url === '/v2/audit-log-webhook/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [k2.jwk] }));
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/audit-log-webhook/jwks.json`;
      const r = await run(['--jwks', url, '--jwks', jwks1, '--format', 'json', 'valid.log']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ valid: 3, by_kid: { 'kid-2025': 2, 'kid-2024': 1 } });
      const missing = await run(['--jwks', url.replace('jwks.json', 'nope.json'), 'valid.log']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^konnect-audit verify: .*HTTP 404.*\(KAR_ERR_KEYS_FETCH_FAILED\)\n$/);
    } finally {
      server.close();
    }
  });

  it('exits 2 at once on a broken stdin export, even while the writer keeps the pipe open', async () => {
    const child = spawn(process.execPath, [bin, 'verify', '--jwks', both, '-'], { cwd: dir });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    // stdin is never ended: only the error can end the process. (The rows after the broken one give
    // the CSV parser the look-ahead it needs to see the error before the input ends.)
    child.stdin.write('_raw\n"broken"quote\nnext row\nand another\n');
    const code = await new Promise<number | null>((done) => child.on('close', done));
    child.stdin.destroy();
    expect(code).toBe(2);
    expect(Buffer.concat(err).toString()).toMatch(/^konnect-audit verify: <stdin>:2: not a valid CSV export .*\(KAR_ERR_INPUT_FORMAT\)\n$/);
  });

  it('prints its usage with --help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: konnect-audit verify');
  });
});

describe('konnect-audit verify (in-process)', () => {
  it('takes the JWKS from KONNECT_AUDIT_JWKS when no --jwks is given (a relative path is relative to the command)', async () => {
    const stdout = new PassThrough();
    const out: Buffer[] = [];
    stdout.on('data', (c: Buffer) => out.push(c));
    const code = await verifyCommand({ argv: ['--format', 'json', 'valid.log'], stdin: Readable.from([]), stdout, stderr: new PassThrough(), env: { KONNECT_AUDIT_JWKS: 'jwks-both.json' }, cwd: dir });
    expect(code).toBe(0);
    expect(JSON.parse(Buffer.concat(out).toString())).toMatchObject({ total: 3, valid: 3 });
  });

  it('shows throttled progress on stderr when stderr is a terminal, and erases it before the report', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => (i % 100 === 0 ? signCef(cefUnsigned(i), k1) : cefUnsigned(i))).join('\n');
    const stderr: PassThrough & { isTTY?: boolean } = new PassThrough();
    stderr.isTTY = true;
    const stdout = new PassThrough();
    const err: Buffer[] = [];
    const out: Buffer[] = [];
    stderr.on('data', (c: Buffer) => err.push(c));
    stdout.on('data', (c: Buffer) => out.push(c));
    // Small chunks, slowly: several batches over more than one redraw interval.
    async function* slowly(): AsyncGenerator<Buffer> {
      for (let i = 0; i < many.length; i += 65_536) {
        yield Buffer.from(many.slice(i, i + 65_536));
        await new Promise((r) => setTimeout(r, 120));
      }
    }
    const code = await verifyCommand({ argv: ['--jwks', both, '-'], stdin: Readable.from(slowly()), stdout, stderr, env: {}, cwd: dir });
    expect(code).toBe(1);
    const progress = Buffer.concat(err).toString();
    const draws = progress.split('\r\x1b[K').filter((d) => d !== '');
    expect(draws.length).toBeGreaterThan(0);
    expect(draws.every((d) => /^[\d,]+ lines · [\d,]+ lines\/s · [\d.]+ [KMG]?B$/.test(d))).toBe(true);
    expect(progress.endsWith('\r\x1b[K')).toBe(true);
    expect(Buffer.concat(out).toString()).toContain('Signature audit of 20,000 lines in 1 input');
  });
});

/** Peak resident memory so far (VmHWM, kB) of a live process, from /proc. */
function peakRssKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined; // the process has just exited
  }
}

describe('konnect-audit verify on a 1 GiB input (process, stdin)', () => {
  it('streams 1 GiB from a generator process with a peak RSS <= 150 MB and counts every line exactly', async () => {
    // The volume: 1 GiB of ~350-byte Konnect CEF lines (about 3 million lines), made by a generator
    // process that writes one 1 MiB block again and again into verify's stdin (nothing is written to
    // disk). Most lines carry no sig (`missing`), so the run is bound by reading and parsing rather
    // than by 3 million Ed25519 checks (minutes on 2 cores); every block still holds valid lines of
    // both keys, tampered (`invalid`) and `malformed` ones, so verification is on the path throughout.
    const block: string[] = [];
    const perBlock = { valid: 0, invalid: 0, missing: 0, malformed: 0 };
    let bytes = 0;
    for (let i = 0; bytes < 1 << 20; i++) {
      const unsigned = `${cefUnsigned(i)} msg=${'p'.repeat(40)}`;
      const [line, status]: [string, keyof typeof perBlock] =
        i % 500 === 0
          ? [signCef(unsigned, i % 1000 === 0 ? k1 : k2), 'valid']
          : i % 500 === 1
            ? [signJson(jsonUnsigned(i), k2), 'valid']
            : i % 500 === 2
              ? [tamper(signCef(unsigned, k1)), 'invalid']
              : i % 500 === 3
                ? [breakSig(signCef(unsigned, k2)), 'malformed']
                : [unsigned, 'missing'];
      perBlock[status]++;
      block.push(line);
      bytes += line.length + 1;
    }
    const blockFile = join(dir, 'block.log');
    writeFileSync(blockFile, `${block.join('\n')}\n`);
    const repeats = Math.ceil(2 ** 30 / statSync(blockFile).size);
    const generator = join(dir, 'generate.mjs');
    writeFileSync(
      generator,
      `import { readFileSync } from 'node:fs';
const block = readFileSync(process.argv[2]);
let left = Number(process.argv[3]);
const pump = () => { while (left > 0) { left--; if (!process.stdout.write(block)) return void process.stdout.once('drain', pump); } };
pump();
`,
    );
    const gen = spawn(process.execPath, [generator, blockFile, String(repeats)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const verify = spawn(process.execPath, [bin, 'verify', '--jwks', both, '--format', 'json', '--max-failures', '5', '-'], { stdio: [gen.stdout, 'pipe', 'pipe'] });
    const pid = verify.pid as number;
    let peakKb = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      const kb = peakRssKb(pid);
      if (kb === undefined) return;
      peakKb = Math.max(peakKb, kb);
      samples++;
    }, 200);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    verify.stdout.on('data', (c: Buffer) => out.push(c));
    verify.stderr.on('data', (c: Buffer) => err.push(c));
    // VmHWM is the peak so far: the last reading, taken as stdin ends, is the peak of the whole run.
    verify.stdout.on('end', () => {
      const kb = peakRssKb(pid);
      if (kb !== undefined) peakKb = Math.max(peakKb, kb);
    });
    const code = await new Promise<number | null>((done) => verify.on('close', done));
    clearInterval(sampler);

    expect(Buffer.concat(err).toString()).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(Buffer.concat(out).toString()) as Record<string, unknown>;
    const lines = block.length * repeats;
    expect(report).toMatchObject({
      total: lines,
      valid: perBlock.valid * repeats,
      invalid: perBlock.invalid * repeats,
      missing: perBlock.missing * repeats,
      malformed: perBlock.malformed * repeats,
      unparseable: 0,
    });
    expect(statSync(blockFile).size * repeats).toBeGreaterThanOrEqual(2 ** 30);
    expect(samples).toBeGreaterThan(0);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb).toBeLessThanOrEqual(150 * 1024);
  }, 600_000);
});

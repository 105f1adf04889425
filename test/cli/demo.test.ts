/**
 * `konnect-audit demo` as a user runs it: the built CLI in a real process
 * (run `npx tsc -p tsconfig.build.json` first; `npm test` does).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runBuiltCli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    // An environment without KONNECT_AUDIT_*: the demo must not depend on the user's shell.
    const env = { PATH: process.env['PATH'] ?? '', HOME: cwd };
    execFile(process.execPath, [bin, ...args], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

let work: string;
beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first with \`npx tsc -p tsconfig.build.json\``);
  work = await mkdtemp(join(tmpdir(), 'kar-demo-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('konnect-audit demo (built CLI, real process)', () => {
  it('exits 0 and prints the summary; the file sink holds every accepted event, all signature-valid; a second run recreates the directory', async () => {
    for (const round of [1, 2]) {
      const run = await runBuiltCli(['demo', '--dir', 'out'], work);
      expect({ round, code: run.code, stderr: run.stderr }).toEqual({ round, code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^ {2}receiver {2}https:\/\/127\.0\.0\.1:\d+\/audit-logs /m);
      expect(run.stdout).toMatch(/^ {2}batches sent +6 \(1 of them a replay\), all answered 200$/m);
      expect(run.stdout).toMatch(/^ {2}events accepted +97 /m);
      expect(run.stdout).toMatch(/^ {2}signature valid +97 of the 97 events delivered$/m);
      expect(run.stdout).toMatch(/^ {2}quarantined +3 \(the 3 tampered lines: signature invalid\)$/m);
      expect(run.stdout).toMatch(/^ {2}duplicates dropped +20 /m);
      expect(run.stdout).toContain('  events      out/events.ndjson');
      expect(run.stdout).toContain('konnect-audit quarantine list --data-dir out/data');
      expect(run.stdout).not.toMatch(/Bearer/);

      const events = (await readFile(join(work, 'out', 'events.ndjson'), 'utf8')).trimEnd().split('\n');
      expect(events).toHaveLength(97);
      expect(events.every((line) => (JSON.parse(line) as { signature: { status: string } }).signature.status === 'valid')).toBe(true);
      const firstEvent = run.stdout.slice(run.stdout.indexOf('\n{') + 1);
      expect(JSON.parse(firstEvent)).toEqual(JSON.parse(events[0] as string));
    }
  });

  it.each([
    ['an unknown option', ['--dri', 'out'], "Unknown option '--dri'"],
    ['a missing value', ['--verbose', '--dir'], "Option '--dir <value>' argument missing"],
    ['a value given to --verbose', ['--verbose=yes'], "Option '--verbose' does not take an argument"],
    ['a stray argument', ['--dir', 'out', 'now'], 'unexpected argument after --dir: this command takes options only (quote a value that holds spaces)'],
  ])('%s: the shared usage line (cli/args), exit 2, nothing made', async (quirk, args, message) => {
    const cwd = await mkdtemp(join(work, 'usage-'));
    const run = await runBuiltCli(['demo', ...args], cwd);
    expect({ quirk, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ quirk, code: 2, stdout: '', stderr: `konnect-audit demo: ${message}; see --help (KAR_ERR_USAGE)\n` });
    expect(await readdir(cwd)).toEqual([]);
  });

  it('refuses to wipe a non-empty directory it did not make: one line, no stack trace, exit 2', async () => {
    const dir = join(work, 'precious');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'keep me');
    const run = await runBuiltCli(['demo', '--dir', dir], work);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^konnect-audit demo: .*precious is not empty and was not made by the demo .*\(KAR_ERR_IO_WRITE\)\n$/);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});

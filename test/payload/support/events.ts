/**
 * The fixture lines as `konnect-audit/v1` events, through the real
 * `konnect-audit parse` (in process) with the fixture JWKS, so that the
 * signature verdicts are real: valid (both keys), invalid, missing,
 * malformed. Lines that do not parse are left out (they never become events).
 */
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../../src/cli/main.js';
import type { NormalizedEvent } from '../../../src/normalize/event.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const RECEIVED_AT = '2025-06-23T14:28:48.001Z';
export const fixtureLogs = ['cef-valid.log', 'json-valid.log', 'mixed.log', 'kong-doc-examples.log', 'kong-doc-reference.log'] as const;

export interface FixtureEvent {
  /** `file:line` (1-based, as `parse` counts). */
  readonly where: string;
  readonly event: NormalizedEvent;
}

export async function runParse(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli({ argv: ['parse', ...args], stdin: Readable.from([Buffer.alloc(0)]), stdout, stderr, env: {}, cwd: repoRoot });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

let cache: Promise<FixtureEvent[]> | undefined;

export function fixtureEvents(): Promise<FixtureEvent[]> {
  cache ??= load();
  return cache;
}

async function load(): Promise<FixtureEvent[]> {
  const all: FixtureEvent[] = [];
  for (const file of fixtureLogs) {
    const { stdout } = await runParse(['--jwks', 'fixtures/keys/jwks.json', '--received-at', RECEIVED_AT, `fixtures/${file}`]);
    let line = 0;
    for (const text of stdout.split('\n')) {
      if (text === '') continue;
      line++;
      const parsed = JSON.parse(text) as NormalizedEvent | { error: unknown; line: number };
      if ('error' in parsed) {
        line = parsed.line;
        continue;
      }
      all.push({ where: `${file}:${line}`, event: parsed });
    }
  }
  return all;
}

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
import { loadTestKey, signCefLine } from '../../../src/testing/index.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const RECEIVED_AT = '2025-06-23T14:28:48.001Z';
export const fixtureLogs = ['cef-valid.log', 'json-valid.log', 'cps-valid.log', 'mixed.log', 'kong-doc-examples.log', 'kong-doc-reference.log'] as const;

/**
 * Cases no fixture file has, signed here with the TEST-ONLY fixture key
 * (deterministic): CEF text before the first key (`extension_preamble`).
 */
export function madeLines(): string[] {
  const key = loadTestKey('primary').privateKey;
  return [
    signCefLine(
      '2025-06-23T14:29:00Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.portals|1|note from a relay rt=1750689000000 src=203.0.113.9 action=list granted=true org_id=b065b594-6afc-4658-9101-5d9cf3f36b7b principal_id=87655c36-8d63-48fe-9a1e-53b28dfbc19b trace_id=42',
      key,
    ),
  ];
}

export interface FixtureEvent {
  /** `file:line` (1-based, as `parse` counts). */
  readonly where: string;
  readonly event: NormalizedEvent;
}

export async function runParse(args: readonly string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli({ argv: ['parse', ...args], stdin: Readable.from([Buffer.from(stdin, 'utf8')]), stdout, stderr, env: {}, cwd: repoRoot });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

let cache: Promise<FixtureEvent[]> | undefined;

export function fixtureEvents(): Promise<FixtureEvent[]> {
  cache ??= load();
  return cache;
}

async function load(): Promise<FixtureEvent[]> {
  const all: FixtureEvent[] = [];
  const inputs: [string, string, string][] = [...fixtureLogs.map((file): [string, string, string] => [file, `fixtures/${file}`, '']), ['made', '-', `${madeLines().join('\n')}\n`]];
  for (const [file, input, stdin] of inputs) {
    const { stdout } = await runParse(['--jwks', 'fixtures/keys/jwks.json', '--received-at', RECEIVED_AT, input], stdin);
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

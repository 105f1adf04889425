/**
 * fixtures/cps-valid.log (Konnect's `cps` format, made by
 * scripts/make-fixtures.ts with src/testing/sign-cps.ts) through
 * `konnect-audit parse --jwks`, like cef-valid.log and json-valid.log: every
 * line verifies on its exact bytes, and each event is the one its wrapped
 * JSON line gives, but for `format`, `id` and `raw`.
 */
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { fixtureKeyFiles, fixturesDir } from '../../src/testing/index.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const RECEIVED_AT = '2025-06-23T14:28:48.001Z';
type Event = Record<string, unknown>;

async function parse(args: readonly string[], stdin = ''): Promise<{ code: number; events: Event[] }> {
  const stdout = new PassThrough();
  const out: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  const code = await runCli({ argv: ['parse', '--received-at', RECEIVED_AT, ...args], stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr: new PassThrough(), env: {}, cwd: repoRoot });
  const text = Buffer.concat(out).toString('utf8');
  return { code, events: text.trim().split('\n').map((line) => JSON.parse(line) as Event) };
}

const cpsLines = readFileSync(`${fixturesDir}cps-valid.log`, 'utf8').trim().split('\n');

/** The wrapped event as a plain JSON line: the sig member cut wherever it sits, the wrapper taken off. */
function unwrap(line: string): string {
  const unsigned = line.replace(/,"sig":"[A-Za-z0-9_-]{86}"/, '').replace(/"sig":"[A-Za-z0-9_-]{86}",/, '');
  return unsigned.slice('{"event":'.length, -1);
}

describe('fixtures/cps-valid.log', () => {
  it('every line is valid with the kid that verified it, and is read as cps', async () => {
    const run = await parse(['--jwks', fixtureKeyFiles.jwks, `${fixturesDir}cps-valid.log`]);
    expect(run.code).toBe(0);
    expect(run.events).toHaveLength(cpsLines.length);
    const signatures = run.events.map((e) => e['signature'] as { status: string; kid?: string });
    expect(signatures.map((s) => s.status)).toEqual(cpsLines.map(() => 'valid'));
    expect(new Set(signatures.map((s) => s.kid))).toEqual(new Set(['konnect-audit-test-2025', 'konnect-audit-test-2026']));
    expect(new Set(run.events.map((e) => e['format']))).toEqual(new Set(['cps']));
    // The sig sits inside the event on some lines and beside it on others (SPEC 3 holds for both).
    expect(cpsLines.some((l) => /^\{"event":\{.*"sig":"/.test(l) && l.endsWith('}}'))).toBe(true);
    expect(cpsLines.some((l) => l.startsWith('{"sig":') || /\},"sig":"[^"]+"\}$/.test(l))).toBe(true);
  });

  it('each event equals the event of its unwrapped JSON line but for format, id and raw', async () => {
    const cps = (await parse([`${fixturesDir}cps-valid.log`])).events;
    const json = (await parse(['-'], cpsLines.map(unwrap).join('\n'))).events;
    expect(json.map((e) => e['format'])).toEqual(cpsLines.map(() => 'json'));
    cps.forEach((event, i) => {
      const { format, id, raw, signature, ...rest } = event;
      const { format: jsonFormat, id: jsonId, raw: jsonRaw, signature: jsonSignature, ...jsonRest } = json[i] as Event;
      expect(rest).toEqual(jsonRest);
      expect([format, jsonFormat]).toEqual(['cps', 'json']);
      expect(raw).toBe(cpsLines[i]);
      expect(id).toMatch(/^[A-Za-z0-9_-]{86}$/);
      expect([signature, jsonSignature, jsonId, jsonRaw]).toEqual([{ status: 'unverified' }, { status: 'missing' }, expect.any(String), unwrap(cpsLines[i] as string)]);
      // Unwrapped: a header, a category, typed fields.
      expect((rest['header'] as Record<string, string>)['vendor']).toBe('KongInc');
      expect(rest['category']).not.toBe('unknown');
    });
  });
});

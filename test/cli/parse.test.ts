import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { KONG_EXAMPLES_RECEIVED_AT } from '../../src/testing/fixture-files.js';
import { fixtureKeyFiles, fixturesDir, kongReferenceLinesForTests } from './parse-fixtures.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'kar-parse-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as parsed NDJSON lines. */
  readonly lines: Array<Record<string, unknown>>;
}

/** Runs `konnect-audit parse ...` in-process through the real CLI entry (cli/main). */
async function parse(args: readonly string[], stdin: Buffer = Buffer.alloc(0)): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli({ argv: ['parse', ...args], stdin: Readable.from([stdin]), stdout, stderr, env: {}, cwd: repoRoot });
  const text = Buffer.concat(out).toString('utf8');
  // Only NDJSON output is parsed (--help prints text).
  const lines = !text.startsWith('{') ? [] : text.replace(/\n$/, '').split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, stdout: text, stderr: Buffer.concat(err).toString('utf8'), lines };
}

const fixture = (name: string) => `${fixturesDir}${name}`;

describe('parse: Kong documented lines (SPEC 2 → SPEC 6)', () => {
  it('gives the SPEC 6 events field for field, byte for byte in property order', async () => {
    const run = await parse(['--received-at', KONG_EXAMPLES_RECEIVED_AT, fixture('kong-doc-examples.log')]);
    expect(run.code).toBe(0);
    const expected = readFileSync(fixture('kong-doc-examples.expected.ndjson'), 'utf8');
    expect(run.lines).toEqual(expected.trim().split('\n').map((l) => JSON.parse(l) as unknown));
    expect(run.stdout).toBe(expected);
  });

  it('keeps trace_id exact (JSON.parse would make 3895213347334635099 into 3895213347334635000)', async () => {
    const run = await parse([fixture('kong-doc-examples.log')]);
    expect(run.lines.map((e) => e['trace_id'])).toEqual(['3360194145499877252', '3895213347334635099', '3895213347334635099']);
    expect(run.stdout).not.toContain('3895213347334635000');
  });

  // One row per example of Kong's audit log reference (fixtures/kong-doc-reference.log).
  it.each([
    ['org authentication CEF, garbled rt: time from the prefix', 0, { format: 'cef', category: 'authentication', time: '2025-05-19T00:03:39.000Z', success: true, request: '/api/v1/personal-access-tokens/introspect', trace_id: '3895213347334635099' }],
    ['org authentication JSON, rt and success as strings', 1, { format: 'json', category: 'authentication', time: '2023-05-19T19:21:19.524Z', success: true, trace_id: '6891110586028963295' }],
    ['Dev Portal authentication JSON, empty user_agent', 2, { format: 'json', category: 'authentication', time: '2025-06-23T14:28:47.556Z', portal_id: '3e551b39-227d-4297-b911-e68fd5d77c17', user_agent: '' }],
    ['authorization CEF, rt in the year 2500 taken at face value, empty actor_id', 3, { format: 'cef', category: 'authorization', time: '2500-06-01T04:15:45.642Z', action: 'retrieve', granted: true, actor_id: '' }],
    ['authorization JSON, granted a JSON boolean', 4, { format: 'json', category: 'authorization', action: 'list', granted: true }],
    ['access CEF, truncated sig: malformed, query with = and quotes', 5, { format: 'cef', category: 'access', act: 'POST', status: 200, query: '{"end":"1684270800","start":"1684098000"}', signature: { status: 'malformed' }, id: 'JxJaQG3Bozrb5WdHE_Y0HaOsim2F1Xsq_bCfk71VgsfldkLAD_SF234cnKNS' }],
    ['access JSON, status a JSON number', 6, { format: 'json', category: 'access', time: '2023-05-16T00:28:01.193Z', act: 'POST', status: 201, query: '{}' }],
  ])('%s', async (_quirk, index, expected) => {
    const run = await parse([fixture('kong-doc-reference.log')]);
    expect(run.lines).toHaveLength(kongReferenceLinesForTests.length);
    expect(run.lines[index]).toMatchObject(expected);
    expect(run.lines[index]?.['raw']).toBe(kongReferenceLinesForTests[index]);
  });

  it('without --jwks, well-formed sigs are unverified (never valid)', async () => {
    const run = await parse([fixture('kong-doc-reference.log')]);
    expect(run.lines.map((e) => (e['signature'] as { status: string }).status)).toEqual(['unverified', 'unverified', 'unverified', 'unverified', 'unverified', 'malformed', 'unverified']);
  });
});

describe('parse --jwks: signatures', () => {
  it.each(['cef-valid.log', 'json-valid.log'])('every line of %s is valid, with the kid that verified it', async (name) => {
    const run = await parse(['--jwks', fixtureKeyFiles.jwks, fixture(name)]);
    expect(run.code).toBe(0);
    const lineCount = readFileSync(fixture(name), 'utf8').trim().split('\n').length;
    expect(run.lines).toHaveLength(lineCount);
    const statuses = run.lines.map((e) => e['signature'] as { status: string; kid?: string });
    expect(statuses.every((s) => s.status === 'valid')).toBe(true);
    expect(new Set(statuses.map((s) => s.kid))).toEqual(new Set(['konnect-audit-test-2025', 'konnect-audit-test-2026']));
  });

  it('mixed.log gives exactly the verdicts of mixed.expected.json (line numbers, kids, error codes)', async () => {
    const expected = JSON.parse(readFileSync(fixture('mixed.expected.json'), 'utf8')) as { lines: Array<{ line: number; status: string; kid?: string; code?: string }> };
    const run = await parse(['--jwks', 'fixtures/keys/jwks.json', 'fixtures/mixed.log']);
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(expected.lines.length);
    const got = run.lines.map((out, i) => {
      const line = expected.lines[i]?.line;
      if (out['error'] !== undefined) {
        expect(out['line']).toBe(line);
        expect(out['file']).toBe('fixtures/mixed.log');
        return { line: out['line'], status: 'unparseable', code: (out['error'] as { code: string }).code };
      }
      const signature = out['signature'] as { status: string; kid?: string };
      return { line, status: signature.status, ...(signature.kid === undefined ? {} : { kid: signature.kid }) };
    });
    expect(got).toEqual(expected.lines.map(({ line, status, kid, code }) => ({ line, status, ...(kid === undefined ? {} : { kid }), ...(code === undefined ? {} : { code }) })));
  });

  it('lines signed by a key not yet in the JWKS are invalid (key rotation not seen yet)', async () => {
    const run = await parse(['--jwks', fixtureKeyFiles.jwksBeforeRotation, fixture('cef-valid.log')]);
    const statuses = run.lines.map((e) => (e['signature'] as { status: string }).status);
    expect(statuses.filter((s) => s === 'invalid')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'valid')).toHaveLength(statuses.length - 1);
  });

  it('a replayed line keeps the id of the original (dedup key)', async () => {
    const run = await parse(['fixtures/mixed.log']);
    const events = run.lines.filter((e) => e['id'] !== undefined);
    expect(events[0]?.['id']).toBe(events.at(-2)?.['id']);
  });

  it('an unusable JWKS ends the command with exit 2 and one line', async () => {
    const bad = join(tmp, 'bad-jwks.json');
    writeFileSync(bad, '{"keys":[]}');
    const run = await parse(['--jwks', bad, fixture('cef-valid.log')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/KAR_ERR_KEYS_/);
  });
});

describe('parse: inputs and error objects', () => {
  it('reports lines that cannot be parsed in place, with 1-based line numbers counting blank lines', async () => {
    const input = ['', 'not a log line', '   ', 'CEF:0|KongInc|Konnect|1.0|x', '{"a":', '[1,2]', 'CEF:0|a|b|c|d|e|0|msg=ok', ''].join('\n');
    const run = await parse(['-'], Buffer.from(input));
    expect(run.code).toBe(1);
    expect(run.lines.map((l) => [l['line'], (l['error'] as { code?: string } | undefined)?.code ?? l['category']])).toEqual([
      [2, 'KAR_ERR_LINE_UNRECOGNIZED'],
      [4, 'KAR_ERR_CEF_HEADER_INCOMPLETE'],
      [5, 'KAR_ERR_JSON_SYNTAX'],
      [6, 'KAR_ERR_LINE_UNRECOGNIZED'],
      [undefined, 'unknown'],
    ]);
    expect(run.lines[0]).toEqual({ error: { code: 'KAR_ERR_LINE_UNRECOGNIZED', message: expect.any(String) as string }, file: '<stdin>', line: 2, raw: 'not a log line' });
  });

  it('reads stdin when no file is given, and tolerates CRLF and a last line without LF', async () => {
    const run = await parse([], Buffer.from('CEF:0|a|b|c|d|e|0|x=1\r\nCEF:0|a|b|c|d|e|0|x=2'));
    expect(run.code).toBe(0);
    expect(run.lines.map((e) => e['raw'])).toEqual(['CEF:0|a|b|c|d|e|0|x=1', 'CEF:0|a|b|c|d|e|0|x=2']);
  });

  it.each([
    ['a .gz file', 'mixed.log.gz'],
    ['gzip data without a .gz name (magic bytes decide)', 'mixed-gzip.data'],
  ])('inflates %s', async (_quirk, name) => {
    const file = join(tmp, name);
    writeFileSync(file, gzipSync(readFileSync(fixture('mixed.log'))));
    const received = ['--received-at', '2025-06-24T00:00:00Z', '--jwks', fixtureKeyFiles.jwks];
    const plain = await parse([...received, fixture('mixed.log')]);
    const gz = await parse([...received, file]);
    expect(gz.lines.map((l) => ({ ...l, file: undefined }))).toEqual(plain.lines.map((l) => ({ ...l, file: undefined })));
    expect(gz.lines.length).toBeGreaterThan(10);
  });

  it('reports a line over --max-line-bytes and goes on with the next', async () => {
    const long = `CEF:0|a|b|c|d|e|0|msg=${'x'.repeat(5000)}`;
    const run = await parse(['--max-line-bytes', '1000', '-'], Buffer.from(`${long}\nCEF:0|a|b|c|d|e|0|x=1\n`));
    expect(run.code).toBe(1);
    expect(run.lines[0]).toMatchObject({ error: { code: 'KAR_ERR_LINE_TOO_LONG' }, line: 1, raw: null });
    expect(run.lines[1]).toMatchObject({ raw: 'CEF:0|a|b|c|d|e|0|x=1' });
  });

  it('reports a line that is not UTF-8 (raw could not be re-verified)', async () => {
    const run = await parse(['-'], Buffer.concat([Buffer.from('CEF:0|a|b|c|d|e|0|x='), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
    expect(run.lines[0]).toMatchObject({ error: { code: 'KAR_ERR_LINE_NOT_UTF8' }, line: 1 });
  });

  it('a missing file: one line naming it, exit 2, nothing on stdout, even after a good file', async () => {
    const run = await parse([fixture('kong-doc-examples.log'), 'no/such/file.log']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('konnect-audit parse: no/such/file.log: cannot read (no such file) (KAR_ERR_IO_READ)\n');
  });

  it.each([
    ['an unparseable --received-at', ['--received-at', 'yesterday', '-']],
    ['a --max-line-bytes of 0', ['--max-line-bytes', '0']],
    ['an unknown --schema', ['--schema', 'cef', '-']],
  ])('usage error for %s: exit 2, one line', async (_quirk, args) => {
    const run = await parse(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^konnect-audit parse: .*\(KAR_ERR_USAGE\)\n$/);
  });

  it.each([
    ['an unknown option', ['--frobnicate', '-'], "Unknown option '--frobnicate'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--frobnicate\""],
    ['a missing value', ['-', '--jwks'], "Option '--jwks <value>' argument missing"],
    ['an option where a value belongs (node says it on three lines)', ['--received-at', '--jwks', 'x.json'], "Option '--received-at' argument is ambiguous. Did you forget to specify the option argument for '--received-at'? To specify an option argument starting with a dash use '--received-at=-XYZ'"],
  ])('%s: the shared usage line (cli/args), exit 2, nothing on stdout', async (_quirk, args, message) => {
    const run = await parse(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`konnect-audit parse: ${message}; see --help (KAR_ERR_USAGE)\n`);
  });

  it('--help documents the exit codes', async () => {
    const run = await parse(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Exit: 0 every line parsed');
  });
});

describe('parse --schema: the payload a sink would send (docs/SIEM.md)', () => {
  const examples = 'fixtures/kong-doc-examples.log';
  const at = ['--received-at', KONG_EXAMPLES_RECEIVED_AT];

  it('raw prints the lines byte for byte', async () => {
    const run = await parse([...at, '--schema', 'raw', examples]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(fixturesDir, 'kong-doc-examples.log'), 'utf8'));
  });

  it('v1 is the default', async () => {
    const v1 = await parse([...at, '--schema', 'v1', examples]);
    expect(v1.stdout).toBe((await parse([...at, examples])).stdout);
  });

  it.each([
    ['ocsf', { class_uid: 3002, metadata: { version: '1.8.0' } }, { class_uid: 6003, metadata: { profiles: ['security_control'] } }],
    ['ecs', { event: { category: ['authentication'], dataset: 'kong_konnect.audit' } }, { event: { category: ['api'], type: ['access', 'allowed'] } }],
  ])('%s: one document per line, from the shared mapping', async (schema, login, authz) => {
    const run = await parse([...at, '--schema', schema, examples]);
    expect(run.code).toBe(0);
    expect(run.lines).toHaveLength(3);
    expect(run.lines[0]).toMatchObject(login);
    expect(run.lines[1]).toMatchObject(authz);
    expect(JSON.stringify(run.lines)).not.toContain('raw_data');
  });

  it('--raw-data adds the line (OCSF raw_data, ECS event.original)', async () => {
    const lines = readFileSync(join(fixturesDir, 'kong-doc-examples.log'), 'utf8').split('\n');
    const ocsf = await parse([...at, '--schema', 'ocsf', '--raw-data', examples]);
    const ecs = await parse([...at, '--schema', 'ecs', '--raw-data', examples]);
    expect(ocsf.lines.map((l) => l.raw_data)).toEqual(lines.slice(0, 3));
    expect(ecs.lines.map((l) => (l.event as Record<string, unknown>).original)).toEqual(lines.slice(0, 3));
  });
});

describe('parse: any bytes in (property)', () => {
  const fragments = ['CEF:0|', 'KongInc|', '|', 'sig=', 'sig=AAAA', ' ', '=', '\\', '\\=', '{', '}', '"', '"sig":"x"', ',', ':', '\n', '\r\n', '\t', 'é', 'Apr 14 05:39:08 ', 'rt=1750688927556 '];
  const inputArb = fc.oneof(
    fc.uint8Array({ maxLength: 400 }),
    fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 })), { maxLength: 60 }).map((parts) => new Uint8Array(Buffer.from(parts.join('')))),
  );

  it('gives one event or error object per non-blank line, in order, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, async (bytes) => {
        const run = await parse(['--received-at', '2025-06-24T00:00:00Z', '-'], Buffer.from(bytes));
        expect([0, 1]).toContain(run.code);
        const nonBlank = Buffer.from(bytes).toString('latin1').split('\n').map((l, i) => [l, i + 1] as const).filter(([l]) => !/^[ \t\r]*$/.test(l));
        expect(run.lines).toHaveLength(nonBlank.length);
        run.lines.forEach((out) => {
          if (out['error'] !== undefined) expect(typeof (out['error'] as { code: unknown }).code).toBe('string');
          else expect(out['schema']).toBe('konnect-audit/v1');
        });
        expect(run.code).toBe(run.lines.some((l) => l['error'] !== undefined) ? 1 : 0);
      }),
      { numRuns: 150 },
    );
  });
});

describe('parse as a real process (dist/, built by npm test)', () => {
  it('reads gzip on stdin and prints the SPEC 6 events', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist/cli/bin.js'), 'parse', '--received-at', KONG_EXAMPLES_RECEIVED_AT], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.end(gzipSync(readFileSync(fixture('kong-doc-examples.log'))));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(Buffer.concat(err).toString()).toBe('');
    expect(code).toBe(0);
    expect(Buffer.concat(out).toString()).toBe(readFileSync(fixture('kong-doc-examples.expected.ndjson'), 'utf8'));
  });
});

describe('parse: lines with a warning are reported, not hidden (SPEC 4, issue 12)', () => {
  it('counts CEF text before the first key= and a duplicate key in one stderr line; the event keeps the text; exit 0', async () => {
    const input = Buffer.from(['CEF:0|a|b|c|d|e|f|garbage text msg=hi', 'CEF:0|a|b|c|d|e|f|msg=one msg=two', 'CEF:0|a|b|c|d|e|f|msg=clean'].join('\n'));
    const run = await parse(['-'], input);
    expect(run.code).toBe(0);
    expect(run.lines[0]?.['extension_preamble']).toBe('garbage text');
    expect(run.stderr).toBe(
      'konnect-audit parse: warnings: 1 extension_preamble (CEF text before the first key=, kept in extension_preamble), 1 duplicate_key (a key given twice, the last value kept)\n',
    );
  });

  it('says nothing on stderr when no line had a warning', async () => {
    const run = await parse(['-'], Buffer.from('CEF:0|a|b|c|d|e|f|msg=clean\n'));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });
});

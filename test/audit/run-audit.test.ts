import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verdictAt, verdictCount } from '../../src/audit/check-batch.js';
import { inputKinds, type InputKind } from '../../src/audit/input-kinds.js';
import { runAudit, type AuditOptions } from '../../src/audit/run-audit.js';
import type { LineVerdict } from '../../src/audit/verdict.js';
import { isKarError } from '../../src/errors/index.js';
import { parseJwks } from '../../src/verify/jwks.js';
import type { VerificationKey } from '../../src/verify/types.js';
import { breakSig, cefUnsigned, dropSig, exportAs, jsonUnsigned, makeKey, signCef, signJson, tamper, tempDir, type TestKey } from './helpers.js';

let dir: string;
let k1: TestKey;
let k2: TestKey;
let keys: VerificationKey[];
/** The mixed set: status of each line, in order. */
let mixed: { raw: string; status: string; kid?: string }[];

beforeAll(() => {
  dir = tempDir();
  k1 = makeKey('kid-2024');
  k2 = makeKey('kid-2025');
  keys = parseJwks(JSON.stringify({ keys: [k1.jwk, k2.jwk] }));
  mixed = [
    { raw: signCef(cefUnsigned(1), k1), status: 'valid', kid: 'kid-2024' },
    { raw: signJson(jsonUnsigned(2), k2), status: 'valid', kid: 'kid-2025' },
    { raw: tamper(signCef(cefUnsigned(3), k1)), status: 'invalid' },
    { raw: signCef(cefUnsigned(4), k2), status: 'valid', kid: 'kid-2025' },
    { raw: breakSig(signCef(cefUnsigned(5), k1)), status: 'malformed' },
    { raw: dropSig(signJson(jsonUnsigned(6), k1)), status: 'missing' },
    { raw: 'this is not an audit line', status: 'unparseable' },
    { raw: tamper(signJson(jsonUnsigned(8), k2)), status: 'invalid' },
    { raw: signJson(jsonUnsigned(9), k1), status: 'valid', kid: 'kid-2024' },
    { raw: breakSig(signJson(jsonUnsigned(10), k2)), status: 'malformed' },
    { raw: signCef(cefUnsigned(11), k1), status: 'valid', kid: 'kid-2024' },
  ];
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function audit(inputs: string[], extra: Partial<AuditOptions> = {}) {
  return runAudit({ inputs, stdin: Readable.from([]), cwd: dir, keys, ...extra });
}

const expectedCounts = { total: 11, valid: 5, invalid: 2, missing: 1, malformed: 2, unparseable: 1 };
const kinds = inputKinds.flatMap((kind) => [
  [kind, false],
  [kind, true],
]) as [InputKind, boolean][];

describe('runAudit', () => {
  it.each(kinds)('counts a mixed %s export exactly (gzip: %s), with each failure at its 1-based line', async (kind, gzip) => {
    const { text, lines } = exportAs(kind, mixed.map((m) => m.raw));
    // Names that say nothing: kind and compression are detected from the bytes.
    const file = join(dir, `mixed-${kind}-${gzip ? 'gz' : 'plain'}.dat`);
    writeFileSync(file, gzip ? gzipSync(text) : text);
    const report = await audit([file]);
    expect(report).toMatchObject({ ...expectedCounts, by_kid: { 'kid-2024': 3, 'kid-2025': 2 } });
    expect(report.files).toEqual([{ file, kind, gzip, total: 11 }]);
    const expectedFailures = mixed.flatMap((m, i) => (m.status === 'valid' ? [] : [{ file, line: lines[i], status: m.status }]));
    expect(report.failures.map(({ file: f, line, status }) => ({ file: f, line, status }))).toEqual(expectedFailures);
  });

  it('tells apart the keys of a rotation: each kid counts its own lines, and a line is invalid without its key', async () => {
    const file = join(dir, 'rotation.log');
    writeFileSync(file, [signCef(cefUnsigned(1), k1), signCef(cefUnsigned(2), k2), signJson(jsonUnsigned(3), k2)].join('\n'));
    expect(await audit([file])).toMatchObject({ total: 3, valid: 3, by_kid: { 'kid-2024': 1, 'kid-2025': 2 } });
    const onlyOld = await audit([file], { keys: parseJwks(JSON.stringify({ keys: [k1.jwk] })) });
    expect(onlyOld).toMatchObject({ total: 3, valid: 1, invalid: 2, by_kid: { 'kid-2024': 1 } });
    expect(onlyOld.failures.map((f) => [f.line, f.reason])).toEqual([
      [2, 'the signature verifies with none of the 1 key (KAR_ERR_SIG_INVALID)'],
      [3, 'the signature verifies with none of the 1 key (KAR_ERR_SIG_INVALID)'],
    ]);
  });

  it('lists every key loaded in by_kid, with 0 when it verified nothing', async () => {
    const file = join(dir, 'one-kid.log');
    writeFileSync(file, `${signCef(cefUnsigned(1), k2)}\n`);
    expect((await audit([file])).by_kid).toEqual({ 'kid-2024': 0, 'kid-2025': 1 });
  });

  it('reads several inputs, stdin among them, and reports each', async () => {
    const a = join(dir, 'a.log');
    writeFileSync(a, `${mixed[0]?.raw}\n`);
    const report = await audit([a, '-'], { stdin: Readable.from([Buffer.from(`\n${mixed[2]?.raw}\n`)]) });
    expect(report).toMatchObject({ total: 2, valid: 1, invalid: 1 });
    expect(report.failures).toEqual([{ file: '<stdin>', line: 2, status: 'invalid', reason: expect.stringContaining('KAR_ERR_SIG_INVALID') as unknown as string }]);
    expect(report.files.map((f) => [f.file, f.total])).toEqual([
      [a, 1],
      ['<stdin>', 1],
    ]);
  });

  it('hands over one verdict per line, in input order, across many batches in flight', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? signCef(cefUnsigned(i), i % 2 === 0 ? k1 : k2) : i % 3 === 1 ? dropSig(signCef(cefUnsigned(i), k1)) : tamper(signCef(cefUnsigned(i), k2))));
    const text = `${lines.join('\n')}\n`;
    // Small chunks: many batches, several verified at once.
    const chunks = Array.from({ length: Math.ceil(text.length / 8192) }, (_, i) => Buffer.from(text.slice(i * 8192, (i + 1) * 8192)));
    const seen: LineVerdict[] = [];
    const report = await audit(['-'], { stdin: Readable.from(chunks), onVerdicts: (v) => void seen.push(...Array.from({ length: verdictCount(v) }, (_, i) => verdictAt(v, i))), maxFailures: 5 });
    expect(seen.map((v) => v.line)).toEqual(lines.map((_, i) => i + 1));
    expect(seen.map((v) => v.status)).toEqual(lines.map((_, i) => (i % 3 === 0 ? 'valid' : i % 3 === 1 ? 'missing' : 'invalid')));
    expect(report).toMatchObject({ total: 3000, valid: 1000, missing: 1000, invalid: 1000 });
    expect(report.failures).toHaveLength(5);
  });

  it('takes --input-format over detection: a Splunk export forced to raw is read line by line as JSON objects', async () => {
    const { text } = exportAs('splunk-json', [mixed[0]?.raw ?? '']);
    const file = join(dir, 'forced.json');
    writeFileSync(file, text);
    expect(await audit([file])).toMatchObject({ total: 1, valid: 1 });
    // Read as raw, the export line is a JSON object without sig: `missing`.
    expect(await audit([file], { inputFormat: 'raw' })).toMatchObject({ total: 1, missing: 1 });
  });

  it.each([
    ['a missing file', 'nope.log', 'KAR_ERR_IO_READ', /^nope\.log: cannot read \(no such file\)$/],
    ['a directory', '.', 'KAR_ERR_IO_READ', /^\.: cannot read \(is a directory\)$/],
  ])('fails before reading anything on %s', async (_name, input, code, message) => {
    const error = await audit([join(dir, 'a.log'), input]).catch((e: unknown) => e);
    expect(isKarError(error) && error.code).toBe(code);
    expect(isKarError(error) && error.message).toMatch(message);
  });

  it.each([
    ['corrupt gzip data', (gz: Buffer) => Buffer.concat([gz.subarray(0, 20), Buffer.alloc(40, 0xff)])],
    ['a truncated gzip file', (gz: Buffer) => gz.subarray(0, gz.length - 30)],
  ])('fails with KAR_ERR_INPUT_GZIP on %s, naming the input', async (name, damage) => {
    const file = join(dir, `${name.replaceAll(' ', '-')}.log.gz`);
    writeFileSync(file, damage(gzipSync(mixed.map((m) => m.raw).join('\n'))));
    const error = await audit([file]).catch((e: unknown) => e);
    expect(isKarError(error) && error.code).toBe('KAR_ERR_INPUT_GZIP');
    expect(isKarError(error) && error.message).toContain(file);
  });

  it('counts blank lines as no line and a CRLF file like an LF file', async () => {
    const file = join(dir, 'crlf.log');
    writeFileSync(file, `\r\n${mixed[0]?.raw}\r\n\r\n${mixed[2]?.raw}\r\n`);
    const report = await audit([file]);
    expect(report).toMatchObject({ total: 2, valid: 1, invalid: 1 });
    expect(report.failures[0]?.line).toBe(4);
  });
});

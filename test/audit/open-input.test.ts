import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD_BYTES, openInput } from '../../src/audit/open-input.js';
import { isKarError } from '../../src/errors/index.js';
import { tempDir } from './helpers.js';

let dir: string;
const noStdin = Readable.from([]);

beforeAll(() => {
  dir = tempDir();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function readAll(path: string, stdin: Readable = noStdin): Promise<{ text: string; gzip: boolean; head: string; bytesRead: number; sizeBytes: number | undefined }> {
  const input = await openInput(path, stdin, dir);
  const chunks: Buffer[] = [];
  for await (const chunk of input.chunks()) chunks.push(chunk);
  return { text: Buffer.concat(chunks).toString(), gzip: input.gzip, head: input.head.toString(), bytesRead: input.bytesRead(), sizeBytes: input.sizeBytes };
}

async function errorOf(path: string): Promise<{ code: string; message: string }> {
  try {
    await readAll(path);
  } catch (error) {
    if (isKarError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a KarError');
}

describe('openInput', () => {
  it.each([
    ['a plain file', 'plain.log', (t: string) => Buffer.from(t), false],
    ['gzip found by its magic bytes whatever the name', 'export.csv', (t: string) => gzipSync(t), true],
    ['gzip named .gz', 'export.log.gz', (t: string) => gzipSync(t), true],
    ['concatenated gzip members (cat a.gz b.gz)', 'two.gz', (t: string) => Buffer.concat([gzipSync(t.slice(0, 10)), gzipSync(t.slice(10))]), true],
  ])('reads %s', async (_name, file, encode, gzip) => {
    const text = 'line one\nline two\n'.repeat(1000);
    const bytes = encode(text);
    writeFileSync(join(dir, file), bytes);
    const read = await readAll(file);
    expect(read).toMatchObject({ text, gzip, sizeBytes: bytes.length, bytesRead: bytes.length });
    expect(read.head).toBe(text.slice(0, HEAD_BYTES));
  });

  it('reads stdin (-), gzip or not, as <stdin>', async () => {
    const input = await openInput('-', Readable.from([gzipSync('a\n'), gzipSync('b\n')]), dir);
    expect(input).toMatchObject({ name: '<stdin>', gzip: true, sizeBytes: undefined });
    expect(input.head.toString()).toBe('a\nb\n');
  });

  it.each([
    ['a missing file', 'missing.log', undefined, 'KAR_ERR_IO_READ', 'missing.log: cannot read (no such file)'],
    ['a directory', '.', undefined, 'KAR_ERR_IO_READ', '.: cannot read (is a directory)'],
    ['a .gz that is not gzip', 'text.gz', Buffer.from('not gzip\n'), 'KAR_ERR_INPUT_GZIP', 'text.gz: named .gz but not gzip data (no 1f 8b magic bytes)'],
    ['an empty .gz', 'empty.gz', Buffer.alloc(0), 'KAR_ERR_INPUT_GZIP', 'empty.gz: named .gz but not gzip data (no 1f 8b magic bytes)'],
  ])('fails on %s with one clear message', async (_name, file, content, code, message) => {
    if (content !== undefined) writeFileSync(join(dir, file), content);
    expect(await errorOf(file)).toEqual({ code, message });
  });

  it('fails with KAR_ERR_INPUT_GZIP when the gzip data breaks after the head', async () => {
    const big = gzipSync(Buffer.from(Array.from({ length: 200_000 }, (_, i) => `line ${i} ${Math.random()}`).join('\n')));
    // Damage far from the start: detection reads fine, the failure comes while streaming.
    big.fill(0x55, big.length - 5000, big.length - 4000);
    writeFileSync(join(dir, 'late.gz'), big);
    const error = await errorOf('late.gz');
    expect(error.code).toBe('KAR_ERR_INPUT_GZIP');
    expect(error.message).toMatch(/^late\.gz: cannot inflate the gzip data/);
  });
});

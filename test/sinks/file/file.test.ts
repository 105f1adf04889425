/**
 * The file sink on real files in a temp dir: exact NDJSON lines, size
 * rotation, logrotate-style rename + SIGHUP reopen, a full disk.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKarError } from '../../../src/errors/index.js';
import { createSilentLogger } from '../../../src/observability/logger.js';
import { createFileSink, type FileSink } from '../../../src/sinks/file/index.js';
import { fileConfigSchema } from '../../../src/sinks/file/config.js';
import { encodeFileLines } from '../../../src/sinks/file/encode.js';
import { makeRecords } from '../support/records.js';

let dir: string;
const open: FileSink[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kar-file-sink-'));
});

afterEach(async () => {
  for (const sink of open.splice(0)) await sink.close();
  await rm(dir, { recursive: true, force: true });
});

async function fileSink(extra: Record<string, unknown> = {}): Promise<FileSink> {
  const sink = createFileSink(fileConfigSchema.parse({ type: 'file', path: join(dir, 'audit', 'events.ndjson'), ...extra }), { logger: createSilentLogger() });
  await sink.start();
  open.push(sink);
  return sink;
}

const ndjson = (records: ReturnType<typeof makeRecords>) => records.map((r) => `${r.json}\n`).join('');
const lineBytes = (records: ReturnType<typeof makeRecords>) => Buffer.byteLength(`${records[0]?.json}\n`);

describe('file sink', () => {
  it('encode: one buffer per record, the stored JSON plus a newline', () => {
    const batch = makeRecords(2);
    expect(encodeFileLines(batch).map((b) => b.toString())).toEqual(batch.map((r) => `${r.json}\n`));
  });

  it('appends exact NDJSON lines, batch after batch, creating the directory', async () => {
    const sink = await fileSink();
    const first = makeRecords(3);
    const second = makeRecords(2, 3);
    expect(await sink.write(first)).toEqual({ kind: 'delivered' });
    expect(await sink.write(second)).toEqual({ kind: 'delivered' });
    expect(await sink.write([])).toEqual({ kind: 'delivered' });
    expect(await readFile(join(dir, 'audit', 'events.ndjson'), 'utf8')).toBe(ndjson([...first, ...second]));
  });

  it('creates the file with mode 0640 by default', async () => {
    await fileSink();
    expect((await stat(join(dir, 'audit', 'events.ndjson'))).mode & 0o777).toBe(0o640);
  });

  it('appends to an existing file after a restart', async () => {
    const path = join(dir, 'audit', 'events.ndjson');
    const before = makeRecords(1);
    const sink = await fileSink();
    await sink.write(before);
    await sink.close();
    open.pop();
    const after = makeRecords(1, 1);
    await (await fileSink()).write(after);
    expect(await readFile(path, 'utf8')).toBe(ndjson([...before, ...after]));
  });

  it('rotates by size between lines: no file passes maxFileBytes, nothing lost, oldest dropped past maxFiles', async () => {
    const records = makeRecords(20);
    const max = lineBytes(records) * 3 + 10;
    const sink = await fileSink({ maxFileBytes: max, maxFiles: 4 });
    for (let i = 0; i < records.length; i += 4) expect(await sink.write(records.slice(i, i + 4))).toEqual({ kind: 'delivered' });
    const names = (await readdir(join(dir, 'audit'))).sort();
    expect(names).toEqual(['events.ndjson', 'events.ndjson.1', 'events.ndjson.2', 'events.ndjson.3', 'events.ndjson.4']);
    const oldestFirst = ['events.ndjson.4', 'events.ndjson.3', 'events.ndjson.2', 'events.ndjson.1', 'events.ndjson'];
    const contents = await Promise.all(oldestFirst.map((name) => readFile(join(dir, 'audit', name), 'utf8')));
    for (const content of contents) expect(Buffer.byteLength(content)).toBeLessThanOrEqual(max);
    // 20 lines at 3 per file = 7 files; 5 kept: the 15 (or so) newest lines, in order, none split.
    const kept = contents.join('');
    expect(ndjson(records).endsWith(kept)).toBe(true);
    expect(kept.split('\n').filter(Boolean).length).toBe(14);
  });

  it('a single line larger than maxFileBytes gets a file of its own, whole', async () => {
    const records = makeRecords(3);
    const sink = await fileSink({ maxFileBytes: 100 });
    await sink.write(records);
    expect(await readFile(join(dir, 'audit', 'events.ndjson.2'), 'utf8')).toBe(ndjson(records.slice(0, 1)));
    expect(await readFile(join(dir, 'audit', 'events.ndjson.1'), 'utf8')).toBe(ndjson(records.slice(1, 2)));
    expect(await readFile(join(dir, 'audit', 'events.ndjson'), 'utf8')).toBe(ndjson(records.slice(2)));
  });

  it('maxFileBytes 0 turns size rotation off', async () => {
    const sink = await fileSink({ maxFileBytes: 0 });
    await sink.write(makeRecords(50));
    expect(await readdir(join(dir, 'audit'))).toEqual(['events.ndjson']);
  });

  it('logrotate: rename the file, SIGHUP, and the reopen makes a new file; no line lost or split', async () => {
    const path = join(dir, 'audit', 'events.ndjson');
    const sink = await fileSink();
    const before = makeRecords(3);
    const after = makeRecords(2, 3);
    await sink.write(before);
    await rename(path, `${path}-20250623`);
    process.kill(process.pid, 'SIGHUP');
    // The reopen creates the new file; wait for it (signals arrive asynchronously).
    for (let i = 0; i < 400 && !existsSync(path); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await sink.write(after);
    expect(await readFile(`${path}-20250623`, 'utf8')).toBe(ndjson(before));
    expect(await readFile(path, 'utf8')).toBe(ndjson(after));
  });

  it('without the rename, a reopen keeps appending to the same file', async () => {
    const path = join(dir, 'audit', 'events.ndjson');
    const sink = await fileSink();
    const before = makeRecords(2);
    const after = makeRecords(2, 2);
    await sink.write(before);
    await sink.reopen();
    await sink.write(after);
    expect(await readFile(path, 'utf8')).toBe(ndjson([...before, ...after]));
  });

  it('installs a SIGHUP handler only when asked, and removes it on close', async () => {
    const base = process.listenerCount('SIGHUP');
    const sink = await fileSink({ reopenOnSighup: false });
    expect(process.listenerCount('SIGHUP')).toBe(base);
    await sink.close();
    open.pop();
    await fileSink();
    expect(process.listenerCount('SIGHUP')).toBe(base + 1);
    await open.pop()?.close();
    expect(process.listenerCount('SIGHUP')).toBe(base);
  });

  it('a full disk (/dev/full) is retryable and reported in health', async () => {
    const sink = createFileSink(fileConfigSchema.parse({ type: 'file', path: '/dev/full', maxFileBytes: 0, fsync: false, reopenOnSighup: false }), { logger: createSilentLogger() });
    await sink.start();
    open.push(sink);
    const out = await sink.write(makeRecords(2));
    expect(out).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason: expect.stringContaining('ENOSPC') });
    expect(sink.health().ok).toBe(false);
  });

  it('start() fails with KAR_ERR_IO_WRITE when the path cannot be opened', async () => {
    await writeFile(join(dir, 'not-a-dir'), 'x');
    const sink = createFileSink(fileConfigSchema.parse({ type: 'file', path: join(dir, 'not-a-dir', 'events.ndjson') }), { logger: createSilentLogger() });
    const error = await sink.start().catch((e: unknown) => e);
    expect(isKarError(error) && error.code).toBe('KAR_ERR_IO_WRITE');
  });
});

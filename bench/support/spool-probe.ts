/**
 * @module bench/support/spool-probe
 * Raw SQLite cost of the durable record, per line, for the record shapes
 * issue 10 weighs (synchronous = FULL, WAL, 2 batches of `batchSize` lines per
 * transaction, write + read back + delete; the dedup index left out: the
 * same in all): a row of 1.6 KB normalized JSON per event (before), one row
 * per batch holding its raw lines, and the same deflated (level 1),
 * deflate and inflate included. A diagnostic, not a SPEC 9 bench.
 *
 *   tsx bench/support/spool-probe.ts [batches=400] [batchSize=100]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { createLineParser, isLineError } from '../../src/lines/parse-line.js';
import { normalizeLine, serializeEvent } from '../../src/normalize/index.js';
import { makeKonnectLines } from '../../src/testing/index.js';

interface Shape {
  readonly name: string;
  readonly rows: (lines: readonly string[]) => Buffer[] | string[];
  readonly read: (value: Buffer | string) => void;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export function probeSpool(batches: number, batchSize: number): { shape: string; buildMicrosPerLine: number; cpuMicrosPerLine: number; bytesPerLine: number }[] {
  const lines = makeKonnectLines({ format: 'cef', count: batches * batchSize, seed: 7, startMs: 1750688927556 }).map((l) => `${l} sig=${randomBytes(64).toString('base64url')}`);
  const parser = createLineParser({ maxLineBytes: 256 * 1024 });
  const receivedAt = new Date().toISOString();
  const jsonOf = (line: string): string => {
    const bytes = Buffer.from(line);
    const view = parser.parse(bytes, 0, bytes.length);
    if (isLineError(view)) throw new Error(view.message);
    return serializeEvent(normalizeLine(view, { receivedAt, signature: { status: 'valid', kid: 'k' } }));
  };
  const shapes: Shape[] = [
    { name: 'row per event, normalized JSON (before)', rows: (ls) => ls.map(jsonOf), read: () => undefined },
    { name: 'row per batch, raw lines', rows: (ls) => [Buffer.from(`${ls.join('\n')}\n`)], read: () => undefined },
    {
      name: 'row per batch, raw lines deflated (level 1)',
      rows: (ls) => [deflateRawSync(Buffer.from(`${ls.join('\n')}\n`), { level: constants.Z_BEST_SPEED })],
      read: (v) => void inflateRawSync(v as Buffer),
    },
  ];
  const out: { shape: string; buildMicrosPerLine: number; cpuMicrosPerLine: number; bytesPerLine: number }[] = [];
  for (const shape of shapes) {
    const dir = mkdtempSync(join(tmpdir(), 'kar-spool-'));
    try {
      const db = new Database(join(dir, 'spool.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE q (seq INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL, stored_at INTEGER NOT NULL)');
      const insert = db.prepare<[Buffer | string, number]>('INSERT INTO q(body, stored_at) VALUES (?, ?)');
      const readAll = db.prepare<[number], { seq: number; body: Buffer | string }>('SELECT seq, body FROM q WHERE seq > ? ORDER BY seq LIMIT 1000');
      const del = db.prepare<[number]>('DELETE FROM q WHERE seq <= ?');
      let cursor = 0;
      let bytes = 0;
      const b0 = cpuMicros();
      const built: (Buffer[] | string[])[] = [];
      for (let b = 0; b < batches; b++) built.push(shape.rows(lines.slice(b * batchSize, (b + 1) * batchSize)));
      const buildCpu = cpuMicros() - b0;
      const t0 = cpuMicros();
      for (let b = 0; b < batches; b += 2) {
        const rows = [built[b] ?? [], built[b + 1] ?? []];
        db.transaction(() => {
          for (const r of rows) for (const value of r) {
            bytes += typeof value === 'string' ? Buffer.byteLength(value) : value.length;
            insert.run(value, Date.now());
          }
        }).immediate();
        for (const row of readAll.all(cursor)) {
          shape.read(row.body);
          cursor = row.seq;
        }
        db.transaction(() => del.run(cursor)).immediate();
      }
      const cpu = cpuMicros() - t0;
      db.close();
      out.push({ shape: shape.name, buildMicrosPerLine: buildCpu / (batches * batchSize), cpuMicrosPerLine: cpu / (batches * batchSize), bytesPerLine: bytes / (batches * batchSize) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const result = probeSpool(Number(process.argv[2] ?? 400), Number(process.argv[3] ?? 100));
  for (const r of result) process.stderr.write(`${r.shape.padEnd(48)} build ${r.buildMicrosPerLine.toFixed(1).padStart(6)} µs, spool ${r.cpuMicrosPerLine.toFixed(1).padStart(6)} µs CPU/line ${r.bytesPerLine.toFixed(0).padStart(6)} B/line\n`);
  process.stdout.write(`${JSON.stringify({ probe: 'spool', result })}\n`);
}

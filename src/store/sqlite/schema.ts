/**
 * @module store/schema
 * The SQLite schema of the spool and how a connection is set up.
 *
 * - `records`: the delivery queue, one row per record (store/record-codec.ts:
 *   up to 1000 lines as received with their verdicts, or normalized events
 *   re-queued by the CLI); `skip` lists the lines found to be duplicates at
 *   commit (u32 little-endian indices, NULL for none), `events` how many
 *   lines it delivers, `bytes` its payload's size. `seq` is AUTOINCREMENT so
 *   that a sequence number is never reused after rows are deleted: sink
 *   cursors point at positions derived from it (`positionOf`), and a reused
 *   one would be skipped by a sink whose cursor is already past it. `target`
 *   is NULL for "every sink" and a sink name for events re-queued from that
 *   sink's dead letters.
 * - `dedup`: 16-byte hashes of event ids seen within the window, oldest first
 *   by rowid (ids are only appended, so rowid order is arrival order and both
 *   the window and the size bound delete a prefix).
 * - `sinks`: one cursor per sink (last delivered `seq`).
 * - `quarantine`, `dead_letters`: kept aside for people (CLI).
 * - `counters`: running totals updated in the same transactions as the rows
 *   they count, so that every process (serve and CLI) sees the same numbers
 *   without a full scan.
 */
import type { Database } from 'better-sqlite3';
import { KarError } from '../../errors/index.js';
import { encodeEventsRecord, POSITIONS_PER_RECORD } from '../record-codec.js';

export const SCHEMA_VERSION = 2;

const ddl = `
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  payload BLOB NOT NULL,
  skip BLOB,
  events INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  stored_at INTEGER NOT NULL,
  target TEXT
);
CREATE INDEX IF NOT EXISTS records_target ON records(target, seq) WHERE target IS NOT NULL;
CREATE TABLE IF NOT EXISTS dedup (
  n INTEGER PRIMARY KEY,
  key BLOB NOT NULL UNIQUE,
  seen_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sinks (
  name TEXT PRIMARY KEY,
  cursor INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS quarantine (
  qid INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  raw_key BLOB NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL,
  json TEXT,
  received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
  dlid INTEGER PRIMARY KEY AUTOINCREMENT,
  sink TEXT NOT NULL,
  id TEXT NOT NULL,
  json TEXT NOT NULL,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  failed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dead_letters_sink ON dead_letters(sink, dlid);
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT OR IGNORE INTO counters(name, value) VALUES ('pending_events', 0), ('pending_bytes', 0);
`;

/** Pragmas every connection (serve or CLI) sets before anything else. */
export function configureConnection(db: Database, busyTimeoutMs: number): void {
  // Wait for another process's write (the CLI while `serve` runs) instead of
  // failing at once with SQLITE_BUSY.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // WAL: readers never block the writer, and a commit is one append + fsync.
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsync'd at every commit, so a resolved commitBatch
  // survives power loss, not only a process crash (sqlite.org/pragma.html#pragma_synchronous).
  db.pragma('synchronous = FULL');
  // Keep the WAL file from staying at its high-water mark after a backlog.
  db.pragma('journal_size_limit = 67108864');
  db.pragma('foreign_keys = OFF');
}

/** Creates or checks the schema; refuses a store written by a newer version. */
export function migrate(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new KarError('KAR_ERR_STORE_UNAVAILABLE', `the store was written by a newer version (schema ${version}, this build knows ${SCHEMA_VERSION})`);
  }
  // Nothing to write when the schema is current: opening a store on a full disk must not need room.
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(ddl);
    if (version === 1) migrateEventsToRecords(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * Schema 1 kept one row of normalized JSON per event (`events`). Each becomes
 * an events record with the same sequence number, and each sink cursor (the
 * last event seq delivered) the end position of that record: nothing
 * acknowledged before the upgrade is lost or delivered twice.
 */
function migrateEventsToRecords(db: Database): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
  if (!exists) return;
  const page = db.prepare<[number], { seq: number; id: string; json: string; stored_at: number; target: string | null }>('SELECT seq, id, json, stored_at, target FROM events WHERE seq > ? ORDER BY seq LIMIT 1000');
  const insert = db.prepare<[number, Buffer, number, number, string | null]>('INSERT INTO records(seq, payload, skip, events, bytes, stored_at, target) VALUES (?, ?, NULL, 1, ?, ?, ?)');
  let bytes = 0;
  for (let rows = page.all(0); rows.length > 0; rows = page.all(rows.at(-1)?.seq ?? Number.MAX_SAFE_INTEGER)) {
    for (const row of rows) {
      const payload = Buffer.from(encodeEventsRecord([{ id: row.id, json: row.json }]));
      insert.run(row.seq, payload, payload.length, row.stored_at, row.target);
      bytes += payload.length;
    }
  }
  // New records continue after the last event seq ever given (deleted ones included).
  const sequence = db.prepare<[string], number>('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck();
  const next = Math.max(sequence.get('events') ?? 0, sequence.get('records') ?? 0);
  db.prepare("DELETE FROM sqlite_sequence WHERE name = 'records'").run();
  db.prepare<[number]>("INSERT INTO sqlite_sequence(name, seq) VALUES ('records', ?)").run(next);
  db.prepare<[number, number]>('UPDATE sinks SET cursor = cursor * ? + ? - 1').run(POSITIONS_PER_RECORD, POSITIONS_PER_RECORD);
  db.prepare<[number]>("UPDATE counters SET value = ? WHERE name = 'pending_bytes'").run(bytes);
  db.exec('DROP TABLE events');
}

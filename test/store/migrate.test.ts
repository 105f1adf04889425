/**
 * Schema 1 (a row of normalized JSON per event) to schema 2 (records): a
 * store written by the previous version is opened in place, and every event
 * it had not delivered comes out once, after the sink's old cursor.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BALLAST_FILE_NAME } from '../../src/store/sqlite/ballast.js';
import { openStore, STORE_FILE_NAME } from '../../src/store/index.js';
import { batch, eventJson, tempDir } from './support/batches.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The schema-1 tables as the previous version created them. */
const schema1 = `
CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, json TEXT NOT NULL, bytes INTEGER NOT NULL, stored_at INTEGER NOT NULL, target TEXT);
CREATE INDEX events_target ON events(target, seq) WHERE target IS NOT NULL;
CREATE TABLE dedup (n INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, seen_at INTEGER NOT NULL);
CREATE TABLE sinks (name TEXT PRIMARY KEY, cursor INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE quarantine (qid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, raw_key BLOB NOT NULL UNIQUE, kind TEXT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL, raw TEXT NOT NULL, json TEXT, received_at TEXT NOT NULL);
CREATE TABLE dead_letters (dlid INTEGER PRIMARY KEY AUTOINCREMENT, sink TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL, failed_at TEXT NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

describe('a schema-1 store', () => {
  it('keeps the undelivered events, their order, each sink cursor and the targeted re-queues', async () => {
    const { dir, cleanup } = tempDir('migrate');
    cleanups.push(cleanup);
    const old = new Database(join(dir, STORE_FILE_NAME));
    old.exec(schema1);
    const insert = old.prepare('INSERT INTO events(id, json, bytes, stored_at, target) VALUES (?, ?, ?, ?, ?)');
    for (const id of ['a', 'b', 'c', 'd']) insert.run(id, eventJson(id), Buffer.byteLength(eventJson(id)), 1000, null);
    insert.run('e', eventJson('e'), Buffer.byteLength(eventJson('e')), 1000, 'file');
    old.exec("DELETE FROM events WHERE id = 'a'");
    // `s` delivered up to b (seq 2); `file` up to c (seq 3).
    old.exec("INSERT INTO sinks(name, cursor, active) VALUES ('s', 2, 1), ('file', 3, 1)");
    old.exec("INSERT INTO counters(name, value) VALUES ('pending_events', 4), ('pending_bytes', 0)");
    old.pragma('user_version = 1');
    old.close();

    const store = openStore({ dataDir: dir, sinkNames: ['s', 'file'] });
    cleanups.push(() => store.close());
    const all = { maxBytes: Number.MAX_SAFE_INTEGER, maxEvents: 100 };
    expect(store.readPending('s', all).map((e) => [e.id, e.json])).toEqual([
      ['c', eventJson('c')],
      ['d', eventJson('d')],
    ]);
    expect(store.readPending('file', all).map((e) => e.id)).toEqual(['d', 'e']);
    // b was delivered by both sinks: removed at open.
    expect(store.depth()).toBe(3);
    // New batches come after the old events.
    await store.commitBatch(batch(['f']));
    expect(store.readPending('s', all).map((e) => e.id)).toEqual(['c', 'd', 'f']);
  });
});

describe('the room kept for delivery progress', () => {
  it.each([
    { quirk: 'serve (sinks given) keeps it', sinkNames: ['s'], kept: true },
    { quirk: 'the CLI (no sinks) leaves the disk alone', sinkNames: undefined, kept: false },
  ])('$quirk', async ({ sinkNames, kept }) => {
    const { dir, cleanup } = tempDir('ballast');
    cleanups.push(cleanup);
    await openStore({ dataDir: dir, sinkNames: ['s'] }).close();
    rmSync(join(dir, BALLAST_FILE_NAME), { force: true });
    const store = openStore({ dataDir: dir, ...(sinkNames === undefined ? {} : { sinkNames }) });
    cleanups.push(() => store.close());
    expect(existsSync(join(dir, BALLAST_FILE_NAME))).toBe(kept);
  });
});

/**
 * @module store/progress
 * Per-sink progress. Each sink has a cursor (the last `seq` it delivered or
 * dead-lettered); an event is removed once every active sink's cursor is past
 * it. An event re-queued from one sink's dead letters (`target` set) waits
 * for that sink only.
 *
 * Sinks appearing and disappearing (docs/DELIVERY.md, "Per-sink progress"):
 * - a sink the store has never seen starts with the events committed from now
 *   on: it is a new destination, not a replay of history;
 * - except when none of the previously active sinks stays (first start, or
 *   every sink was renamed or replaced): then the new sinks take over the
 *   stored queue from its oldest event, so that renaming the only sink loses
 *   nothing;
 * - a sink removed from the configuration is marked inactive and no longer
 *   holds events back; if it comes back it resumes from its old cursor (the
 *   events removed meanwhile are gone for it).
 */
import type { Database } from 'better-sqlite3';
import type { DeadLetterInput, PendingEvent } from '../types.js';
import type { QueueCounters } from './counters.js';

export interface SinkCursor {
  readonly name: string;
  readonly cursor: number;
  readonly active: boolean;
}

export interface Progress {
  /** Inside a write transaction: makes exactly `names` the active sinks. */
  registerSinks(names: readonly string[]): void;
  sinks(): SinkCursor[];
  readPending(sink: string, limits: { readonly maxBytes: number; readonly maxEvents: number }): PendingEvent[];
  /** Inside a write transaction. */
  advance(sink: string, uptoSeq: number, deadLetters: readonly DeadLetterInput[], failedAt: string): void;
  /** Inside a write transaction: removes what every active sink is past; returns how many events. */
  pruneDelivered(): number;
}

interface PendingRow {
  seq: number;
  id: string;
  json: string;
  bytes: number;
  stored_at: number;
}

export function createProgress(db: Database, counters: QueueCounters): Progress {
  const allSinks = db.prepare<[], { name: string; cursor: number; active: number }>('SELECT name, cursor, active FROM sinks ORDER BY name');
  const cursorOf = db.prepare<[string], { cursor: number; active: number }>('SELECT cursor, active FROM sinks WHERE name = ?');
  const insertSink = db.prepare<[string, number]>('INSERT INTO sinks(name, cursor, active) VALUES (?, ?, 1)');
  const setActive = db.prepare<[number, string]>('UPDATE sinks SET active = ? WHERE name = ?');
  const lastSeq = db.prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck();
  const oldestSeq = db.prepare<[], number | null>('SELECT MIN(seq) FROM events').pluck();
  const pending = db.prepare<[number, string, number], PendingRow>(
    'SELECT seq, id, json, bytes, stored_at FROM events WHERE seq > ? AND (target IS NULL OR target = ?) ORDER BY seq LIMIT ?',
  );
  const moveCursor = db.prepare<[number, string]>('UPDATE sinks SET cursor = MAX(cursor, ?) WHERE name = ?');
  const insertDeadLetter = db.prepare<[string, string, string, string, string, string]>(
    'INSERT INTO dead_letters(sink, id, json, code, reason, failed_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const sharedTotals = db.prepare<[number], { n: number; bytes: number }>('SELECT COUNT(*) AS n, TOTAL(bytes) AS bytes FROM events WHERE seq <= ? AND target IS NULL');
  const deleteShared = db.prepare<[number]>('DELETE FROM events WHERE seq <= ? AND target IS NULL');
  const targetedTotals = db.prepare<[string, number], { n: number; bytes: number }>('SELECT COUNT(*) AS n, TOTAL(bytes) AS bytes FROM events WHERE target = ? AND seq <= ?');
  const deleteTargeted = db.prepare<[string, number]>('DELETE FROM events WHERE target = ? AND seq <= ?');
  const orphanTotals = db.prepare<[], { n: number; bytes: number }>(
    'SELECT COUNT(*) AS n, TOTAL(bytes) AS bytes FROM events WHERE target IS NOT NULL AND target NOT IN (SELECT name FROM sinks WHERE active = 1)',
  );
  const deleteOrphans = db.prepare('DELETE FROM events WHERE target IS NOT NULL AND target NOT IN (SELECT name FROM sinks WHERE active = 1)');

  function sinks(): SinkCursor[] {
    return allSinks.all().map((row) => ({ name: row.name, cursor: row.cursor, active: row.active === 1 }));
  }

  function remove(totals: { n: number; bytes: number } | undefined, run: () => number): number {
    if (totals === undefined || totals.n === 0) return 0;
    const removed = run();
    counters.add(-removed, -totals.bytes);
    return removed;
  }

  return {
    registerSinks(names) {
      const known = new Map(sinks().map((s) => [s.name, s]));
      const wanted = new Set(names);
      const anyActiveKept = [...known.values()].some((s) => s.active && wanted.has(s.name));
      const newest = lastSeq.get() ?? 0;
      const oldest = oldestSeq.get();
      const start = anyActiveKept || oldest === null || oldest === undefined ? newest : oldest - 1;
      for (const name of wanted) {
        if (known.has(name)) setActive.run(1, name);
        else insertSink.run(name, start);
      }
      for (const name of known.keys()) if (!wanted.has(name)) setActive.run(0, name);
    },
    sinks,
    readPending(sink, limits) {
      const row = cursorOf.get(sink);
      if (row === undefined) throw new Error(`sink '${sink}' is not registered in the store`);
      const out: PendingEvent[] = [];
      let bytes = 0;
      for (const r of pending.iterate(row.cursor, sink, Math.max(1, limits.maxEvents))) {
        if (out.length > 0 && bytes + r.bytes > limits.maxBytes) break;
        out.push({ seq: r.seq, id: r.id, json: r.json, bytes: r.bytes, storedAtMs: r.stored_at });
        bytes += r.bytes;
      }
      return out;
    },
    advance(sink, uptoSeq, deadLetters, failedAt) {
      for (const d of deadLetters) insertDeadLetter.run(sink, d.id, d.json, d.code, d.reason, failedAt);
      if (moveCursor.run(uptoSeq, sink).changes !== 1) throw new Error(`sink '${sink}' is not registered in the store`);
    },
    pruneDelivered() {
      const active = sinks().filter((s) => s.active);
      // No sink at all: nothing delivers, so nothing may be removed.
      if (active.length === 0) return 0;
      const min = Math.min(...active.map((s) => s.cursor));
      let removed = remove(sharedTotals.get(min), () => deleteShared.run(min).changes);
      for (const s of active) removed += remove(targetedTotals.get(s.name, s.cursor), () => deleteTargeted.run(s.name, s.cursor).changes);
      removed += remove(orphanTotals.get(), () => deleteOrphans.run().changes);
      return removed;
    },
  };
}

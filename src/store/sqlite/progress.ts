/**
 * @module store/progress
 * Per-sink progress. Each sink has a cursor (the last position it delivered
 * or dead-lettered, store/record-codec.ts); a record is removed once every
 * active sink's cursor is past its end. A record re-queued from one sink's
 * dead letters (`target` set) waits for that sink only.
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
import { createRecordReader, firstRecordAfter, POSITIONS_PER_RECORD, recordEndPosition } from '../record-codec.js';
import type { DeadLetterInput, PendingEvent } from '../types.js';
import { decodeSkip } from './group-commit.js';
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
  payload: Buffer;
  skip: Buffer | null;
  stored_at: number;
}

export function createProgress(db: Database, counters: QueueCounters): Progress {
  const allSinks = db.prepare<[], { name: string; cursor: number; active: number }>('SELECT name, cursor, active FROM sinks ORDER BY name');
  const cursorOf = db.prepare<[string], { cursor: number; active: number }>('SELECT cursor, active FROM sinks WHERE name = ?');
  const insertSink = db.prepare<[string, number]>('INSERT INTO sinks(name, cursor, active) VALUES (?, ?, 1)');
  const setActive = db.prepare<[number, string]>('UPDATE sinks SET active = ? WHERE name = ?');
  const lastSeq = db.prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'records'").pluck();
  const oldestSeq = db.prepare<[], number | null>('SELECT MIN(seq) FROM records').pluck();
  const pending = db.prepare<[number, string, number], PendingRow>(
    'SELECT seq, payload, skip, stored_at FROM records WHERE seq >= ? AND (target IS NULL OR target = ?) ORDER BY seq LIMIT ?',
  );
  const moveCursor = db.prepare<[number, string]>('UPDATE sinks SET cursor = MAX(cursor, ?) WHERE name = ?');
  const insertDeadLetter = db.prepare<[string, string, string, string, string, string]>(
    'INSERT INTO dead_letters(sink, id, json, code, reason, failed_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const sharedTotals = db.prepare<[number], { n: number; bytes: number }>('SELECT TOTAL(events) AS n, TOTAL(bytes) AS bytes FROM records WHERE seq < ? AND target IS NULL');
  const deleteShared = db.prepare<[number]>('DELETE FROM records WHERE seq < ? AND target IS NULL');
  const targetedTotals = db.prepare<[string, number], { n: number; bytes: number }>('SELECT TOTAL(events) AS n, TOTAL(bytes) AS bytes FROM records WHERE target = ? AND seq < ?');
  const deleteTargeted = db.prepare<[string, number]>('DELETE FROM records WHERE target = ? AND seq < ?');
  const orphanTotals = db.prepare<[], { n: number; bytes: number }>(
    'SELECT TOTAL(events) AS n, TOTAL(bytes) AS bytes FROM records WHERE target IS NOT NULL AND target NOT IN (SELECT name FROM sinks WHERE active = 1)',
  );
  const deleteOrphans = db.prepare('DELETE FROM records WHERE target IS NOT NULL AND target NOT IN (SELECT name FROM sinks WHERE active = 1)');
  const reader = createRecordReader();

  function sinks(): SinkCursor[] {
    return allSinks.all().map((row) => ({ name: row.name, cursor: row.cursor, active: row.active === 1 }));
  }

  /** Removes records; returns how many events they held. */
  function remove(totals: { n: number; bytes: number } | undefined, run: () => number): number {
    if (totals === undefined || run() === 0) return 0;
    counters.add(-totals.n, -totals.bytes);
    return totals.n;
  }

  return {
    registerSinks(names) {
      const known = new Map(sinks().map((s) => [s.name, s]));
      const wanted = new Set(names);
      const anyActiveKept = [...known.values()].some((s) => s.active && wanted.has(s.name));
      const newest = recordEndPosition(lastSeq.get() ?? 0);
      const oldest = oldestSeq.get();
      const start = anyActiveKept || oldest === null || oldest === undefined ? newest : oldest * POSITIONS_PER_RECORD - 1;
      // Only what changes is written (a store opened on a full disk must not need room).
      for (const name of wanted) {
        const sink = known.get(name);
        if (sink === undefined) insertSink.run(name, start);
        else if (!sink.active) setActive.run(1, name);
      }
      for (const [name, sink] of known) if (!wanted.has(name) && sink.active) setActive.run(0, name);
    },
    sinks,
    readPending(sink, limits) {
      const row = cursorOf.get(sink);
      if (row === undefined) throw new Error(`sink '${sink}' is not registered in the store`);
      const maxEvents = Math.max(1, limits.maxEvents);
      const out: PendingEvent[] = [];
      let bytes = 0;
      // Records hold up to 1000 events: read a few at a time, stop at the limits.
      let from = firstRecordAfter(row.cursor);
      for (;;) {
        const rows = pending.all(from, sink, 8);
        for (const r of rows) {
          for (const event of reader.eventsOf({ seq: r.seq, payload: r.payload, skip: decodeSkip(r.skip), storedAtMs: r.stored_at }, row.cursor)) {
            if (out.length >= maxEvents || (out.length > 0 && bytes + event.bytes > limits.maxBytes)) return out;
            out.push(event);
            bytes += event.bytes;
          }
          from = r.seq + 1;
        }
        if (rows.length < 8) return out;
      }
    },
    advance(sink, uptoSeq, deadLetters, failedAt) {
      for (const d of deadLetters) insertDeadLetter.run(sink, d.id, d.json, d.code, d.reason, failedAt);
      if (moveCursor.run(uptoSeq, sink).changes !== 1) throw new Error(`sink '${sink}' is not registered in the store`);
    },
    pruneDelivered() {
      const active = sinks().filter((s) => s.active);
      // No sink at all: nothing delivers, so nothing may be removed.
      if (active.length === 0) return 0;
      const before = firstRecordAfter(Math.min(...active.map((s) => s.cursor)));
      let removed = remove(sharedTotals.get(before), () => deleteShared.run(before).changes);
      for (const s of active) {
        const done = firstRecordAfter(s.cursor);
        removed += remove(targetedTotals.get(s.name, done), () => deleteTargeted.run(s.name, done).changes);
      }
      removed += remove(orphanTotals.get(), () => deleteOrphans.run().changes);
      return removed;
    },
  };
}

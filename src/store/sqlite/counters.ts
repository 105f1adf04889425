/**
 * @module store/counters
 * Running totals of the delivery queue (events and bytes), kept in the
 * database and changed in the same transaction as the rows, so that `serve`
 * and a CLI process on the same data dir agree without scanning.
 */
import type { Database } from 'better-sqlite3';

export interface QueueCounters {
  read(): { events: number; bytes: number };
  /** Inside a write transaction only. */
  add(events: number, bytes: number): void;
}

export function createQueueCounters(db: Database): QueueCounters {
  const select = db.prepare<[], { name: string; value: number }>("SELECT name, value FROM counters WHERE name IN ('pending_events', 'pending_bytes')");
  const update = db.prepare<[number, string]>('UPDATE counters SET value = MAX(0, value + ?) WHERE name = ?');
  return {
    read() {
      let events = 0;
      let bytes = 0;
      for (const row of select.all()) {
        if (row.name === 'pending_events') events = row.value;
        else bytes = row.value;
      }
      return { events, bytes };
    },
    add(events, bytes) {
      if (events !== 0) update.run(events, 'pending_events');
      if (bytes !== 0) update.run(bytes, 'pending_bytes');
    },
  };
}

/**
 * @module store/dedup
 * The ids seen within the dedup window, across restarts (SPEC 5.3). Rows are
 * only appended, so rowid order is arrival order: expiry and the size bound
 * both delete a prefix, and neither needs an index on time.
 */
import type { Database } from 'better-sqlite3';

export interface DedupTable {
  /** Records the key; false when it was already seen within the window (a duplicate). */
  claim(key: Buffer, nowMs: number): boolean;
  /** Deletes up to `maxRows` ids older than the window, oldest first; returns how many. */
  pruneExpired(nowMs: number, maxRows: number): number;
  /** Evicts the oldest ids beyond the bound; returns how many. */
  enforceBound(): number;
  /** Ids held (an upper bound when ids were re-claimed after expiry). */
  size(): number;
}

/** The statements, exported for the query-plan test (each must be an index search: the table holds millions of ids). */
export const dedupSql = {
  insert: 'INSERT OR IGNORE INTO dedup(key, seen_at) VALUES (?, ?)',
  seenAt: 'SELECT seen_at FROM dedup WHERE key = ?',
  remove: 'DELETE FROM dedup WHERE key = ?',
  // Two scalar subqueries, not `SELECT MIN(n), MAX(n)`: SQLite's min/max
  // optimization applies only to a query with a single min() or max(); with
  // both it scans the whole table (62 ms at 500,000 ids, twice per commit).
  bounds: 'SELECT (SELECT MIN(n) FROM dedup) AS lo, (SELECT MAX(n) FROM dedup) AS hi',
  // The first id still inside the window among the next rows; everything
  // before it has expired (rowid order is arrival order). Bounded by `n < ?`
  // so that a long backlog of expired ids costs each call `maxRows` rows.
  firstYoung: 'SELECT n FROM dedup WHERE n < ? AND seen_at >= ? ORDER BY n LIMIT 1',
  deleteBefore: 'DELETE FROM dedup WHERE n < ?',
} as const;

export function createDedupTable(db: Database, options: { readonly windowMs: number; readonly maxIds: number }): DedupTable {
  const insert = db.prepare<[Buffer, number]>(dedupSql.insert);
  const seenAt = db.prepare<[Buffer], number>(dedupSql.seenAt).pluck();
  const remove = db.prepare<[Buffer]>(dedupSql.remove);
  const bounds = db.prepare<[], { lo: number | null; hi: number | null }>(dedupSql.bounds);
  const firstYoung = db.prepare<[number, number], number>(dedupSql.firstYoung).pluck();
  const deleteBefore = db.prepare<[number]>(dedupSql.deleteBefore);

  function range(): { lo: number; hi: number } | undefined {
    const row = bounds.get();
    return row?.lo == null || row.hi == null ? undefined : { lo: row.lo, hi: row.hi };
  }

  return {
    claim(key, nowMs) {
      if (insert.run(key, nowMs).changes === 1) return true;
      const seen = seenAt.get(key);
      if (seen !== undefined && seen < nowMs - options.windowMs) {
        // Seen before the window and not pruned yet: new again. Re-append it
        // so that it keeps its place in arrival order.
        remove.run(key);
        insert.run(key, nowMs);
        return true;
      }
      return false;
    },
    pruneExpired(nowMs, maxRows) {
      const r = range();
      if (r === undefined) return 0;
      const limit = Math.min(r.lo + maxRows, r.hi + 1);
      const stop = firstYoung.get(limit, nowMs - options.windowMs) ?? limit;
      return stop > r.lo ? deleteBefore.run(stop).changes : 0;
    },
    enforceBound() {
      const r = range();
      if (r === undefined || r.hi - r.lo + 1 <= options.maxIds) return 0;
      return deleteBefore.run(r.hi - options.maxIds + 1).changes;
    },
    size() {
      const r = range();
      return r === undefined ? 0 : r.hi - r.lo + 1;
    },
  };
}

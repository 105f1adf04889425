/**
 * @module store/recent
 * The events this process committed last, kept in memory so that a sink
 * that keeps up reads them without a query. Reading them back from SQLite
 * (strings of 1.6 KB each, created again from the page cache) was 8% of the
 * receiver's event loop (docs/BENCHMARKS.md). Durability is unchanged: the
 * events are on disk before they get here; this only saves reading them.
 *
 * It answers a read only when it can give exactly what the query would:
 * - it holds a run of consecutive sequence numbers with no event missing
 *   (events queued by another path or process, e.g. the CLI re-queueing
 *   dead letters, break the run: it starts again at the next commit);
 * - the reader's cursor falls within the run (not before its first event,
 *   and not at its end).
 * The reader then asks the query for anything after the run (events another
 * process queued meanwhile). Everything held is `target IS NULL` (for every
 * sink); events this process queues by another path clear it.
 */
import type { PendingEvent } from './types.js';

export interface RecentEvents {
  /** Events of one committed transaction, in sequence order. */
  add(events: readonly PendingEvent[]): void;
  /**
   * The events after `cursor` up to the limits (at least one), or undefined
   * when the cursor is outside the run and the query must answer.
   */
  after(cursor: number, limits: { readonly maxBytes: number; readonly maxEvents: number }): PendingEvent[] | undefined;
  /** Forgets events at or before `seq` (every sink is past them). */
  dropUpTo(seq: number): void;
  /** Forgets everything (another path wrote to the queue). */
  clear(): void;
  size(): number;
}

export interface RecentEventsOptions {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/**
 * Under a second of the receiver at peak: enough for sinks that keep up
 * (they read right after each commit); a sink behind reads from the disk.
 */
export const DEFAULT_RECENT_EVENTS: RecentEventsOptions = { maxEvents: 5000, maxBytes: 8 * 1024 * 1024 };

export function createRecentEvents(options: RecentEventsOptions = DEFAULT_RECENT_EVENTS): RecentEvents {
  // events[head..] are held; the prefix before head is garbage, compacted now and then.
  let events: PendingEvent[] = [];
  let head = 0;
  let bytes = 0;

  const first = (): PendingEvent | undefined => events[head];
  const last = (): PendingEvent | undefined => (events.length > head ? events[events.length - 1] : undefined);

  function shift(): void {
    const gone = events[head];
    if (gone === undefined) return;
    bytes -= gone.bytes;
    head++;
    if (head > 1024 && head * 2 > events.length) {
      events = events.slice(head);
      head = 0;
    }
  }

  function clear(): void {
    events = [];
    head = 0;
    bytes = 0;
  }

  return {
    add(added) {
      const start = added[0];
      if (start === undefined) return;
      const end = last();
      if (end !== undefined && start.seq !== end.seq + 1) clear();
      for (const event of added) {
        events.push(event);
        bytes += event.bytes;
      }
      while (events.length - head > options.maxEvents || (bytes > options.maxBytes && events.length - head > 1)) shift();
    },
    after(cursor, limits) {
      const oldest = first();
      const newest = last();
      if (oldest === undefined || newest === undefined) return undefined;
      if (cursor < oldest.seq - 1 || cursor >= newest.seq) return undefined;
      const out: PendingEvent[] = [];
      let taken = 0;
      const max = Math.max(1, limits.maxEvents);
      for (let i = head + (cursor + 1 - oldest.seq); i < events.length && out.length < max; i++) {
        const event = events[i] as PendingEvent;
        if (out.length > 0 && taken + event.bytes > limits.maxBytes) break;
        out.push(event);
        taken += event.bytes;
      }
      return out;
    },
    dropUpTo(seq) {
      for (let oldest = first(); oldest !== undefined && oldest.seq <= seq; oldest = first()) shift();
    },
    clear,
    size: () => events.length - head,
  };
}

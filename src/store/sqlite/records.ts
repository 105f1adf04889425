/**
 * @module store/records
 * Quarantine and dead letters as people handle them (the CLI): list in pages,
 * move what now verifies into the delivery queue, re-queue dead letters for
 * the sink that refused them.
 */
import type { Database } from 'better-sqlite3';
import type { ErrorCode } from '../../errors/index.js';
import { eventDedupKey, eventTimeMs } from '../dedup-key.js';
import { encodeEventsRecord } from '../record-codec.js';
import type { DedupTable } from './dedup.js';
import type { QueueCounters } from './counters.js';
import type { EventToStore, QuarantineRecord } from '../types.js';

/** A quarantined line as stored: the record the pipeline gave, with its place and when its batch came. */
export interface QuarantineEntry extends QuarantineRecord {
  /** Position in the quarantine (stable; pages and retries refer to it). */
  readonly qid: number;
  readonly receivedAt: string;
}

export interface DeadLetterEntry {
  readonly dlid: number;
  readonly sink: string;
  readonly id: string;
  /** The normalized event as the sink was given it. */
  readonly json: string;
  readonly code: ErrorCode;
  readonly reason: string;
  readonly failedAt: string;
}

export interface PageOptions {
  /** Entries after this position (exclusive); default from the start. */
  readonly after?: number;
  readonly limit: number;
}

export interface Records {
  listQuarantine(page: PageOptions): QuarantineEntry[];
  /** Inside a write transaction: stores each event for delivery (dedup applies) and removes its quarantine entry. */
  releaseQuarantine(items: readonly { readonly qid: number; readonly event: EventToStore }[], nowMs: number): { accepted: number; duplicates: number };
  listDeadLetters(page: PageOptions & { readonly sink?: string }): DeadLetterEntry[];
  /** Inside a write transaction: queues each dead letter again for its own sink and removes it. */
  requeueDeadLetters(entries: readonly DeadLetterEntry[], nowMs: number): number;
  counts(): { quarantine: number; deadLetters: number };
}

interface QuarantineRow {
  qid: number;
  id: string;
  kind: 'quarantined' | 'rejected';
  code: ErrorCode;
  reason: string;
  raw: string;
  json: string | null;
  received_at: string;
}

interface DeadLetterRow {
  dlid: number;
  sink: string;
  id: string;
  json: string;
  code: ErrorCode;
  reason: string;
  failed_at: string;
}

export function createRecords(db: Database, dedup: DedupTable, counters: QueueCounters): Records {
  const quarantinePage = db.prepare<[number, number], QuarantineRow>(
    'SELECT qid, id, kind, code, reason, raw, json, received_at FROM quarantine WHERE qid > ? ORDER BY qid LIMIT ?',
  );
  const deleteQuarantine = db.prepare<[number]>('DELETE FROM quarantine WHERE qid = ?');
  const deadLetterPage = db.prepare<[number, number], DeadLetterRow>('SELECT dlid, sink, id, json, code, reason, failed_at FROM dead_letters WHERE dlid > ? ORDER BY dlid LIMIT ?');
  const deadLetterPageForSink = db.prepare<[string, number, number], DeadLetterRow>(
    'SELECT dlid, sink, id, json, code, reason, failed_at FROM dead_letters WHERE sink = ? AND dlid > ? ORDER BY dlid LIMIT ?',
  );
  const deleteDeadLetter = db.prepare<[number]>('DELETE FROM dead_letters WHERE dlid = ?');
  const insertRecord = db.prepare<[Buffer, number, number, string | null]>('INSERT INTO records(payload, skip, events, bytes, stored_at, target) VALUES (?, NULL, 1, ?, ?, ?)');
  const countQuarantine = db.prepare<[], number>('SELECT COUNT(*) FROM quarantine').pluck();
  const countDeadLetters = db.prepare<[], number>('SELECT COUNT(*) FROM dead_letters').pluck();

  /** One event as its own record of normalized JSON (these paths are rare: a person runs them). */
  function enqueue(id: string, json: string, nowMs: number, target: string | null): void {
    const payload = Buffer.from(encodeEventsRecord([{ id, json }]));
    insertRecord.run(payload, payload.length, nowMs, target);
    counters.add(1, payload.length);
  }

  return {
    listQuarantine(page) {
      return quarantinePage.all(page.after ?? 0, page.limit).map((r) => ({
        qid: r.qid,
        id: r.id,
        kind: r.kind,
        code: r.code,
        reason: r.reason,
        raw: r.raw,
        ...(r.json === null ? {} : { json: r.json }),
        receivedAt: r.received_at,
      }));
    },
    releaseQuarantine(items, nowMs) {
      let accepted = 0;
      let duplicates = 0;
      for (const { qid, event } of items) {
        // The same line may have arrived again, verified, since (a replay
        // after the keys were fixed): then it is a duplicate, not re-sent.
        if (dedup.claim(eventDedupKey(event.id, event.status, eventTimeMs(event)), nowMs)) {
          enqueue(event.id, event.json, nowMs, null);
          accepted++;
        } else {
          duplicates++;
        }
        deleteQuarantine.run(qid);
      }
      return { accepted, duplicates };
    },
    listDeadLetters(page) {
      const rows = page.sink === undefined ? deadLetterPage.all(page.after ?? 0, page.limit) : deadLetterPageForSink.all(page.sink, page.after ?? 0, page.limit);
      return rows.map((r) => ({ dlid: r.dlid, sink: r.sink, id: r.id, json: r.json, code: r.code, reason: r.reason, failedAt: r.failed_at }));
    },
    requeueDeadLetters(entries, nowMs) {
      for (const entry of entries) {
        enqueue(entry.id, entry.json, nowMs, entry.sink);
        deleteDeadLetter.run(entry.dlid);
      }
      return entries.length;
    },
    counts() {
      return { quarantine: countQuarantine.get() ?? 0, deadLetters: countDeadLetters.get() ?? 0 };
    },
  };
}

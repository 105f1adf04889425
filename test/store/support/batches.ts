/**
 * Test helpers: batches shaped like the pipeline's, with events small enough
 * to reason about sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventDedupKey, eventTimeMs } from '../../../src/store/dedup-key.js';
import { encodeEventsRecord, MAX_RECORD_LINES } from '../../../src/store/record-codec.js';
import type { EventToStore, IncomingBatch, QuarantineRecord, RecordToStore } from '../../../src/store/types.js';
import type { SignatureStatus } from '../../../src/normalize/event.js';

export function eventJson(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ schema: 'konnect-audit/v1', id, received_at: '2025-06-23T14:28:48.001Z', format: 'cef', category: 'unknown', fields: {}, signature: { status: 'valid' }, raw: `line ${id}`, ...extra });
}

export function event(id: string, status: SignatureStatus = 'valid'): EventToStore {
  return { id, json: eventJson(id), status };
}

/** Events as records of normalized JSON (the store keeps records as they are: these read back as the same events). */
export function recordsOf(events: readonly EventToStore[]): RecordToStore[] {
  const out: RecordToStore[] = [];
  for (let from = 0; from < events.length; from += MAX_RECORD_LINES) {
    const chunk = events.slice(from, from + MAX_RECORD_LINES);
    out.push({ payload: encodeEventsRecord(chunk), keys: Buffer.concat(chunk.map((e) => eventDedupKey(e.id, e.status, eventTimeMs(e)))) });
  }
  return out;
}

export function batchOf(events: readonly EventToStore[], more: { quarantine?: readonly QuarantineRecord[]; dropped?: number } = {}): IncomingBatch {
  return { receivedAt: '2025-06-23T14:28:48.001Z', records: recordsOf(events), quarantine: more.quarantine ?? [], dropped: more.dropped ?? 0, duplicates: 0 };
}

export function batch(ids: readonly string[], more: { quarantine?: readonly QuarantineRecord[]; dropped?: number; status?: SignatureStatus } = {}): IncomingBatch {
  return batchOf(
    ids.map((id) => event(id, more.status ?? 'valid')),
    more,
  );
}

export function quarantined(raw: string, kind: 'quarantined' | 'rejected' = 'quarantined'): QuarantineRecord {
  return kind === 'quarantined'
    ? { id: `sig-of-${raw}`, kind, code: 'KAR_ERR_SIG_INVALID', reason: 'signature verifies with none of the keys', raw }
    : { id: `hash-of-${raw}`, kind, code: 'KAR_ERR_LINE_UNRECOGNIZED', reason: 'neither CEF nor JSON', raw };
}

export function ids(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
}

/** A temp data dir, removed by the returned cleanup. */
export function tempDir(label = 'store'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `kar-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse('2025-06-23T00:00:00Z')): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

/** Bytes the store counts for one batch of these ids (its record of normalized JSON). */
export function recordBytes(ids: readonly string[]): number {
  return recordsOf(ids.map((id) => event(id))).reduce((sum, r) => sum + r.payload.length, 0);
}

/**
 * Batches for the cluster store tests, in the store contract's shape
 * (store/types.ts): records of normalized events (encodeEventsRecord) with
 * one dedup key per line.
 */
import { eventDedupKey } from '../../../src/store/dedup-key.js';
import { encodeEventsRecord } from '../../../src/store/record-codec.js';
import type { IncomingBatch } from '../../../src/store/types.js';

export interface TestEvent {
  readonly id: string;
  readonly json: string;
}

export function testEvents(prefix: string, count: number): TestEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}-${i}`;
    return { id, json: JSON.stringify({ schema: 'konnect-audit/v1', id, raw: `line ${id}` }) };
  });
}

export function batchOf(events: readonly TestEvent[], quarantine: IncomingBatch['quarantine'] = []): IncomingBatch {
  const keys = Buffer.concat(events.map((e) => eventDedupKey(e.id, 'valid', 1_700_000_000_000)));
  return { receivedAt: '2026-12-06T04:00:00.000Z', records: events.length === 0 ? [] : [{ payload: encodeEventsRecord(events), keys }], quarantine, dropped: 0, duplicates: 0 };
}

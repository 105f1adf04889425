/**
 * store/jetstream/split-record: a record too large for one NATS message is
 * stored as parts of consecutive lines; every part is a record readers take
 * as it is, and the parts read back as the whole record did.
 */
import { describe, expect, it } from 'vitest';
import { splitRecord } from '../../src/store/jetstream/split-record.js';
import { encodeEventsRecord, encodeLinesRecord, eventsOfRecords, statusCode } from '../../src/store/record-codec.js';
import type { RecordToStore } from '../../src/store/types.js';
import { loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';

const lines = makeSignedKonnectLines({ format: 'cef', count: 60, seed: 99, key: loadTestKey('primary').privateKey });
const keysFor = (count: number): Buffer => Buffer.from(Array.from({ length: count * 16 }, (_, i) => i % 251));

function linesRecord(): RecordToStore {
  const buf = Buffer.from(lines.join('\n'), 'utf8');
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const line of lines) {
    starts.push(at);
    at += Buffer.byteLength(line);
    ends.push(at);
    at += 1;
  }
  return {
    payload: encodeLinesRecord({ receivedAt: '2026-12-06T05:00:00.000Z', buf, starts, ends, statuses: lines.map((_, i) => (i % 3 === 0 ? statusCode.valid : statusCode.unverified)), kids: lines.map((_, i) => (i % 3 === 0 ? `kid-${i % 2}` : undefined)) }),
    keys: keysFor(lines.length),
  };
}

function eventsRecord(): RecordToStore {
  const events = lines.map((line, i) => ({ id: `id-${i}`, json: JSON.stringify({ raw: line }) }));
  return { payload: encodeEventsRecord(events), keys: keysFor(events.length) };
}

const strip = (records: readonly RecordToStore[]): { id: string; json: string }[] => eventsOfRecords(records).map((e) => ({ id: e.id, json: e.json }));

describe('splitRecord', () => {
  it.each([
    ['lines record, parts of a few lines', linesRecord, 2000],
    ['lines record, one line per part at most', linesRecord, 900],
    ['events record (ids in the header are sliced too)', eventsRecord, 3000],
  ])('%s', (_name, make, maxBytes) => {
    const record = make();
    const parts = splitRecord(record, maxBytes);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.payload.length).toBeLessThanOrEqual(maxBytes);
    expect(Buffer.concat(parts.map((p) => p.keys))).toEqual(Buffer.from(record.keys));
    expect(strip(parts)).toEqual(strip([record]));
  });

  it('keeps a record that fits as it is', () => {
    const record = linesRecord();
    expect(splitRecord(record, record.payload.length)).toEqual([record]);
  });

  it('refuses a line larger than a message may be (KAR_ERR_STORE_UNAVAILABLE: raise max_payload)', () => {
    expect(() => splitRecord(linesRecord(), 200)).toThrow(/raise max_payload/);
  });
});

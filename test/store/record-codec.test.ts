/**
 * The durable record (store/record-codec.ts): what the pipeline encodes and
 * delivery decodes must be the event the old path made (normalizeLine on the
 * line with its verdict and receive time), for every sink, whatever the
 * skipped lines and however a sink reads the record in steps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLineParser, isLineError } from '../../src/lines/parse-line.js';
import { splitLines } from '../../src/lines/split.js';
import type { SignatureResult } from '../../src/normalize/event.js';
import { normalizeLine, serializeEvent } from '../../src/normalize/index.js';
import {
  createRecordReader,
  encodeEventsRecord,
  encodeLinesRecord,
  firstRecordAfter,
  positionOf,
  recordEndPosition,
  recordLineCount,
  recordSeqOf,
  statusCode,
} from '../../src/store/record-codec.js';

const fixture = readFileSync(new URL('../../fixtures/mixed.log', import.meta.url));
const receivedAt = '2025-06-23T14:28:48.001Z';

/** The parsable lines of the mixed fixture, each with a verdict, and the events the old pipeline made of them. */
function linesAndEvents() {
  const { starts, ends } = splitLines(fixture);
  const parser = createLineParser();
  const kept = { starts: [] as number[], ends: [] as number[], statuses: [] as number[], kids: [] as (string | undefined)[], json: [] as string[] };
  const verdicts: SignatureResult[] = [{ status: 'valid', kid: 'kid-a' }, { status: 'invalid' }, { status: 'missing' }, { status: 'valid', kid: 'kid-b' }, { status: 'unverified' }, { status: 'malformed' }];
  starts.forEach((start, i) => {
    const end = ends[i] as number;
    const view = parser.parse(fixture, start, end);
    if (isLineError(view)) return;
    const signature = verdicts[kept.starts.length % verdicts.length] as SignatureResult;
    kept.json.push(serializeEvent(normalizeLine(view, { receivedAt, signature })));
    kept.starts.push(start);
    kept.ends.push(end);
    kept.statuses.push(statusCode[signature.status]);
    kept.kids.push(signature.status === 'valid' ? signature.kid : undefined);
  });
  return kept;
}

describe('a record of lines', () => {
  const kept = linesAndEvents();
  const payload = encodeLinesRecord({ receivedAt, buf: fixture, starts: kept.starts, ends: kept.ends, statuses: kept.statuses, kids: kept.kids });

  it('gives back, line for line, the event normalizeLine makes with the same verdict and receive time', () => {
    const events = createRecordReader().eventsOf({ seq: 7, payload, skip: [], storedAtMs: 5 }, -1);
    expect(recordLineCount(payload)).toBe(kept.json.length);
    expect(events.map((e) => e.json)).toEqual(kept.json);
    expect(events.every((e) => e.bytes === Buffer.byteLength(e.json) && e.storedAtMs === 5 && e.id === JSON.parse(e.json).id)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(kept.json.map((_, i) => (i === kept.json.length - 1 ? recordEndPosition(7) : positionOf(7, i))));
  });

  it.each([
    { quirk: 'no line skipped', skip: [] as number[] },
    { quirk: 'the first line a duplicate', skip: [0] },
    { quirk: 'the last line a duplicate (the one before ends the record)', skip: [kept.json.length - 1] },
    { quirk: 'lines in the middle', skip: [2, 3, 5] },
  ])('leaves out the skipped lines: $quirk', ({ skip }) => {
    const events = createRecordReader().eventsOf({ seq: 3, payload, skip, storedAtMs: 0 }, -1);
    expect(events.map((e) => e.json)).toEqual(kept.json.filter((_, i) => !skip.includes(i)));
    expect(events.at(-1)?.seq).toBe(recordEndPosition(3));
  });

  it.each([1, 2, 5])('a sink reading it %i events at a time gets every event once, in order', (step) => {
    const reader = createRecordReader();
    const record = { seq: 9, payload, skip: [], storedAtMs: 0 };
    const got: string[] = [];
    let cursor = recordEndPosition(8);
    for (;;) {
      const events = reader.eventsOf(record, cursor).slice(0, step);
      const last = events.at(-1);
      if (last === undefined) break;
      got.push(...events.map((e) => e.json));
      cursor = last.seq;
    }
    expect(got).toEqual(kept.json);
    expect(firstRecordAfter(cursor)).toBe(10);
  });
});

describe('a record of normalized events (dead-letter retry, quarantine release)', () => {
  it('gives back the JSON and ids as they were', () => {
    const events = [
      { id: 'a', json: '{"id":"a"}' },
      { id: 'b', json: '{"id":"b","x":"é"}' },
    ];
    const got = createRecordReader().eventsOf({ seq: 1, payload: encodeEventsRecord(events), skip: [], storedAtMs: 0 }, -1);
    expect(got.map((e) => [e.id, e.json, e.bytes])).toEqual(events.map((e) => [e.id, e.json, Buffer.byteLength(e.json)]));
  });
});

describe('positions', () => {
  it.each([
    { seq: 1, line: 0 },
    { seq: 1, line: 999 },
    { seq: 123_456_789, line: 42 },
  ])('record $seq line $line: its record is found again, and a cursor at its record end moves to the next record', ({ seq, line }) => {
    expect(recordSeqOf(positionOf(seq, line))).toBe(seq);
    expect(firstRecordAfter(positionOf(seq, line))).toBe(seq);
    expect(firstRecordAfter(recordEndPosition(seq))).toBe(seq + 1);
  });
});

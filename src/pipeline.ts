/**
 * @module pipeline
 * THE data path, in one function. Start reading here.
 *
 *   decoded batch ─▶ lines ─▶ in chunks of MAX_RECORD_LINES: parse (CEF
 *   tokenizer | JSON scanner) ─▶ id, time, exact repeats dropped ─▶ signature
 *   extraction ─▶ verification (both cores) ─▶ policy (quarantine | forward |
 *   drop) ─▶ a record of the lines as received + one verdict per line ─▶
 *   durable commit of every record of the batch ─▶ summary for Konnect
 *
 * Events are not normalized here: the durable record is the lines and their
 * verdicts (store/record-codec.ts), normalized once at delivery, the same for
 * every sink (SPEC 5.3). What a batch holds beyond its decoded body is its
 * records (the accepted lines copied once, at most the body's size), one id
 * per distinct line and one chunk's parse state: memory in proportion to the
 * inflated bytes, which is what admission counts.
 *
 * Every dependency is injected and the function does no I/O of its own: the
 * receiver (intake/), the `parse` command and the benchmarks all run this.
 * Decoding (gzip, caps) happens before, in intake/decode-body.ts.
 */
import { isUtf8 } from 'node:buffer';
import type { ErrorCode } from './errors/index.js';
import { isLineError, type LineParser } from './lines/parse-line.js';
import { splitLines } from './lines/split.js';
import type { LineView } from './lines/types.js';
import type { SignatureStatus } from './normalize/event.js';
import { epochMillisToIso, eventIdOf, eventTimeOf, rawLineId } from './normalize/index.js';
import { eventDedupKey } from './store/dedup-key.js';
import { encodeLinesRecord, MAX_RECORD_LINES, statusCode } from './store/record-codec.js';
import { DEDUP_KEY_BYTES, type BatchSummary, type IncomingBatch, type QuarantineRecord, type RecordToStore, type Store } from './store/types.js';
import type { Verdict, VerifyItem } from './verify/types.js';
import { extractSignature } from './verify/index.js';

/** What to do with a line whose signature is `invalid`, `malformed` or `missing` (SPEC 5.3). */
export const invalidSignaturePolicies = ['quarantine', 'forward', 'drop'] as const;
export type InvalidSignaturePolicy = (typeof invalidSignaturePolicies)[number];

export interface PipelineDeps {
  /** Parses one line; holds the reusable CEF token structure. */
  readonly lineParser: LineParser;
  /** Verifies signatures (refreshing keys once on `invalid`); absent = `unverified`. */
  readonly verifier: { verify(items: readonly VerifyItem[]): Promise<Verdict[]> } | undefined;
  readonly store: Pick<Store, 'commitBatch'>;
  readonly policy: InvalidSignaturePolicy;
  readonly now: () => Date;
}

/** What happened to a batch: the summary Konnect gets plus counts for logs and metrics. */
export interface BatchOutcome {
  readonly summary: BatchSummary;
  readonly lines: number;
  readonly dropped: number;
  readonly signatures: Readonly<Record<SignatureStatus, number>>;
  readonly kids: Readonly<Record<string, number>>;
  /** Line-level error codes (unparseable lines and signature failures). */
  readonly errors: Readonly<Partial<Record<ErrorCode, number>>>;
  /** Ids of the first events that failed verification (for the warning log; ids are not secrets). */
  readonly failedIds: readonly string[];
}

/** How many failed ids an outcome keeps (the log shows 5): a batch of 270,000 forged lines must not hold 270,000 ids. */
export const MAX_FAILED_IDS = 16;
/** A chunk also ends at this many bytes of lines (a few long lines make a full chunk). */
const MAX_CHUNK_BYTES = 1024 * 1024;

const signatureErrorCodes = {
  invalid: 'KAR_ERR_SIG_INVALID',
  malformed: 'KAR_ERR_SIG_MALFORMED',
  missing: 'KAR_ERR_SIG_MISSING',
} as const satisfies Partial<Record<SignatureStatus, ErrorCode>>;

/** One chunk's lines that parsed, waiting for their verdicts (parallel arrays: no object per line). */
interface Chunk {
  readonly line: number[];
  readonly id: string[];
  readonly timeMs: number[];
  /** A status, or undefined while the line is being verified. */
  readonly status: (SignatureStatus | undefined)[];
  readonly kid: (string | undefined)[];
  readonly toVerify: VerifyItem[];
  readonly verifyIndex: number[];
}

function emptyChunk(): Chunk {
  return { line: [], id: [], timeMs: [], status: [], kid: [], toVerify: [], verifyIndex: [] };
}

export async function processBatch(body: Uint8Array, deps: PipelineDeps): Promise<BatchOutcome> {
  const receivedAt = deps.now().toISOString();
  const { starts, ends } = splitLines(body);
  const quarantine: QuarantineRecord[] = [];
  const records: RecordToStore[] = [];
  const errors: Partial<Record<ErrorCode, number>> = {};
  const signatures: Record<SignatureStatus, number> = { valid: 0, invalid: 0, missing: 0, malformed: 0, unverified: 0 };
  const kids: Record<string, number> = {};
  const failedIds: string[] = [];
  /** The first line of each id in this batch: an exact repeat is a duplicate at once (not parsed twice, not verified twice). */
  const firstLineOf = new Map<string, number>();
  let duplicates = 0;
  let dropped = 0;
  const count = (code: ErrorCode): void => {
    errors[code] = (errors[code] ?? 0) + 1;
  };
  const isRepeat = (id: string, i: number): boolean => {
    const first = firstLineOf.get(id);
    if (first === undefined) {
      firstLineOf.set(id, i);
      return false;
    }
    // Same id, different bytes: a forged line reusing a sig; it is checked on its own.
    return Buffer.compare(body.subarray(starts[first] as number, ends[first] as number), body.subarray(starts[i] as number, ends[i] as number)) === 0;
  };

  for (let from = 0; from < starts.length; ) {
    // 1. Parse a chunk; keep per line only its id, time and verdict.
    const chunk = emptyChunk();
    let i = from;
    for (let bytes = 0; i < starts.length && chunk.line.length < MAX_RECORD_LINES && bytes < MAX_CHUNK_BYTES; i++) {
      const start = starts[i] as number;
      const end = ends[i] as number;
      bytes += end - start;
      if (!isUtf8(body.subarray(start, end))) {
        rejectLine(i, 'KAR_ERR_LINE_NOT_UTF8', 'the line is not valid UTF-8');
        continue;
      }
      const parsed = deps.lineParser.parse(body, start, end);
      if (isLineError(parsed)) {
        rejectLine(i, parsed.code, parsed.message);
        continue;
      }
      const id = eventIdOf(parsed);
      if (isRepeat(id, i)) {
        duplicates++;
        continue;
      }
      addLine(chunk, parsed, i, id, receivedAt, deps.verifier !== undefined);
    }
    from = i;

    // 2. Verify the chunk's signatures at once (spread over the cores).
    if (deps.verifier !== undefined && chunk.toVerify.length > 0) {
      const verdicts = await deps.verifier.verify(chunk.toVerify);
      verdicts.forEach((verdict, k) => {
        const at = chunk.verifyIndex[k] as number;
        chunk.status[at] = verdict.status;
        if (verdict.status === 'valid') chunk.kid[at] = verdict.kid;
      });
    }

    // 3. Apply the policy; what is forwarded becomes one record.
    const keep: number[] = [];
    for (let k = 0; k < chunk.line.length; k++) {
      const status = chunk.status[k] ?? 'unverified';
      const kid = chunk.kid[k];
      signatures[status]++;
      if (kid !== undefined) kids[kid] = (kids[kid] ?? 0) + 1;
      const failure = status === 'valid' || status === 'unverified' ? undefined : signatureErrorCodes[status];
      if (failure === undefined) {
        keep.push(k);
        continue;
      }
      count(failure);
      if (failedIds.length < MAX_FAILED_IDS) failedIds.push(chunk.id[k] as string);
      if (deps.policy === 'forward') keep.push(k);
      else if (deps.policy === 'drop') dropped++;
      else quarantine.push({ id: chunk.id[k] as string, kind: 'quarantined', code: failure, reason: `signature ${status}`, raw: textOf(chunk.line[k] as number) });
    }
    if (keep.length > 0) records.push(recordOf(chunk, keep));
  }

  // 4. Commit durably; only then may the receiver answer 200.
  const batch: IncomingBatch = { receivedAt, records, quarantine, dropped, duplicates };
  const summary = await deps.store.commitBatch(batch);
  return { summary, lines: starts.length, dropped, signatures, kids, errors, failedIds };

  function textOf(i: number): string {
    return Buffer.from(body.buffer, body.byteOffset + (starts[i] as number), (ends[i] as number) - (starts[i] as number)).toString('utf8');
  }

  function rejectLine(i: number, code: ErrorCode, reason: string): void {
    count(code);
    const bytes = body.subarray(starts[i] as number, ends[i] as number);
    const id = rawLineId(bytes);
    // The store keeps one copy of a rejected line anyway (by its bytes): a repeat is only counted.
    if (isRepeat(`\u0000${id}`, i)) {
      duplicates++;
      return;
    }
    quarantine.push({ id, kind: 'rejected', code, reason, raw: textOf(i) });
  }

  function recordOf(chunk: Chunk, keep: readonly number[]): RecordToStore {
    const keys = new Uint8Array(keep.length * DEDUP_KEY_BYTES);
    const lineStarts: number[] = [];
    const lineEnds: number[] = [];
    const statuses: number[] = [];
    const recordKids: (string | undefined)[] = [];
    keep.forEach((k, j) => {
      const status = chunk.status[k] ?? 'unverified';
      keys.set(eventDedupKey(chunk.id[k] as string, status, chunk.timeMs[k] as number), j * DEDUP_KEY_BYTES);
      const line = chunk.line[k] as number;
      lineStarts.push(starts[line] as number);
      lineEnds.push(ends[line] as number);
      statuses.push(statusCode[status]);
      recordKids.push(chunk.kid[k]);
    });
    return { payload: encodeLinesRecord({ receivedAt, buf: body, starts: lineStarts, ends: lineEnds, statuses, kids: recordKids }), keys };
  }
}

/** Reads what the line's record needs now: the parser's view is reused by the next line. */
function addLine(chunk: Chunk, view: LineView, line: number, id: string, receivedAt: string, verifying: boolean): void {
  const k = chunk.line.length;
  chunk.line.push(line);
  chunk.id.push(id);
  chunk.timeMs.push(timeMsOf(view, receivedAt));
  chunk.kid.push(undefined);
  const extracted = extractSignature(view);
  if (extracted.status === 'missing' || extracted.status === 'malformed') {
    chunk.status.push(extracted.status);
  } else if (!verifying) {
    chunk.status.push('unverified');
  } else {
    chunk.status.push(undefined);
    chunk.toVerify.push(extracted.item);
    chunk.verifyIndex.push(k);
  }
}

/**
 * The event's time in ms, as normalizeLine's `time` gives it (`rt`, else the
 * prefix timestamp, else `event_ts`): the dedup key orders by it, and the
 * same line must get the same key here and when released from the quarantine.
 */
function timeMsOf(view: LineView, receivedAt: string): number {
  const fromRt = epochMillisOf(view.field('rt'));
  if (fromRt !== undefined) return fromRt;
  const prefix = view.prefix();
  const iso = eventTimeOf({ prefixTimestamp: prefix.timestamp, prefixTimestampKind: prefix.timestampKind, eventTs: view.field('event_ts') }, receivedAt);
  return iso === undefined ? 0 : Date.parse(iso) || 0;
}

/** `rt` as normalize reads it (digits only, in the Date range), without making the ISO text. */
function epochMillisOf(rt: string | undefined): number | undefined {
  if (rt === undefined) return undefined;
  const iso = epochMillisToIso(rt);
  return iso === undefined ? undefined : Date.parse(iso);
}

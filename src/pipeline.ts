/**
 * @module pipeline
 * THE data path, in one function. Start reading here.
 *
 *   decoded batch ─▶ lines ─▶ parse (CEF tokenizer | JSON scanner) ─▶ signature
 *   extraction ─▶ batch verification (both cores) ─▶ normalize ─▶ policy
 *   (quarantine | forward | drop) ─▶ durable commit ─▶ summary for Konnect
 *
 * Every dependency is injected and the function does no I/O of its own: the
 * receiver (intake/), the `parse` command and the benchmarks all run this.
 * Decoding (gzip, caps) happens before, in intake/decode-body.ts.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { ErrorCode } from './errors/index.js';
import { isLineError, type LineParser } from './lines/parse-line.js';
import { splitLines } from './lines/split.js';
import type { LineView } from './lines/types.js';
import type { NormalizedEvent, SignatureResult, SignatureStatus } from './normalize/event.js';
import { normalizeLine, serializeEvent } from './normalize/index.js';
import type { BatchSummary, EventToStore, IncomingBatch, QuarantineRecord, Store } from './store/types.js';
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
  /** Ids of events that failed verification (for the warning log; ids are not secrets). */
  readonly failedIds: readonly string[];
}

/** A line that parsed, waiting for its signature verdict. */
interface PendingLine {
  readonly event: NormalizedEvent;
  signature: SignatureResult;
}

const signatureErrorCodes = {
  invalid: 'KAR_ERR_SIG_INVALID',
  malformed: 'KAR_ERR_SIG_MALFORMED',
  missing: 'KAR_ERR_SIG_MISSING',
} as const satisfies Partial<Record<SignatureStatus, ErrorCode>>;

export async function processBatch(body: Uint8Array, deps: PipelineDeps): Promise<BatchOutcome> {
  const receivedAt = deps.now().toISOString();
  const { starts, ends } = splitLines(body);
  const pending: PendingLine[] = [];
  const quarantine: QuarantineRecord[] = [];
  const errors: Partial<Record<ErrorCode, number>> = {};
  const count = (code: ErrorCode): void => {
    errors[code] = (errors[code] ?? 0) + 1;
  };

  // 1. Parse and normalize every line; collect what needs a signature check.
  //    The CEF token structure is reused line to line, so everything needed
  //    later (signed bytes, the event) is taken from the view right away.
  const toVerify: VerifyItem[] = [];
  const verifyIndex: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] as number;
    const end = ends[i] as number;
    if (!isUtf8(body.subarray(start, end))) {
      count('KAR_ERR_LINE_NOT_UTF8');
      quarantine.push(rejectedLine(body, start, end, 'KAR_ERR_LINE_NOT_UTF8', 'the line is not valid UTF-8'));
      continue;
    }
    const parsed = deps.lineParser.parse(body, start, end);
    if (isLineError(parsed)) {
      count(parsed.code);
      quarantine.push(rejectedLine(body, start, end, parsed.code, parsed.message));
      continue;
    }
    const signature = initialSignature(parsed, deps.verifier !== undefined, toVerify);
    if (signature === undefined) verifyIndex.push(pending.length);
    const placeholder: SignatureResult = signature ?? { status: 'unverified' };
    pending.push({ event: normalizeLine(parsed, { receivedAt, signature: placeholder }), signature: placeholder });
  }

  // 2. Verify all signatures of the batch at once (spread over the libuv pool).
  if (deps.verifier !== undefined && toVerify.length > 0) {
    const verdicts = await deps.verifier.verify(toVerify);
    verdicts.forEach((verdict, k) => {
      const line = pending[verifyIndex[k] as number] as PendingLine;
      line.signature = verdict.status === 'valid' ? { status: 'valid', kid: verdict.kid } : { status: 'invalid' };
    });
  }

  // 3. Apply the policy for lines that do not verify, and build the batch to commit.
  const events: EventToStore[] = [];
  const signatures: Record<SignatureStatus, number> = { valid: 0, invalid: 0, missing: 0, malformed: 0, unverified: 0 };
  const kids: Record<string, number> = {};
  const failedIds: string[] = [];
  let dropped = 0;
  for (const line of pending) {
    const event = line.event;
    event.signature = line.signature;
    signatures[line.signature.status]++;
    if (line.signature.kid !== undefined) kids[line.signature.kid] = (kids[line.signature.kid] ?? 0) + 1;
    const failure = line.signature.status === 'valid' || line.signature.status === 'unverified' ? undefined : signatureErrorCodes[line.signature.status];
    if (failure === undefined) {
      events.push({ id: event.id, json: serializeEvent(event), status: line.signature.status, timeMs: timeMsOf(event) });
      continue;
    }
    count(failure);
    failedIds.push(event.id);
    if (deps.policy === 'forward') {
      events.push({ id: event.id, json: serializeEvent(event), status: line.signature.status, timeMs: timeMsOf(event) });
    } else if (deps.policy === 'drop') {
      dropped++;
    } else {
      const json = serializeEvent(event);
      quarantine.push({ id: event.id, kind: 'quarantined', code: failure, reason: `signature ${line.signature.status}`, raw: event.raw, json });
    }
  }

  // 4. Commit durably; only then may the receiver answer 200.
  const batch: IncomingBatch = { receivedAt, events, quarantine, dropped };
  const summary = await deps.store.commitBatch(batch);
  return { summary, lines: starts.length, dropped, signatures, kids, errors, failedIds };
}

/** `undefined` when the line goes to the verifier (its item is pushed to `toVerify`). */
function initialSignature(view: LineView, verifying: boolean, toVerify: VerifyItem[]): SignatureResult | undefined {
  const extracted = extractSignature(view);
  if (extracted.status === 'missing' || extracted.status === 'malformed') return { status: extracted.status };
  if (!verifying) return { status: 'unverified' };
  toVerify.push(extracted.item);
  return undefined;
}

/** The event's time from the line, for the store's time-ordered dedup index (0: the line gives none). */
function timeMsOf(event: NormalizedEvent): number {
  return event.time === undefined ? 0 : Date.parse(event.time) || 0;
}

function rejectedLine(body: Uint8Array, start: number, end: number, code: ErrorCode, reason: string): QuarantineRecord {
  const bytes = body.subarray(start, end);
  const id = createHash('sha256').update(bytes).digest('base64url');
  return { id, kind: 'rejected', code, reason, raw: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') };
}

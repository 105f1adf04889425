/**
 * @module audit/check-batch
 * One batch of raw lines → one verdict per line, in order: parse (CEF or
 * JSON), take the signature apart (SPEC 3), verify every signed line of the
 * batch at once on the thread pool. Parsing is synchronous and the returned
 * promise is the verification, so the runner parses the next batch while
 * this one is verified.
 *
 * Verdicts are kept as columns (a status code per line; kid and reason only
 * where there is one) rather than an object per line: millions of short-lived
 * objects that outlive a few collections while their batch is in flight are
 * what made the heap grow on large inputs.
 */
import type { LineParser } from '../lines/parse-line.js';
import { isLineError } from '../lines/parse-line.js';
import type { LineView } from '../lines/types.js';
import type { BatchVerifier, SignatureExtraction, VerifyItem } from '../verify/types.js';
import type { RecordBatch } from './record-batch.js';
import { auditStatuses, type AuditStatus, type LineVerdict } from './verdict.js';

export interface CheckDeps {
  readonly parser: LineParser;
  readonly extract: (view: LineView) => SignatureExtraction;
  readonly verifier: BatchVerifier;
  /** How many keys are tried (for the `invalid` reason). */
  readonly keyCount: number;
}

/** Status codes: indexes into `auditStatuses`. */
export const STATUS = { valid: 0, invalid: 1, missing: 2, malformed: 3, unparseable: 4 } as const satisfies Record<AuditStatus, number>;

/** The verdicts of one batch, line i at index i. */
export interface BatchVerdicts {
  readonly file: string;
  readonly lines: readonly number[];
  readonly statuses: Uint8Array;
  /** The kid that verified line i (valid lines only). */
  readonly kids: readonly (string | undefined)[];
  /** Why line i is not valid. */
  readonly reasons: readonly (string | undefined)[];
}

export function verdictCount(verdicts: BatchVerdicts): number {
  return verdicts.statuses.length;
}

/** Line i as an object (for the NDJSON output and the failures list). */
export function verdictAt(verdicts: BatchVerdicts, i: number): LineVerdict {
  const status = auditStatuses[verdicts.statuses[i] as number] as AuditStatus;
  const base = { file: verdicts.file, line: verdicts.lines[i] as number, status };
  if (status === 'valid') return { ...base, kid: verdicts.kids[i] ?? '' };
  return { ...base, reason: verdicts.reasons[i] ?? status };
}

const MISSING_REASON = 'the line has no sig (KAR_ERR_SIG_MISSING)';
const MALFORMED_REASON = 'the sig is not strict base64url of 64 bytes (KAR_ERR_SIG_MALFORMED)';

/** Parses and extracts synchronously; the returned promise is the verification of the batch. */
export function checkBatch(batch: RecordBatch, deps: CheckDeps): Promise<BatchVerdicts> {
  const { file, buf, starts, ends, lines, problems } = batch;
  const n = starts.length;
  const statuses = new Uint8Array(n);
  const kids = new Array<string | undefined>(n);
  const reasons = new Array<string | undefined>(n);
  const items: VerifyItem[] = [];
  const itemAt: number[] = [];
  for (let i = 0; i < n; i++) {
    const problem = problems.get(i);
    if (problem !== undefined) {
      statuses[i] = STATUS.unparseable;
      reasons[i] = `${problem.message} (${problem.code})`;
      continue;
    }
    const parsed = deps.parser.parse(buf, starts[i] as number, ends[i] as number);
    if (isLineError(parsed)) {
      statuses[i] = STATUS.unparseable;
      reasons[i] = `${parsed.message} (${parsed.code})`;
      continue;
    }
    // The view may be reused by the next parse: extract takes what verification needs now.
    const extraction = deps.extract(parsed);
    if (extraction.status === 'ok') {
      items.push(extraction.item);
      itemAt.push(i);
    } else if (extraction.status === 'missing') {
      statuses[i] = STATUS.missing;
      reasons[i] = MISSING_REASON;
    } else {
      statuses[i] = STATUS.malformed;
      reasons[i] = MALFORMED_REASON;
    }
  }
  const verdicts: BatchVerdicts = { file, lines, statuses, kids, reasons };
  if (items.length === 0) return Promise.resolve(verdicts);
  const invalidReason = `the signature verifies with none of the ${deps.keyCount} key${deps.keyCount === 1 ? '' : 's'} (KAR_ERR_SIG_INVALID)`;
  return deps.verifier.verifyBatch(items).then((results) => {
    for (let j = 0; j < itemAt.length; j++) {
      const i = itemAt[j] as number;
      const result = results[j];
      if (result?.status === 'valid') {
        statuses[i] = STATUS.valid;
        kids[i] = result.kid;
      } else {
        statuses[i] = STATUS.invalid;
        reasons[i] = invalidReason;
      }
    }
    return verdicts;
  });
}

/**
 * @module audit/check-batch
 * One batch of raw lines → one verdict per line, in order: parse (CEF or
 * JSON), take the signature apart (SPEC 3), verify every signed line of the
 * batch at once on the thread pool. Split in two so the runner can parse the
 * next batch while this one is being verified.
 */
import type { LineParser } from '../lines/parse-line.js';
import { isLineError } from '../lines/parse-line.js';
import type { LineView } from '../lines/types.js';
import type { BatchVerifier, SignatureExtraction, VerifyItem } from '../verify/types.js';
import type { RecordBatch } from './record-batch.js';
import type { LineVerdict } from './verdict.js';

export interface CheckDeps {
  readonly parser: LineParser;
  readonly extract: (view: LineView) => SignatureExtraction;
  readonly verifier: BatchVerifier;
  /** How many keys are tried (for the `invalid` reason). */
  readonly keyCount: number;
}

const MISSING_REASON = 'the line has no sig (KAR_ERR_SIG_MISSING)';
const MALFORMED_REASON = 'the sig is not strict base64url of 64 bytes (KAR_ERR_SIG_MALFORMED)';

/** Parses and extracts synchronously; the returned promise is the verification of the batch. */
export function checkBatch(batch: RecordBatch, deps: CheckDeps): Promise<LineVerdict[]> {
  const { file, buf, starts, ends, lines, problems } = batch;
  const verdicts = new Array<LineVerdict>(starts.length);
  const items: VerifyItem[] = [];
  const itemAt: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    const line = lines[i] as number;
    const problem = problems.get(i);
    if (problem !== undefined) {
      verdicts[i] = { file, line, status: 'unparseable', reason: `${problem.message} (${problem.code})` };
      continue;
    }
    const parsed = deps.parser.parse(buf, starts[i] as number, ends[i] as number);
    if (isLineError(parsed)) {
      verdicts[i] = { file, line, status: 'unparseable', reason: `${parsed.message} (${parsed.code})` };
      continue;
    }
    // The view may be reused by the next parse: extract copies what verification needs now.
    const extraction = deps.extract(parsed);
    if (extraction.status === 'ok') {
      items.push(extraction.item);
      itemAt.push(i);
    } else {
      verdicts[i] = { file, line, status: extraction.status, reason: extraction.status === 'missing' ? MISSING_REASON : MALFORMED_REASON };
    }
  }
  if (items.length === 0) return Promise.resolve(verdicts);
  const invalidReason = `the signature verifies with none of the ${deps.keyCount} key${deps.keyCount === 1 ? '' : 's'} (KAR_ERR_SIG_INVALID)`;
  return deps.verifier.verifyBatch(items).then((results) => {
    for (let j = 0; j < results.length; j++) {
      const i = itemAt[j] as number;
      const line = lines[i] as number;
      const result = results[j];
      verdicts[i] = result?.status === 'valid' ? { file, line, status: 'valid', kid: result.kid } : { file, line, status: 'invalid', reason: invalidReason };
    }
    return verdicts;
  });
}

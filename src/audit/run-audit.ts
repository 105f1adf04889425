/**
 * @module audit/run-audit
 * The signature audit, start to end: for each input, open it (gzip by magic
 * bytes), detect its kind (or take `--input-format`), read its raw lines in
 * batches, verify them and count the verdicts. Read → parse → verify is a
 * pipeline: while the signature workers (libsodium, one per core: the
 * receiver's verifier) check up to `inFlight` batches, the main thread reads
 * and parses the next one; a batch's verdicts are counted in input order.
 * Nothing is held but the batches in flight, so memory is
 * bounded whatever the size of the inputs.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { KarError } from '../errors/index.js';
import { createLineParser } from '../lines/parse-line.js';
import { extractSignature } from '../verify/extract.js';
import { createSignatureVerifier } from '../verify/signature-verifier.js';
import type { BatchVerifier, VerificationKey } from '../verify/types.js';
import { checkBatch, verdictCount, type BatchVerdicts, type CheckDeps } from './check-batch.js';
import { createBufferPool, type BufferPool } from './buffer-pool.js';
import { detectInputKind, isHeadDecisive } from './detect.js';
import { jsonRecordShapes, type InputKind } from './input-kinds.js';
import { openInput, type OpenedInput } from './open-input.js';
import type { ProgressSnapshot } from './progress.js';
import { readCsvRecords } from './read-csv.js';
import { readJsonRecords } from './read-json.js';
import { batchBufferBytes, readRawLines } from './read-raw.js';
import type { RecordBatch } from './record-batch.js';
import { createReportBuilder, type AuditReport } from './report.js';

/** Konnect lines are a few hundred bytes; 1 MiB leaves room for anything real. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_FAILURES = 100;
/**
 * Batches verified at once: one checked by the workers while the next is
 * parsed. A third made V8 grow the main thread's young generation (the lines
 * of the batches in flight survive its collections): on 100 MB of signed
 * lines the CLI peaked at 146-158 MB with 3, 138-142 MB with 2, 114-118 MB
 * with 1 (no overlap); 1 GiB of signed lines with 2: 145 MB (docs/VERIFY.md).
 */
export const DEFAULT_IN_FLIGHT = 2;

export interface AuditOptions {
  /** File paths, `-` for stdin. */
  readonly inputs: readonly string[];
  readonly stdin: Readable;
  readonly cwd?: string;
  /** Every key of every JWKS given: each line is tried against all of them. */
  readonly keys: readonly VerificationKey[];
  /** Forces the kind of every input (`--input-format`); detected per input otherwise. */
  readonly inputFormat?: InputKind;
  /** CSV header / JSON member holding the raw line, instead of the kind's usual names. */
  readonly rawColumn?: string;
  readonly maxLineBytes?: number;
  readonly maxFailures?: number;
  readonly inFlight?: number;
  /** Default: the signature workers (createSignatureVerifier: libsodium, one thread per core), closed at the end. */
  readonly verifier?: BatchVerifier;
  /** Every verdict, batch by batch, in input order (`verdictAt` gives line i); a returned promise is awaited (backpressure). */
  readonly onVerdicts?: (verdicts: BatchVerdicts) => void | Promise<void>;
  readonly onProgress?: (snapshot: ProgressSnapshot) => void;
}

/** Fails before any work when an input is missing, so a typo does not cost an hour of verifying. */
async function preflight(inputs: readonly string[], cwd: string): Promise<{ totalBytes: number | undefined }> {
  if (inputs.length === 0) throw new KarError('KAR_ERR_USAGE', 'no input: give one or more files, or - for stdin');
  if (inputs.filter((input) => input === '-').length > 1) throw new KarError('KAR_ERR_USAGE', 'stdin (-) can be read only once');
  let totalBytes: number | undefined = 0;
  for (const input of inputs) {
    if (input === '-') {
      totalBytes = undefined;
      continue;
    }
    try {
      const info = await stat(isAbsolute(input) ? input : resolve(cwd, input));
      if (info.isDirectory()) throw new KarError('KAR_ERR_IO_READ', `${input}: cannot read (is a directory)`, { details: { input } });
      if (totalBytes !== undefined) totalBytes = info.isFile() ? totalBytes + info.size : undefined;
    } catch (error) {
      if (error instanceof KarError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
      throw new KarError('KAR_ERR_IO_READ', `${input}: cannot read (${why})`, { details: { input }, cause: error });
    }
  }
  return { totalBytes };
}

function recordsOf(kind: InputKind, input: OpenedInput, options: AuditOptions, maxLineBytes: number, pool: BufferPool): AsyncIterable<RecordBatch> {
  switch (kind) {
    case 'raw':
      return readRawLines(input.name, input.chunks(), maxLineBytes, pool);
    case 'splunk-csv':
    case 'sumo-csv':
      return readCsvRecords(input.name, input.chunks(), options.rawColumn === undefined ? { maxLineBytes } : { maxLineBytes, rawColumn: options.rawColumn }, pool);
    case 'ndjson':
    case 'splunk-json':
    case 'sumo-json': {
      const shape = jsonRecordShapes[kind];
      return readJsonRecords(input.name, input.chunks(), options.rawColumn === undefined ? shape : { ...shape, rawKeys: [options.rawColumn] }, maxLineBytes, pool);
    }
  }
}

export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const cwd = options.cwd ?? process.cwd();
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const { totalBytes } = await preflight(options.inputs, cwd);
  const keys = options.keys;
  const owned = options.verifier === undefined ? createSignatureVerifier(() => keys) : undefined;
  const deps: CheckDeps = {
    parser: createLineParser({ maxLineBytes }),
    extract: extractSignature,
    verifier: options.verifier ?? (owned as BatchVerifier),
    keyCount: keys.length,
  };
  try {
    return await audit(options, cwd, totalBytes, deps);
  } finally {
    await owned?.close();
  }
}

async function audit(options: AuditOptions, cwd: string, totalBytes: number | undefined, deps: CheckDeps): Promise<AuditReport> {
  const keys = options.keys;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const inFlight = Math.max(1, options.inFlight ?? DEFAULT_IN_FLIGHT);
  // Batches in flight, the one being parsed, the one being filled, and the spare the reader swaps in.
  const pool = createBufferPool(batchBufferBytes(maxLineBytes), inFlight + 3);
  const builder = createReportBuilder({ kids: keys.map((k) => k.kid), maxFailures: options.maxFailures ?? DEFAULT_MAX_FAILURES });
  let bytesBefore = 0;

  for (const path of options.inputs) {
    const input = await openInput(path, options.stdin, cwd, options.inputFormat === undefined ? isHeadDecisive : () => true);
    const kind = options.inputFormat ?? detectInputKind(input.head, input.name);
    let total = 0;
    const pending: Promise<BatchVerdicts>[] = [];
    const settle = async (verdicts: BatchVerdicts): Promise<void> => {
      builder.addBatch(verdicts);
      total += verdictCount(verdicts);
      await options.onVerdicts?.(verdicts);
      options.onProgress?.({ lines: builder.total, bytesDone: bytesBefore + input.bytesRead(), bytesTotal: totalBytes });
    };
    try {
      for await (const batch of recordsOf(kind, input, options, maxLineBytes, pool)) {
        // Signed messages may be views into the batch buffer: it goes back to the pool once verified.
        pending.push(checkBatch(batch, deps).finally(() => batch.release?.()));
        if (pending.length >= inFlight) await settle(await (pending.shift() as Promise<BatchVerdicts>));
      }
      while (pending.length > 0) await settle(await (pending.shift() as Promise<BatchVerdicts>));
    } finally {
      input.close();
    }
    bytesBefore += input.bytesRead();
    builder.addFile({ file: input.name, kind, gzip: input.gzip, total });
  }
  return builder.report();
}

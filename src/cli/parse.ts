/**
 * @module cli/parse
 * `konnect-audit parse [--jwks URL|FILE] [--received-at ISO] [--schema v1|ocsf|ecs|raw] [FILE...|-]`:
 * raw Konnect lines → normalized `konnect-audit/v1` events (or the payload a
 * sink set to that schema sends: the same mapping, src/payload), one line
 * out per non-blank line in, in input order. A line that cannot be parsed
 * gives an error object in its place. Thin: inputs are read by audit/
 * (gzip by magic bytes, line cap, line numbers), lines go through the same
 * parse → signature → normalize steps as the receiver's pipeline.
 */
import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { batchBufferBytes, createBufferPool, openInput, readRawLines, STDIN_NAME, type RecordBatch } from '../audit/index.js';
import { KarError, type ErrorCode } from '../errors/index.js';
import { createLineParser, isLineError, type LineParser } from '../lines/parse-line.js';
import { isoToIso, normalizeLine, normalizeWarningTotals, normalizeWarnings, type NormalizedEvent, type NormalizeWarning } from '../normalize/index.js';
import { formatPayload, isPayloadSchema, payloadSchemas, type PayloadSchema } from '../payload/index.js';
import { createKeySet, createLineVerifier, extractSignature, type KeySet, type LineVerifier, type VerifyItem } from '../verify/index.js';
import { parseCommandArgs, usageError } from './args.js';
import type { CliContext, Command } from './context.js';

/** Lines longer than this are reported, not parsed (Konnect lines are well under 4 KiB). */
export const DEFAULT_PARSE_MAX_LINE_BYTES = 1024 * 1024;

const USAGE = `Usage: konnect-audit parse [options] [FILE... | -]

Turns Konnect audit lines (CEF or JSON, .gz detected by its magic bytes) from
FILEs or stdin into normalized konnect-audit/v1 events, one NDJSON line per
non-blank input line, in order. A line that cannot be parsed gives
  {"error":{"code":"KAR_ERR_...","message":"..."},"file":"...","line":N,"raw":"..."}
in its place (line numbers are 1-based and count blank lines).

Options:
  --jwks URL|FILE       verify signatures against this JWKS: signature.status is
                        valid (with kid) or invalid. Without it, well-formed
                        signatures are "unverified".
                        Either way a line without sig is "missing" and a sig that
                        is not base64url of 64 bytes is "malformed".
  --received-at ISO     the received_at of every event (default: now, per batch);
                        makes the output reproducible
  --max-line-bytes N    longer lines give a KAR_ERR_LINE_TOO_LONG error object
                        (default ${DEFAULT_PARSE_MAX_LINE_BYTES})
  --schema S            what to print per event, as a sink with "payload": S
                        sends it: v1 (default), ocsf (OCSF 1.8.0), ecs (Elastic
                        Common Schema) or raw (the line itself); error objects
                        stay JSON. See docs/SIEM.md
  --raw-data            ocsf/ecs: add the original line (raw_data / event.original)
  -h, --help

Lines that parsed with a warning (CEF text before the first key=, kept in the
event's extension_preamble; a key given twice, the last value kept) are counted
in one line on stderr at the end; they do not change the exit code.

Exit: 0 every line parsed (whatever its signature status), 1 some lines gave an
error object, 2 usage or I/O error (one line on stderr).
`;

const warningMeaning: Readonly<Record<NormalizeWarning, string>> = {
  extension_preamble: 'CEF text before the first key=, kept in extension_preamble',
  duplicate_key: 'a key given twice, the last value kept',
};

/** One stderr line for the warnings counted since `before`, or nothing when there were none. */
function warningLine(before: Readonly<Record<NormalizeWarning, number>>): string | undefined {
  const now = normalizeWarningTotals();
  const parts = normalizeWarnings.filter((w) => now[w] > before[w]).map((w) => `${now[w] - before[w]} ${w} (${warningMeaning[w]})`);
  return parts.length === 0 ? undefined : `konnect-audit parse: warnings: ${parts.join(', ')}\n`;
}

interface ParseOptions {
  readonly inputs: readonly string[];
  readonly jwks: string | undefined;
  readonly receivedAt: string | undefined;
  readonly maxLineBytes: number;
  readonly schema: PayloadSchema;
  readonly rawData: boolean;
}

function parseOptions(argv: readonly string[]): ParseOptions | 'help' {
  const { values, positionals } = parseCommandArgs(argv, {
    jwks: { type: 'string' },
    'received-at': { type: 'string' },
    'max-line-bytes': { type: 'string' },
    schema: { type: 'string' },
    'raw-data': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) return 'help';
  let receivedAt: string | undefined;
  if (values['received-at'] !== undefined) {
    receivedAt = isoToIso(values['received-at']);
    if (receivedAt === undefined) throw usageError(`--received-at must be an ISO-8601 date-time such as 2025-06-23T14:28:48.001Z (got '${values['received-at']}')`);
  }
  let maxLineBytes = DEFAULT_PARSE_MAX_LINE_BYTES;
  if (values['max-line-bytes'] !== undefined) {
    maxLineBytes = Number(values['max-line-bytes']);
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) throw usageError(`--max-line-bytes must be an integer >= 1 (got '${values['max-line-bytes']}')`);
  }
  if (values.jwks !== undefined && values.jwks.trim() === '') throw usageError('--jwks needs a URL or a file');
  const schema = values.schema ?? 'v1';
  if (!isPayloadSchema(schema)) throw usageError(`--schema must be one of ${payloadSchemas.join(', ')} (got '${schema}')`);
  const rawData = values['raw-data'] === true;
  return { inputs: positionals.length === 0 ? ['-'] : positionals, jwks: values.jwks, receivedAt, maxLineBytes, schema, rawData };
}

export const parseCommand: Command = async (ctx: CliContext) => {
  const options = parseOptions(ctx.argv);
  if (options === 'help') {
    ctx.stdout.write(USAGE);
    return 0;
  }
  // Every file is checked before the first line is printed: a typo in the
  // third name must not leave half an output behind.
  for (const input of options.inputs) await assertReadable(input, ctx.cwd);

  let keySet: KeySet | undefined;
  let verifier: LineVerifier | undefined;
  if (options.jwks !== undefined) {
    // A file path is relative to the command's directory; URLs are left as they are.
    const source = /^[a-z][a-z0-9+.-]*:\/\//i.test(options.jwks) || isAbsolute(options.jwks) ? options.jwks : resolve(ctx.cwd, options.jwks);
    keySet = createKeySet({ source });
    await keySet.start();
    verifier = createLineVerifier({ keySet });
  }
  const output = createOutput(ctx.stdout);
  const warningsBefore = normalizeWarningTotals();
  try {
    const parser = createLineParser({ maxLineBytes: options.maxLineBytes });
    // One batch at a time: a reused buffer plus the one the reader fills next.
    const pool = createBufferPool(batchBufferBytes(options.maxLineBytes), 2);
    let errors = 0;
    for (const input of options.inputs) {
      const opened = await openInput(input, ctx.stdin, ctx.cwd);
      try {
        for await (const batch of readRawLines(opened.name, opened.chunks(), options.maxLineBytes, pool)) {
          let out;
          try {
            out = await parseBatch(batch, {
              parser,
              verifier,
              receivedAt: options.receivedAt ?? new Date().toISOString(),
              schema: options.schema,
              rawData: options.rawData,
            });
          } finally {
            // The output holds strings only: nothing points into the batch buffer any more.
            batch.release?.();
          }
          errors += out.errors;
          if (!(await output.write(out.text))) return errors > 0 ? 1 : 0;
        }
      } finally {
        opened.close();
      }
    }
    return errors > 0 ? 1 : 0;
  } finally {
    const warnings = warningLine(warningsBefore);
    if (warnings !== undefined) ctx.stderr.write(warnings);
    output.release();
    await keySet?.close();
  }
};

export interface ParseBatchDeps {
  readonly parser: LineParser;
  readonly verifier: LineVerifier | undefined;
  readonly receivedAt: string;
  /** What to print per event (default v1, the normalized event). */
  readonly schema?: PayloadSchema;
  /** ocsf/ecs: add the original line. */
  readonly rawData?: boolean;
}

/** An output line that could not be parsed. */
export interface ParseErrorLine {
  readonly error: { readonly code: ErrorCode; readonly message: string };
  readonly file: string;
  readonly line: number;
  /** The line as text (invalid UTF-8 shown as U+FFFD); null when it was too long to keep. */
  readonly raw: string | null;
}

/**
 * One batch of lines → their NDJSON output lines, in order, and how many were
 * error objects. Never throws on any bytes (the verifier may, for a
 * whole-batch key failure).
 */
export async function parseBatch(batch: RecordBatch, deps: ParseBatchDeps): Promise<{ text: string; errors: number }> {
  const { buf, starts, ends, lines, problems, file } = batch;
  const out: Array<string | NormalizedEvent> = [];
  const toVerify: VerifyItem[] = [];
  const verifyAt: number[] = [];
  let errors = 0;
  const fail = (i: number, code: ErrorCode, message: string, raw: string | null): void => {
    errors++;
    const line: ParseErrorLine = { error: { code, message }, file, line: lines[i] as number, raw };
    out.push(JSON.stringify(line));
  };
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] as number;
    const end = ends[i] as number;
    const problem = problems.get(i);
    if (problem !== undefined || start < 0) {
      fail(i, problem?.code ?? 'KAR_ERR_LINE_TOO_LONG', problem?.message ?? 'the line could not be read', null);
      continue;
    }
    const bytes = buf.subarray(start, end);
    // `raw` must be the exact line so that it can be verified again downstream.
    if (!isUtf8(bytes)) {
      fail(i, 'KAR_ERR_LINE_NOT_UTF8', 'the line is not valid UTF-8 (raw shows the invalid bytes as U+FFFD)', bytes.toString('utf8'));
      continue;
    }
    const parsed = deps.parser.parse(buf, start, end);
    if (isLineError(parsed)) {
      fail(i, parsed.code, parsed.message, bytes.toString('utf8'));
      continue;
    }
    const extracted = extractSignature(parsed);
    const event = normalizeLine(parsed, {
      receivedAt: deps.receivedAt,
      signature: { status: extracted.status === 'ok' ? 'unverified' : extracted.status },
    });
    if (extracted.status === 'ok' && deps.verifier !== undefined) {
      toVerify.push(extracted.item);
      verifyAt.push(out.length);
    }
    out.push(event);
  }
  if (deps.verifier !== undefined && toVerify.length > 0) {
    const verdicts = await deps.verifier.verify(toVerify);
    verdicts.forEach((verdict, k) => {
      const event = out[verifyAt[k] as number] as NormalizedEvent;
      event.signature = verdict.status === 'valid' ? { status: 'valid', kid: verdict.kid } : { status: 'invalid' };
    });
  }
  const schema = deps.schema ?? 'v1';
  const payloadOptions = { rawData: deps.rawData === true };
  const text = out.map((item) => `${typeof item === 'string' ? item : formatPayload(item, schema, payloadOptions)}\n`).join('');
  return { text, errors };
}

async function assertReadable(input: string, cwd: string): Promise<void> {
  if (input === '-') return;
  let why: string | undefined;
  try {
    const info = await stat(resolve(cwd, input));
    if (info.isDirectory()) why = 'is a directory';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
  }
  if (why !== undefined) throw new KarError('KAR_ERR_IO_READ', `${input === '-' ? STDIN_NAME : input}: cannot read (${why})`, { details: { input } });
}

/**
 * stdout with backpressure. A closed stdout (EPIPE: the reader, e.g. `head`,
 * is done) stops the command quietly instead of crashing it.
 */
function createOutput(out: Writable): { write(text: string): Promise<boolean>; release(): void } {
  let closed = false;
  const onError = (): void => {
    closed = true;
  };
  out.on('error', onError);
  return {
    async write(text) {
      if (closed) return false;
      if (text === '' || out.write(text)) return !closed;
      const waiting = new AbortController();
      try {
        const event = await Promise.race(['drain', 'error', 'close'].map((name) => once(out, name, { signal: waiting.signal }).then(() => name, () => 'error')));
        return event === 'drain' && !closed;
      } finally {
        waiting.abort();
      }
    },
    release() {
      out.off('error', onError);
    },
  };
}

/**
 * @module cli/verify
 * `konnect-audit verify [options] FILE...|-`: which lines of exported audit
 * logs Konnect really signed. Thin: arguments → keys → `runAudit` → report.
 * Exit 0 when no line has a status in --fail-on, 1 when some do, 2 on a
 * usage or I/O error (one line on stderr, from cli/main).
 */
import { once } from 'node:events';
import { isAbsolute, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import {
  DEFAULT_FAIL_ON,
  DEFAULT_MAX_FAILURES,
  DEFAULT_MAX_LINE_BYTES,
  createProgress,
  exitCodeOf,
  inputKinds,
  isInputKind,
  renderTextReport,
  runAudit,
  verdictAt,
  verdictCount,
  type AuditReport,
  type BatchVerdicts,
  type FailOn,
} from '../audit/index.js';
import { KarError, isKarError } from '../errors/index.js';
import { DEFAULT_JWKS_URL, describeJwksSource, inspectJwks, readJwksText, resolveJwksSource, type VerificationKey } from '../verify/index.js';
import { parseCommandArgs, usageError } from './args.js';
import type { CliContext, Command } from './context.js';

const formats = ['text', 'json', 'ndjson'] as const;
type ReportFormat = (typeof formats)[number];
const failStatuses = ['invalid', 'missing', 'malformed', 'unparseable'] as const;

const USAGE = `Usage: konnect-audit verify [options] FILE... | -

Checks the Ed25519 signature of every Konnect audit line in FILEs (or stdin: -).
Inputs, detected per file (gzip by its magic bytes): raw CEF/JSON lines, NDJSON of
normalized events, Splunk JSON/CSV exports (_raw), Sumo Logic JSON/CSV exports.

Options:
  --jwks URL|FILE         Konnect's JWKS; repeat it to add older key sets (rotation).
                          Default: $KONNECT_AUDIT_JWKS, else ${DEFAULT_JWKS_URL}
  --format text|json|ndjson
                          text (default): totals, keys, first failures; json: the report;
                          ndjson: one verdict per input line (the summary goes to stderr)
  --input-format KIND     force the kind of every input: ${inputKinds.join(', ')}
  --raw-column NAME       the CSV column / JSON member holding the raw line
  --fail-on LIST          statuses that make the exit code 1 (comma-separated, or none):
                          ${failStatuses.join(', ')} (default: all of them)
  --max-failures N        failures listed in the report (default ${DEFAULT_MAX_FAILURES}; the rest are counted)
  --max-line-bytes N      longer lines are unparseable (default ${DEFAULT_MAX_LINE_BYTES})
  -h, --help

Exit: 0 every line valid (or none failing --fail-on), 1 some lines not valid, 2 usage or I/O error.
`;

function parseFailOn(value: string | undefined): FailOn {
  if (value === undefined) return DEFAULT_FAIL_ON;
  if (value.trim() === 'none') return new Set();
  const chosen = new Set<(typeof failStatuses)[number]>();
  for (const part of value.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const status = failStatuses.find((s) => s === part);
    if (status === undefined) throw usageError(`--fail-on: unknown status '${part}' (use ${failStatuses.join(', ')} or none)`);
    chosen.add(status);
  }
  if (chosen.size === 0) throw usageError('--fail-on needs at least one status, or none');
  return chosen;
}

function parseCount(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  // Digits only: Number('') and Number(' ') are 0, Number('1e3') is 1000.
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw usageError(`--${name} must be an integer >= ${min} (got '${value}')`);
  return n;
}

/** Every key of every JWKS, in the order given; the same key listed twice is tried once. */
export async function loadVerifyKeys(sources: readonly string[], cwd = process.cwd()): Promise<VerificationKey[]> {
  const keys: VerificationKey[] = [];
  const seen = new Set<string>();
  for (const given of sources) {
    const resolved = resolveJwksSource(given);
    // A relative file is relative to the command's directory (tests run commands in-process).
    const source = resolved.kind === 'file' && !isAbsolute(resolved.path) ? { kind: 'file' as const, path: resolve(cwd, resolved.path) } : resolved;
    const where = describeJwksSource(source);
    const text = await readJwksText(source);
    let inspection;
    try {
      inspection = inspectJwks(text);
    } catch (error) {
      if (isKarError(error)) throw new KarError(error.code, `--jwks ${where}: ${error.message}`, { cause: error });
      throw error;
    }
    if (inspection.keys.length === 0) {
      const why = inspection.ignored.slice(0, 3).map((i) => `${i.kid ?? `#${i.index}`}: ${i.reason}`);
      throw new KarError('KAR_ERR_KEYS_NONE_USABLE', `--jwks ${where}: no usable Ed25519 key${why.length > 0 ? ` (${why.join('; ')})` : ''}`);
    }
    for (const key of inspection.keys) {
      const identity = `${key.kid}\u0000${key.x}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      keys.push(key);
    }
  }
  return keys;
}

/** One JSON object per line: file, line, status, then kid (valid) or reason. */
function ndjsonOf(verdicts: BatchVerdicts): string {
  let out = '';
  for (let i = 0; i < verdictCount(verdicts); i++) out += `${JSON.stringify(verdictAt(verdicts, i))}\n`;
  return out;
}

/** Writes with backpressure; a closed stdout (EPIPE) ends the command as an I/O error. */
async function writeOut(out: Writable, text: string): Promise<void> {
  if (out.write(text)) return;
  const waiting = new AbortController();
  const { signal } = waiting;
  try {
    const event = await Promise.race(['drain', 'error', 'close'].map((name) => once(out, name, { signal }).then(() => name)));
    if (event !== 'drain') throw new KarError('KAR_ERR_IO_WRITE', 'stdout was closed before the whole report was written');
  } finally {
    waiting.abort();
  }
}

function summaryLine(report: AuditReport): string {
  return `konnect-audit verify: ${report.total} lines: ${report.valid} valid, ${report.invalid} invalid, ${report.missing} missing, ${report.malformed} malformed, ${report.unparseable} unparseable\n`;
}

export const verifyCommand: Command = async (ctx: CliContext) => {
  const { values, positionals } = parseCommandArgs(ctx.argv, {
    jwks: { type: 'string', multiple: true },
    format: { type: 'string' },
    'input-format': { type: 'string' },
    'raw-column': { type: 'string' },
    'fail-on': { type: 'string' },
    'max-failures': { type: 'string' },
    'max-line-bytes': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  const format = (values.format ?? 'text') as ReportFormat;
  if (!formats.includes(format)) throw usageError(`--format must be one of ${formats.join(', ')} (got '${values.format}')`);
  const inputFormat = values['input-format'];
  if (inputFormat !== undefined && !isInputKind(inputFormat)) throw usageError(`--input-format must be one of ${inputKinds.join(', ')} (got '${inputFormat}')`);
  const failOn = parseFailOn(values['fail-on']);
  const maxFailures = parseCount('max-failures', values['max-failures'], DEFAULT_MAX_FAILURES, 0);
  const maxLineBytes = parseCount('max-line-bytes', values['max-line-bytes'], DEFAULT_MAX_LINE_BYTES, 1);
  if (positionals.length === 0) throw usageError('no input: give one or more files, or - to read stdin');

  const keys = await loadVerifyKeys(values.jwks ?? [ctx.env['KONNECT_AUDIT_JWKS'] ?? DEFAULT_JWKS_URL], ctx.cwd);
  const progress = createProgress(ctx.stderr);
  let report: AuditReport;
  try {
    report = await runAudit({
      inputs: positionals,
      stdin: ctx.stdin,
      cwd: ctx.cwd,
      keys,
      maxLineBytes,
      maxFailures,
      ...(inputFormat === undefined ? {} : { inputFormat }),
      ...(values['raw-column'] === undefined ? {} : { rawColumn: values['raw-column'] }),
      ...(format === 'ndjson' ? { onVerdicts: (verdicts: BatchVerdicts) => writeOut(ctx.stdout, ndjsonOf(verdicts)) } : {}),
      onProgress: (snapshot) => progress.update(snapshot),
    });
  } finally {
    progress.done();
  }
  if (format === 'json') await writeOut(ctx.stdout, `${JSON.stringify(report, null, 2)}\n`);
  else if (format === 'text') await writeOut(ctx.stdout, renderTextReport(report, failOn));
  else ctx.stderr.write(summaryLine(report));
  return exitCodeOf(report, failOn);
};

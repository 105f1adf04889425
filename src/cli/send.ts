/**
 * @module cli/send
 * `konnect-audit send`: plays Konnect against a receiver. Signs generated
 * Konnect-shaped lines with a private JWK (or sends a file's lines as they
 * are), gzips them into batches and POSTs them with Konnect's headers and
 * retry rules. Exit 0 when every batch was accepted in the end, 1 when one
 * was not, 2 for usage or I/O errors. The Authorization value is never printed.
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KarError } from '../errors/index.js';
import {
  buildBatches,
  createTarget,
  formatBatchResult,
  formatRetry,
  formatTotals,
  konnectRetryPolicy,
  generateSignedLines,
  readSigningKey,
  sendBatches,
  totalsOf,
  type BatchResult,
} from '../sender/index.js';
import { parseOptionArgs, usageError } from './args.js';
import type { CliContext, Command } from './context.js';

const usage = `Usage: konnect-audit send --url URL --authorization VALUE --key PRIVATE_JWK_FILE [options]

Plays Konnect: signed, gzip-compressed batches (Content-Encoding: application/gzip)
with Konnect's retry rules (only on connection errors, 500 and 429; 1 s to 30 s;
at most 4 retries).

  --url URL               the receiver's endpoint (https://host:port/audit-logs)
  --authorization VALUE   sent verbatim in Authorization (default: $KONNECT_AUDIT_AUTHORIZATION)
  --key FILE              private Ed25519 JWK to sign with (konnect-audit keys generate)
  --format cef|json       line format to generate (default cef)
  --count N               lines to generate (default 100)
  --batch N               lines per batch (default 50)
  --seed N                same seed, same lines (default: random and dated now, so not duplicates)
  --tamper N              alter N lines after signing, so they fail verification
  --replay                send every batch a second time (a Konnect replay job: duplicates)
  --file LINES            send this file's lines as they are (no signing; --key not needed)
  --concurrency N         batches in flight (default 1)
  --ca FILE               trust this CA certificate (PEM)
  --insecure              skip TLS certificate verification (self-signed test certificates)
  --format-output text|json  report format (default text)
`;

interface SendArgs {
  readonly url: string;
  readonly authorization: string;
  readonly key: string | undefined;
  readonly format: 'cef' | 'json';
  readonly count: number;
  readonly batch: number;
  /** Undefined: a random seed and the current time, so a new run is not a duplicate of the last. */
  readonly seed: number | undefined;
  readonly tamper: number;
  readonly replay: boolean;
  readonly file: string | undefined;
  readonly concurrency: number;
  readonly ca: string | undefined;
  readonly insecure: boolean;
  readonly output: 'text' | 'json';
}

export const sendCommand: Command = async (ctx) => {
  const args = parseSendArgs(ctx);
  if (args === 'help') {
    ctx.stdout.write(usage);
    return 0;
  }
  const lines = args.file === undefined ? await generatedLines(args, ctx) : await fileLines(resolve(ctx.cwd, args.file));
  const batches = buildBatches({ lines, batchSize: args.batch, tamper: args.tamper });
  const ca = args.ca === undefined ? undefined : await readInput(resolve(ctx.cwd, args.ca), 'the --ca file');
  if (args.insecure) ctx.stderr.write('warning: --insecure: the receiver\'s TLS certificate is not verified (only for self-signed test certificates)\n');
  const target = createTarget({ url: args.url, authorization: args.authorization, insecure: args.insecure, maxSockets: args.concurrency, ...(ca === undefined ? {} : { ca }) });
  if (target.url.protocol === 'http:') ctx.stderr.write('warning: plain http://: Konnect itself only delivers to HTTPS endpoints\n');

  const text = args.output === 'text';
  const pass = async (label: string): Promise<BatchResult[]> =>
    sendBatches(batches, target, {
      concurrency: args.concurrency,
      onAttempt: (batch, attempt) => {
        if (text && attempt.waitMs !== undefined) ctx.stderr.write(`${formatRetry(batch.index, batches.length, attempt, konnectRetryPolicy.maxRetries)}\n`);
      },
      onResult: (result) => {
        if (text) ctx.stdout.write(`${formatBatchResult(result, batches.length, label)}\n`);
      },
    });
  let results: BatchResult[];
  let replayed: BatchResult[] = [];
  try {
    if (text) ctx.stdout.write(`sending ${lines.length} lines in ${batches.length} batches to ${target.display}\n`);
    results = await pass('batch');
    if (args.replay) replayed = await pass('replay');
  } finally {
    target.close();
  }

  const totals = totalsOf([...results, ...replayed]);
  if ([...results, ...replayed].some((r) => r.error !== undefined && /certificate|CERT/.test(r.error))) {
    ctx.stderr.write('hint: the receiver\'s TLS certificate did not verify: trust its CA with --ca FILE (or, for a self-signed test certificate, --insecure)\n');
  }
  if (text) {
    ctx.stdout.write(`${formatTotals(totals)}\n`);
  } else {
    ctx.stdout.write(`${JSON.stringify({ url: target.display, batches: results.map(jsonOf), replayed: replayed.map(jsonOf), total: totals }, null, 2)}\n`);
  }
  return totals.failedBatches > 0 ? 1 : 0;
};

function jsonOf(r: BatchResult): Record<string, unknown> {
  return {
    batch: r.index + 1,
    lines: r.lines,
    tampered: r.tampered,
    accepted: r.accepted,
    status: r.status ?? null,
    error: r.error ?? null,
    summary: r.summary ?? null,
    answer: r.answer ?? null,
    attempts: r.attempts.map((a) => ({ status: a.status ?? null, error: a.error ?? null, wait_ms: a.waitMs ?? null })),
  };
}

function parseSendArgs(ctx: CliContext): SendArgs | 'help' {
  // cli/args names options in its complaints, never a value: --authorization is a secret.
  const values = parseOptionArgs(ctx.argv, {
    url: { type: 'string' },
    authorization: { type: 'string' },
    key: { type: 'string' },
    format: { type: 'string' },
    count: { type: 'string' },
    batch: { type: 'string' },
    seed: { type: 'string' },
    tamper: { type: 'string' },
    replay: { type: 'boolean' },
    file: { type: 'string' },
    concurrency: { type: 'string' },
    ca: { type: 'string' },
    insecure: { type: 'boolean' },
    'format-output': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const problems: string[] = [];
  const url = values.url;
  const authorization = values.authorization ?? ctx.env['KONNECT_AUDIT_AUTHORIZATION'];
  if (url === undefined) problems.push('--url is required');
  if (authorization === undefined) problems.push('--authorization (or KONNECT_AUDIT_AUTHORIZATION) is required');
  if (values.key === undefined && values.file === undefined) problems.push('--key is required (or --file to send lines as they are)');
  const format = values.format ?? 'cef';
  if (format !== 'cef' && format !== 'json') problems.push(`--format must be cef or json, got '${format}'`);
  const output = values['format-output'] ?? 'text';
  if (output !== 'text' && output !== 'json') problems.push(`--format-output must be text or json, got '${output}'`);
  const int = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      problems.push(`--${name} must be an integer >= ${min}, got '${text}'`);
      return fallback;
    }
    return n;
  };
  const count = int('count', values.count, 100, 1);
  const batch = int('batch', values.batch, 50, 1);
  const seed = values.seed === undefined ? undefined : int('seed', values.seed, 0, 0);
  const tamper = int('tamper', values.tamper, 0, 0);
  const concurrency = int('concurrency', values.concurrency, 1, 1);
  if (values.file === undefined && tamper > count) problems.push(`--tamper (${tamper}) cannot exceed --count (${count})`);
  if (values.insecure && values.ca !== undefined) problems.push('--insecure and --ca exclude each other');
  if (problems.length > 0 || url === undefined || authorization === undefined) throw usageError(problems.join('; '));
  return {
    url,
    authorization,
    key: values.key,
    format: format as 'cef' | 'json',
    count,
    batch,
    seed,
    tamper,
    replay: values.replay ?? false,
    file: values.file,
    concurrency,
    ca: values.ca,
    insecure: values.insecure ?? false,
    output: output as 'text' | 'json',
  };
}

async function generatedLines(args: SendArgs, ctx: CliContext): Promise<string[]> {
  const keyPath = resolve(ctx.cwd, args.key as string);
  const key = await readSigningKey(keyPath);
  // Lines are at most 900 ms apart (testing/konnect-lines): starting this far back keeps every event in the past.
  const fresh = args.seed === undefined ? { seed: randomInt(2 ** 31), startMs: Date.now() - args.count * 900 } : { seed: args.seed };
  return generateSignedLines({ format: args.format, count: args.count, key, ...fresh });
}

async function fileLines(path: string): Promise<string[]> {
  const text = await readInput(path, 'the --file');
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line)).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw usageError(`${path}: no lines to send`);
  return lines;
}

async function readInput(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new KarError('KAR_ERR_IO_READ', `${what} ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

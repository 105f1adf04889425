/**
 * @module cli/demo
 * `konnect-audit demo`: the whole path on loopback, offline, in a few
 * seconds (see docs/DEMO.md). Exit 0 when every batch was accepted and every
 * accepted event reached the file sink; otherwise one line and exit 1.
 */
import { resolve } from 'node:path';
import { formatDemoSummary } from '../demo/summary.js';
import { runDemo } from '../demo/run-demo.js';
import { createLogger } from '../observability/logger.js';
import { parseOptionArgs } from './args.js';
import type { Command } from './context.js';

const usage = `Usage: konnect-audit demo [--dir DIR] [--verbose]

Starts a receiver on 127.0.0.1 (TLS, a generated key pair, token and certificate,
a file sink), plays Konnect against it (CEF and JSON batches, gzip, tampered lines,
a replayed batch), prints what happened and where the events are, and stops.
Offline; nothing leaves the machine.

  --dir DIR    the demo directory, recreated on every run (default ./demo-output)
  --verbose    the receiver's logs on stderr
`;

export const demoCommand: Command = async (ctx) => {
  const values = parseOptionArgs(ctx.argv, { dir: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    ctx.stdout.write(usage);
    return 0;
  }
  const dir = resolve(ctx.cwd, values.dir ?? 'demo-output');
  const logger = values.verbose ? createLogger({ level: 'info', destination: ctx.stderr }) : undefined;
  const report = await runDemo({ dir, ...(logger === undefined ? {} : { logger }) });
  ctx.stdout.write(formatDemoSummary(report, ctx.cwd));
  return 0;
};

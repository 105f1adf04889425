#!/usr/bin/env node
/**
 * @module cli/main
 * `konnect-audit <command>`: finds the command, runs it, turns any error into
 * one line for a person and an exit code. No stack trace reaches a user
 * unless KONNECT_AUDIT_DEBUG is set.
 */
import { isKarError } from '../errors/index.js';
import type { CliContext, Command } from './context.js';

/** The only list of commands: one file each, loaded when used. */
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'run the receiver Konnect posts audit batches to', load: async () => (await import('./serve.js')).serveCommand },
  demo: { summary: 'the whole path on generated keys, offline, on loopback', load: async () => (await import('./demo.js')).demoCommand },
  parse: { summary: 'audit lines -> normalized NDJSON on stdout', load: async () => (await import('./parse.js')).parseCommand },
  verify: { summary: 'signature audit of exported logs (raw, .gz, NDJSON, Splunk, Sumo Logic)', load: async () => (await import('./verify.js')).verifyCommand },
  keys: { summary: 'keys fetch --region us|eu|au | keys generate --out DIR', load: async () => (await import('./keys.js')).keysCommand },
  send: { summary: 'play Konnect: signed gzip batches with its retry rules', load: async () => (await import('./send.js')).sendCommand },
  quarantine: { summary: 'list | export | retry lines that failed verification', load: async () => (await import('./quarantine.js')).quarantineCommand },
  'dead-letter': { summary: 'list | export | retry events a sink rejected for good', load: async () => (await import('./dead-letter.js')).deadLetterCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage: konnect-audit <command> [options]', '', 'Commands:', ...lines, '', 'Run `konnect-audit <command> --help` for its options.', ''].join('\n');
}

export async function runCli(ctx: CliContext): Promise<number> {
  const [name, ...rest] = ctx.argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    const { version } = await import('../version.js');
    ctx.stdout.write(`${version}\n`);
    return 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    ctx.stderr.write(`konnect-audit: unknown command '${name}' (KAR_ERR_USAGE)\n${usage()}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command({ ...ctx, argv: rest });
  } catch (error) {
    return reportError(ctx, name, error);
  }
}

export function reportError(ctx: Pick<CliContext, 'stderr' | 'env'>, command: string, error: unknown): number {
  if (isKarError(error)) {
    ctx.stderr.write(`konnect-audit ${command}: ${error.message} (${error.code})\n`);
    if (ctx.env['KONNECT_AUDIT_DEBUG']) ctx.stderr.write(`${error.stack ?? ''}\n`);
    return error.spec.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(`konnect-audit ${command}: internal error: ${message} (KAR_ERR_INTERNAL); set KONNECT_AUDIT_DEBUG=1 for details\n`);
  if (ctx.env['KONNECT_AUDIT_DEBUG'] && error instanceof Error) ctx.stderr.write(`${error.stack ?? ''}\n`);
  return 1;
}

/**
 * @module cli/context
 * What a command gets: its arguments and its streams, so that tests can run a
 * command in-process and read what it printed.
 */
import type { Readable, Writable } from 'node:stream';

export interface CliContext {
  readonly argv: readonly string[];
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** A command: resolves to its exit code (0 ok, 1 findings, 2 usage or I/O error). */
export type Command = (ctx: CliContext) => Promise<number>;

export function processContext(argv: readonly string[]): CliContext {
  return { argv, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

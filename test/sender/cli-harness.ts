/** Runs a CLI command in-process and keeps what it printed. */
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runInProcess(argv: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await runCli({ argv, stdin: new PassThrough(), stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? process.cwd() });
  return { code, stdout: out, stderr: err };
}

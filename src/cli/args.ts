/**
 * @module cli/args
 * What every command does with its arguments: node's `parseArgs`, strict,
 * with its complaints turned into one `KAR_ERR_USAGE` line (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KarError } from '../errors/index.js';

export function usageError(message: string): KarError {
  return new KarError('KAR_ERR_USAGE', `${message}; see --help`);
}

type Options = NonNullable<ParseArgsConfig['options']>;
type StrictConfig<O extends Options> = { args: string[]; allowPositionals: true; strict: true; options: O };
export type ParsedCommandArgs<O extends Options> = ReturnType<typeof parseArgs<StrictConfig<O>>>;

/** Strict parsing with positionals allowed; an unknown option or a missing value is a usage error. */
export function parseCommandArgs<const O extends Options>(argv: readonly string[], options: O): ParsedCommandArgs<O> {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

/** The `list | export | retry` subcommand of `quarantine` and `dead-letter`, with nothing after it. */
export function storeSubcommand(positionals: readonly string[]): 'list' | 'export' | 'retry' {
  const [sub, ...extra] = positionals;
  if (sub !== 'list' && sub !== 'export' && sub !== 'retry') throw usageError(sub === undefined ? 'say list, export or retry' : `unknown subcommand '${sub}' (list, export or retry)`);
  if (extra.length > 0) throw usageError(`unexpected argument '${extra[0] ?? ''}'`);
  return sub;
}

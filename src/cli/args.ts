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
type StrictConfig<O extends Options, P extends boolean> = { args: string[]; allowPositionals: P; strict: true; options: O };
export type ParsedCommandArgs<O extends Options> = ReturnType<typeof parseArgs<StrictConfig<O, true>>>;
export type ParsedOptionValues<O extends Options> = ReturnType<typeof parseArgs<StrictConfig<O, false>>>['values'];

/** Strict parsing with positionals allowed; an unknown option or a missing value is a usage error. */
export function parseCommandArgs<const O extends Options>(argv: readonly string[], options: O): ParsedCommandArgs<O> {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw usageErrorOf(error);
  }
}

/** The same for a command that takes options only: an argument that belongs to no option is a usage error too. */
export function parseOptionArgs<const O extends Options>(argv: readonly string[], options: O): ParsedOptionValues<O> {
  try {
    return parseArgs({ args: [...argv], allowPositionals: false, strict: true, options }).values;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw unexpectedArgument(argv, options);
    throw usageErrorOf(error);
  }
}

/** The subcommand `word` names, one of `names`; none or another is a usage error that lists them. */
export function subcommandOf<const N extends string>(word: string | undefined, names: readonly [N, ...N[]]): N {
  const found = names.find((name) => name === word);
  if (found !== undefined) return found;
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] ?? ''}`;
  throw usageError(word === undefined ? `missing subcommand (${list})` : `unknown subcommand '${word}' (${list})`);
}

/** The `list | export | retry` subcommand of `quarantine` and `dead-letter`, with nothing after it. */
export function storeSubcommand(positionals: readonly string[]): 'list' | 'export' | 'retry' {
  const [sub, ...extra] = positionals;
  const found = subcommandOf(sub, ['list', 'export', 'retry']);
  if (extra.length > 0) throw usageError(`unexpected argument '${extra[0] ?? ''}'`);
  return found;
}

/** node's message, on one line: some span three ("Option '--url' argument is ambiguous.\nDid you forget…"). */
function usageErrorOf(error: unknown): KarError {
  return usageError((error as Error).message.replace(/\s*\n\s*/g, ' ').replace(/\.$/, ''));
}

/**
 * Says where a stray argument stands, never what it is: it is most often the
 * rest of an unquoted value (`--authorization Bearer xyz`), which may be a
 * secret. node's own message would quote it.
 */
function unexpectedArgument(argv: readonly string[], options: Options): KarError {
  let after = '';
  try {
    const { tokens } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options, tokens: true });
    const stray = tokens.findIndex((token) => token.kind === 'positional');
    const option = stray < 0 ? undefined : tokens.slice(0, stray).findLast((token) => token.kind === 'option');
    if (option?.kind === 'option') after = ` after ${option.rawName}`;
  } catch {
    // A later argument is wrong too: the first problem is reported, less precisely.
  }
  return usageError(`unexpected argument${after}: this command takes options only (quote a value that holds spaces)`);
}

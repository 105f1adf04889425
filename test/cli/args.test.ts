import { describe, expect, it } from 'vitest';
import { parseCommandArgs, parseOptionArgs, storeSubcommand, subcommandOf } from '../../src/cli/args.js';

const options = { url: { type: 'string' }, replay: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** The KarError a call must throw. */
const usage = (message: string): unknown => expect.objectContaining({ code: 'KAR_ERR_USAGE', message });

describe('parseCommandArgs and parseOptionArgs: node parseArgs complaints as one KAR_ERR_USAGE line', () => {
  it.each([
    ['an unknown option', ['--nope'], "Unknown option '--nope'; see --help"],
    ['an unknown option with a value: the value is not quoted', ['--nope=s3cr3t'], "Unknown option '--nope'; see --help"],
    ['an unknown short option', ['-x'], "Unknown option '-x'; see --help"],
    ['a missing value', ['--url'], "Option '--url <value>' argument missing; see --help"],
    ['a value that looks like an option: node says it on three lines', ['--url', '--replay'], "Option '--url' argument is ambiguous. Did you forget to specify the option argument for '--url'? To specify an option argument starting with a dash use '--url=-XYZ'; see --help"],
    ['a value given to a boolean', ['--replay=yes'], "Option '--replay' does not take an argument; see --help"],
  ])('options only: %s', (_quirk, argv, message) => {
    expect(() => parseOptionArgs(argv, options)).toThrow(usage(message));
  });

  it.each([
    ['after an option with a value (the rest of an unquoted --authorization)', ['--url', 'Bearer', 's3cr3t'], 'unexpected argument after --url: this command takes options only (quote a value that holds spaces); see --help'],
    ['after an option written with =', ['--url=Bearer', 's3cr3t'], 'unexpected argument after --url: this command takes options only (quote a value that holds spaces); see --help'],
    ['first', ['s3cr3t', '--replay'], 'unexpected argument: this command takes options only (quote a value that holds spaces); see --help'],
    ['before a second problem', ['--replay', 's3cr3t', '--nope'], 'unexpected argument: this command takes options only (quote a value that holds spaces); see --help'],
  ])('options only: a stray argument %s is placed, never quoted', (_quirk, argv, message) => {
    expect(message).not.toContain('s3cr3t');
    expect(() => parseOptionArgs(argv, options)).toThrow(usage(message));
  });

  it('options only: gives the typed values', () => {
    expect(parseOptionArgs(['--url', 'https://x/', '-h'], options)).toEqual({ url: 'https://x/', help: true });
  });

  it('with positionals: gives values and positionals, and complaints on one line', () => {
    expect(parseCommandArgs(['a', '--replay', 'b'], options)).toEqual({ values: { replay: true }, positionals: ['a', 'b'] });
    expect(() => parseCommandArgs(['--url', '-h'], options)).toThrow(usage(expect.not.stringContaining('\n') as string));
  });
});

describe('subcommandOf and storeSubcommand', () => {
  it.each([
    ['none', undefined, 'missing subcommand (fetch or generate); see --help'],
    ['another word', 'rotate', "unknown subcommand 'rotate' (fetch or generate); see --help"],
    ['an option in its place', '--frob', "unknown subcommand '--frob' (fetch or generate); see --help"],
  ])('refuses %s, listing the subcommands', (_quirk, word, message) => {
    expect(() => subcommandOf(word, ['fetch', 'generate'])).toThrow(usage(message));
  });

  it('gives the subcommand it names', () => {
    expect(subcommandOf('generate', ['fetch', 'generate'])).toBe('generate');
  });

  it.each([
    ['no subcommand', [], 'missing subcommand (list, export or retry); see --help'],
    ['an argument after it', ['list', 'all'], "unexpected argument 'all'; see --help"],
  ])('store subcommand: refuses %s', (_quirk, positionals, message) => {
    expect(() => storeSubcommand(positionals)).toThrow(usage(message));
  });
});

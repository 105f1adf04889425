import { describe, expect, it } from 'vitest';
import { parseServeFlags } from '../../src/config/index.js';

/** The KarError a call must throw: the shared usage line of cli/args. */
const usage = (message: string): unknown => expect.objectContaining({ code: 'KAR_ERR_USAGE', message: `${message}; see --help` });

describe('parseServeFlags: command-line problems are the shared usage line (KAR_ERR_USAGE, exit 2)', () => {
  it.each([
    ['an unknown option', ['--prot', '1'], "Unknown option '--prot'"],
    ['an unknown option with a value: the value is not quoted', ['--prot=s3cr3t'], "Unknown option '--prot'"],
    ['an unknown short option', ['-p', '1'], "Unknown option '-p'"],
    ['a missing value', ['--insecure-http', '--port'], "Option '--port <value>' argument missing"],
    ['a value that looks like an option', ['--tls-cert', '--tls-key', 'key.pem'], "Option '--tls-cert' argument is ambiguous. Did you forget to specify the option argument for '--tls-cert'? To specify an option argument starting with a dash use '--tls-cert=-XYZ'"],
    ['an integer setting given a word', ['--port', 'eighty'], "Option '--port' takes a whole number (got 'eighty')"],
    ['an integer setting given a unit', ['--max-body-bytes=16MiB'], "Option '--max-body-bytes' takes a whole number (got '16MiB')"],
    ['a boolean setting given a word it cannot read', ['--insecure-http=maybe'], "Option '--insecure-http' takes no value, or one of true, false, 1, 0, yes, no, on, off (got 'maybe')"],
    ['a value given to --help', ['--help=yes'], "Option '-h, --help' does not take an argument"],
    ['a stray argument: placed, never quoted', ['--host', '127.0.0.1', 's3cr3t'], 'unexpected argument after --host: this command takes options only (quote a value that holds spaces)'],
    ['an option after --', ['--', '--insecure-http'], 'unexpected argument: this command takes options only (quote a value that holds spaces)'],
    ['Authorization on the command line', ['--authorization', 'Bearer s3cr3t'], "Unknown option '--authorization' (Authorization values are secrets: use KONNECT_AUDIT_AUTHORIZATION or --authorization-file)"],
    ['Authorization written with =', ['--port', '1', '--authorization=Bearer s3cr3t'], "Unknown option '--authorization' (Authorization values are secrets: use KONNECT_AUDIT_AUTHORIZATION or --authorization-file)"],
  ])('refuses %s', (_quirk, argv, message) => {
    expect(message).not.toContain('s3cr3t');
    expect(() => parseServeFlags(argv)).toThrow(usage(message));
  });

  it('reads --help, --config and bare boolean flags', () => {
    const flags = parseServeFlags(['--help', '--config', 'c.json', '--insecure-http', '--port=1']);
    expect(flags.help).toBe(true);
    expect(flags.configFile).toBe('c.json');
    expect(flags.values.get('insecureHttp')).toEqual(['true']);
    expect(flags.values.get('port')).toEqual(['1']);
  });

  it.each([
    ['-h for --help', ['-h'], { help: true, configFile: undefined, values: {} }],
    ['the last --config', ['--config', 'a.json', '--config=b.json'], { help: false, configFile: 'b.json', values: {} }],
    ['a boolean written with a value', ['--allow-unauthenticated=no'], { help: false, configFile: undefined, values: { allowUnauthenticated: ['no'] } }],
    ['--sink repeated, in order', ['--sink', 'stdout', '--sink=blackhole'], { help: false, configFile: undefined, values: { sinks: ['stdout', 'blackhole'] } }],
    ['a repeated setting: every value (the loader takes the last)', ['--port', '1', '--port=2'], { help: false, configFile: undefined, values: { port: ['1', '2'] } }],
    ['an integer out of range or negative (the loader refuses it, with the other problems)', ['--port=-1', '--max-line-bytes', '99999999999999999999'], { help: false, configFile: undefined, values: { port: ['-1'], maxLineBytes: ['99999999999999999999'] } }],
    ['spaces around an integer or a boolean word (the loader trims)', ['--port', ' 8443 ', '--insecure-http= Yes '], { help: false, configFile: undefined, values: { port: [' 8443 '], insecureHttp: [' Yes '] } }],
    ['a PEM given inline with =', ['--tls-key=-----BEGIN PRIVATE KEY-----'], { help: false, configFile: undefined, values: { tlsKey: ['-----BEGIN PRIVATE KEY-----'] } }],
  ])('reads %s', (_case, argv, expected) => {
    const { values, ...rest } = parseServeFlags(argv);
    expect({ ...rest, values: Object.fromEntries(values) }).toEqual(expected);
  });
});

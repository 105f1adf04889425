import { createPrivateKey, sign, verify } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { generateKeyPair, jwksOf, parseJwks } from '../../src/verify/index.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(argv: string[], cwd: string): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli({ argv, stdin: new PassThrough(), stdout, stderr, env: {}, cwd });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

let dir: string;
let server: JwksServer;
const konnectKey = generateKeyPair({ kid: 'konnect-2025' }).publicJwk;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kar-keys-cli-'));
  server = await startJwksServer(jwksOf([konnectKey]));
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('konnect-audit keys generate', () => {
  it('writes a test key pair: private JWK (0600), JWKS, README, and prints the kid', async () => {
    const result = await run(['keys', 'generate', '--out', 'k'], dir);
    expect(result.code).toBe(0);
    const kid = result.stdout.trim();
    expect(kid).toMatch(/^test-[A-Za-z0-9_-]{43}$/);
    expect(result.stderr).toContain('TEST KEYS');
    expect((await readdir(join(dir, 'k'))).sort()).toEqual(['README.txt', 'jwks.json', 'private.jwk.json']);
    expect((await stat(join(dir, 'k', 'private.jwk.json'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'k', 'README.txt'), 'utf8')).toContain('NEVER FOR PRODUCTION');

    const privateJwk = JSON.parse(await readFile(join(dir, 'k', 'private.jwk.json'), 'utf8')) as Record<string, string>;
    expect(privateJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid });
    const jwksText = await readFile(join(dir, 'k', 'jwks.json'), 'utf8');
    expect(jwksText).not.toContain(privateJwk['d']);
    const [key] = parseJwks(jwksText);
    expect(key?.kid).toBe(kid);

    const message = Buffer.from('{"a":1}');
    const signature = sign(null, message, createPrivateKey({ key: privateJwk, format: 'jwk' }));
    expect(verify(null, message, key!.key, signature)).toBe(true);
  });

  it('--kid sets the key id', async () => {
    const result = await run(['keys', 'generate', '--out', dir, '--kid', 'my-test-key'], dir);
    expect(result.stdout).toBe('my-test-key\n');
    expect(parseJwks(await readFile(join(dir, 'jwks.json'), 'utf8'))[0]?.kid).toBe('my-test-key');
  });

  it('refuses to replace an existing key pair (KAR_ERR_IO_WRITE, exit 2), replaces it with --force', async () => {
    const first = await run(['keys', 'generate', '--out', dir], dir);
    const again = await run(['keys', 'generate', '--out', dir], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/private\.jwk\.json exists; use --force to replace it \(KAR_ERR_IO_WRITE\)\n$/);
    expect(parseJwks(await readFile(join(dir, 'jwks.json'), 'utf8'))[0]?.kid).toBe(first.stdout.trim());

    const forced = await run(['keys', 'generate', '--out', dir, '--force'], dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).not.toBe(first.stdout);
    expect(parseJwks(await readFile(join(dir, 'jwks.json'), 'utf8'))[0]?.kid).toBe(forced.stdout.trim());
    expect((await stat(join(dir, 'private.jwk.json'))).mode & 0o777).toBe(0o600);
  });

  it('an --out that is a file: KAR_ERR_IO_WRITE, one line, exit 2', async () => {
    await writeFile(join(dir, 'file'), 'x');
    const result = await run(['keys', 'generate', '--out', 'file'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^konnect-audit keys: .* \(KAR_ERR_IO_WRITE\)\n$/);
  });
});

describe('konnect-audit keys fetch (against a loopback JWKS server, never konghq.com)', () => {
  it('prints the JWKS and lists its keys on stderr', async () => {
    const result = await run(['keys', 'fetch', '--url', server.url], dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(jwksOf([konnectKey]));
    expect(result.stderr).toContain('1 usable Ed25519 key from http://127.0.0.1:');
    expect(result.stderr).toContain('konnect-2025');
  });

  it('--out writes the JWKS verbatim and reports the ignored keys', async () => {
    const text = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'rsa-1', n: 'AQAB', e: 'AQAB' }, konnectKey] }, null, 2);
    server.setJwks(text);
    const result = await run(['keys', 'fetch', '--url', server.url, '--out', 'jwks.json'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(await readFile(join(dir, 'jwks.json'), 'utf8')).toBe(text);
    expect(result.stderr).toContain('ignored key #0 (kid rsa-1): kty "RSA" is not OKP');
  });

  it.each([
    ['no usable key', () => server.setJwks({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'ec' }] }), 'KAR_ERR_KEYS_NONE_USABLE'],
    ['not a JWKS', () => server.setJwks('<html></html>'), 'KAR_ERR_KEYS_INVALID_JWKS'],
    ['HTTP 500', () => server.setStatus(500), 'KAR_ERR_KEYS_FETCH_FAILED'],
  ])('%s: one line naming the code, exit 2, nothing written', async (_quirk, arrange, code) => {
    arrange();
    const result = await run(['keys', 'fetch', '--url', server.url, '--out', 'jwks.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').pop()).toMatch(new RegExp(`^konnect-audit keys: .*\\(${code}\\)$`));
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['--region and --url together', ['--region', 'eu', '--url', 'https://example.invalid/jwks.json']],
    ['an unknown region', ['--region', 'mars']],
    ['an unknown option', ['--regoin', 'us']],
    ['a bad timeout', ['--timeout-ms', 'soon']],
    ['a positional argument', ['us']],
    ['a file path as --url', ['--url', 'jwks.json']],
  ])('usage error (KAR_ERR_USAGE, exit 2, no fetch): %s', async (_quirk, args) => {
    const result = await run(['keys', 'fetch', ...args], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^konnect-audit keys: .* \(KAR_ERR_USAGE\)\n$/);
    expect(server.requests()).toBe(0);
  });

  it('plain http off loopback is refused before any connection (KAR_ERR_CONFIG_INVALID, exit 2)', async () => {
    const result = await run(['keys', 'fetch', '--url', 'http://example.invalid/jwks.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(KAR_ERR_CONFIG_INVALID)');
  });
});

describe('konnect-audit keys: help and usage', () => {
  it.each([
    [['keys', '--help'], 'keys fetch'],
    [['keys', 'fetch', '--help'], '--region R'],
    [['keys', 'generate', '-h'], '--out DIR'],
  ])('%j prints its usage and exits 0', async (argv, text) => {
    const result = await run(argv, dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(text);
  });

  it.each([
    ['fetch: an unknown option', ['keys', 'fetch', '--regoin', 'us'], "Unknown option '--regoin'"],
    ['fetch: a missing value', ['keys', 'fetch', '--url'], "Option '--url <value>' argument missing"],
    ['fetch: an option where a value belongs', ['keys', 'fetch', '--out', '--url', 'https://x/'], "Option '--out' argument is ambiguous. Did you forget to specify the option argument for '--out'? To specify an option argument starting with a dash use '--out=-XYZ'"],
    ['fetch: a stray argument (placed, not quoted)', ['keys', 'fetch', '--region', 'us', 'eu'], 'unexpected argument after --region: this command takes options only (quote a value that holds spaces)'],
    ['generate: an unknown option', ['keys', 'generate', '--out', 'k', '--fore'], "Unknown option '--fore'"],
    ['generate: a missing value', ['keys', 'generate', '--out'], "Option '--out <value>' argument missing"],
    ['generate: a value given to --force', ['keys', 'generate', '--out', 'k', '--force=yes'], "Option '--force' does not take an argument"],
    ['generate: no --out', ['keys', 'generate'], '--out DIR is required'],
    ['no subcommand', ['keys'], 'missing subcommand (fetch or generate)'],
    ['an unknown subcommand', ['keys', 'rotate'], "unknown subcommand 'rotate' (fetch or generate)"],
  ])('%s: the shared usage line (cli/args), exit 2, nothing done', async (_quirk, argv, message) => {
    const result = await run(argv, dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`konnect-audit keys: ${message}; see --help (KAR_ERR_USAGE)\n`);
    expect(await readdir(dir)).toEqual([]);
    expect(server.requests()).toBe(0);
  });
});

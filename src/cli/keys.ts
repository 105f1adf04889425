/**
 * @module cli/keys
 * `konnect-audit keys fetch`: downloads Konnect's JWKS for a region (or a
 * given URL), checks that it holds at least one usable Ed25519 key, and
 * writes it or prints it (for an offline `verify --jwks FILE`, or to seed the
 * receiver's cache).
 * `konnect-audit keys generate`: a TEST key pair in Konnect's JWK shape, for
 * `send`, `demo` and local trials. Never for production.
 */
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { KarError } from '../errors/index.js';
import {
  DEFAULT_FETCH_TIMEOUT_MS,
  describeJwksSource,
  generateKeyPair,
  inspectJwks,
  isKonnectRegion,
  jwksOf,
  jwksUrlForRegion,
  konnectRegions,
  readJwksText,
  resolveJwksSource,
  type JwksSource,
} from '../verify/index.js';
import { parseOptionArgs, subcommandOf, usageError } from './args.js';
import type { CliContext, Command } from './context.js';

const usage = `Usage: konnect-audit keys <fetch|generate> [options]

  keys fetch [--region us|eu|au | --url URL] [--out FILE] [--timeout-ms N]
      Downloads Konnect's audit-log JWKS (default region: us), checks that it
      holds at least one usable Ed25519 key, and writes it to FILE verbatim
      (or prints it). The key list goes to stderr.

  keys generate --out DIR [--kid KID] [--force]
      Writes a TEST Ed25519 key pair: DIR/private.jwk.json (mode 0600, for
      \`send --key\`), DIR/jwks.json (for \`serve\`/\`verify --jwks\`) and
      DIR/README.txt, and prints the kid. Never for production.
`;

const fetchUsage = `Usage: konnect-audit keys fetch [--region us|eu|au | --url URL] [--out FILE] [--timeout-ms N]

  --region R       Konnect region: ${konnectRegions.join(', ')} (default us)
  --url URL        fetch this JWKS URL instead (https; plain http on loopback only)
  --out FILE       write the JWKS here (verbatim) instead of printing it
  --timeout-ms N   give up after N ms (default ${DEFAULT_FETCH_TIMEOUT_MS})
`;

const generateUsage = `Usage: konnect-audit keys generate --out DIR [--kid KID] [--force]

  --out DIR   directory for private.jwk.json, jwks.json and README.txt (created if needed)
  --kid KID   key id (default: test- + the key's RFC 7638 thumbprint)
  --force     replace existing files
The key pair is for tests only: its private half sits unencrypted on disk.
`;

const readme = (kid: string): string => `TEST KEYS - NEVER FOR PRODUCTION

Made by \`konnect-audit keys generate\`. kid: ${kid}

  private.jwk.json  the private Ed25519 key (JWK with "d"), mode 0600: signs lines
                    for \`konnect-audit send --key\` and tests.
  jwks.json         the public key as a JWKS: give it to \`serve\` (KONNECT_AUDIT_JWKS)
                    or \`verify --jwks\` to accept lines signed with the private key.

Real Konnect lines are signed by Kong; verify them against Konnect's JWKS
(\`konnect-audit keys fetch --region us|eu|au\`), never against this file.
`;

export const keysCommand: Command = async (ctx) => {
  const [sub, ...rest] = ctx.argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    ctx.stdout.write(usage);
    return 0;
  }
  return subcommandOf(sub, ['fetch', 'generate']) === 'fetch' ? fetchKeys(ctx, rest) : generateKeys(ctx, rest);
};

async function fetchKeys(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { region, url, out, 'timeout-ms': timeoutText, help } = parseOptionArgs(argv, {
    region: { type: 'string' },
    url: { type: 'string' },
    out: { type: 'string' },
    'timeout-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (help === true) {
    ctx.stdout.write(fetchUsage);
    return 0;
  }
  const problems: string[] = [];
  if (region !== undefined && url !== undefined) problems.push('--region and --url exclude each other');
  if (region !== undefined && !isKonnectRegion(region)) problems.push(`--region must be one of ${konnectRegions.join(', ')}, got '${region}'`);
  const timeoutMs = timeoutText === undefined ? DEFAULT_FETCH_TIMEOUT_MS : /^\d+$/.test(timeoutText) ? Number(timeoutText) : Number.NaN;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) problems.push(`--timeout-ms must be a positive integer, got '${timeoutText ?? ''}'`);
  if (out === '') problems.push('--out needs a file name');
  if (problems.length > 0) throw usageError(problems.join('; '));

  const source: JwksSource = resolveJwksSource(url ?? jwksUrlForRegion(region !== undefined && isKonnectRegion(region) ? region : 'us'));
  if (source.kind !== 'url') throw usageError(`--url must be an https URL, got '${url ?? ''}'`);
  const text = await readJwksText(source, { fetchTimeoutMs: timeoutMs });
  const { keys, ignored } = inspectJwks(text);
  for (const i of ignored) ctx.stderr.write(`ignored key #${i.index}${i.kid === undefined ? '' : ` (kid ${i.kid})`}: ${i.reason}\n`);
  if (keys.length === 0) throw new KarError('KAR_ERR_KEYS_NONE_USABLE', `the JWKS from ${describeJwksSource(source)} holds no usable Ed25519 key`);
  ctx.stderr.write(`${keys.length} usable Ed25519 key${keys.length === 1 ? '' : 's'} from ${describeJwksSource(source)}: ${keys.map((k) => k.kid).join(', ')}\n`);

  if (out === undefined) {
    ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return 0;
  }
  const target = resolve(ctx.cwd, out);
  await writeAtomically(target, text, 0o644);
  ctx.stderr.write(`wrote ${target}\n`);
  return 0;
}

async function generateKeys(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { out, kid, force: forceFlag, help } = parseOptionArgs(argv, {
    out: { type: 'string' },
    kid: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (help === true) {
    ctx.stdout.write(generateUsage);
    return 0;
  }
  if (out === undefined || out === '') throw usageError('--out DIR is required');
  if (kid === '') throw usageError('--kid cannot be empty');
  const force = forceFlag === true;

  const dir = resolve(ctx.cwd, out);
  const pair = generateKeyPair(kid === undefined ? {} : { kid });
  try {
    // The directory holds a private key: only its owner may list it when we create it.
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw ioError(dir, error);
  }
  const privatePath = join(dir, 'private.jwk.json');
  await writeNew(privatePath, `${JSON.stringify(pair.privateJwk, null, 2)}\n`, 0o600, force);
  await writeNew(join(dir, 'jwks.json'), `${JSON.stringify(jwksOf([pair.publicJwk]), null, 2)}\n`, 0o644, force);
  await writeNew(join(dir, 'README.txt'), readme(pair.kid), 0o644, force);
  ctx.stdout.write(`${pair.kid}\n`);
  ctx.stderr.write(`wrote ${privatePath} (mode 0600), ${join(dir, 'jwks.json')} and README.txt: TEST KEYS, never for production\n`);
  return 0;
}

/** Creates `path` (refusing to replace it unless `force`) with exactly `mode`. */
async function writeNew(path: string, text: string, mode: number, force: boolean): Promise<void> {
  try {
    await writeFile(path, text, { mode, flag: force ? 'w' : 'wx' });
    // `mode` applies only to a new file and is narrowed by the umask: set it either way.
    await chmod(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new KarError('KAR_ERR_IO_WRITE', `${path} exists; use --force to replace it`);
    throw ioError(path, error);
  }
}

/** Readers of `path` see the old file or the new one, never half of one. */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw ioError(path, error);
  }
}

function ioError(path: string, error: unknown): KarError {
  const code = (error as NodeJS.ErrnoException).code;
  return new KarError('KAR_ERR_IO_WRITE', `${path} cannot be written: ${code ?? (error as Error).message}`, { cause: error });
}

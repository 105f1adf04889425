/**
 * @module demo/prepare
 * The demo directory and everything the demo generates in it: a test key
 * pair and its JWKS, a random Authorization token, a self-signed TLS
 * certificate. The directory is recreated on every run, but only when it is
 * empty or was made by a previous demo (marker file): `--dir ~` must not
 * delete a home directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KarError } from '../errors/index.js';
import { generateKeyPair, jwksOf, type GeneratedKeyPair } from '../verify/keys-generate.js';
import { createDemoCertificate, type DemoCertificate } from './tls.js';

export const DEMO_MARKER = '.konnect-audit-demo';

export interface DemoPaths {
  readonly dir: string;
  readonly jwks: string;
  readonly privateJwk: string;
  readonly cert: string;
  readonly certKey: string;
  readonly events: string;
  readonly dataDir: string;
}

export interface DemoMaterial {
  readonly paths: DemoPaths;
  readonly keyPair: GeneratedKeyPair;
  /** `Bearer <32 random bytes>`: never printed. */
  readonly authorization: string;
  readonly certificate: DemoCertificate;
}

export function demoPaths(dir: string): DemoPaths {
  return {
    dir,
    jwks: join(dir, 'keys', 'jwks.json'),
    privateJwk: join(dir, 'keys', 'private.jwk.json'),
    cert: join(dir, 'tls', 'cert.pem'),
    certKey: join(dir, 'tls', 'key.pem'),
    events: join(dir, 'events.ndjson'),
    dataDir: join(dir, 'data'),
  };
}

export async function prepareDemo(dir: string): Promise<DemoMaterial> {
  await recreateDir(dir);
  const paths = demoPaths(dir);
  const keyPair = generateKeyPair();
  const certificate = await createDemoCertificate();
  const authorization = `Bearer ${randomBytes(32).toString('base64url')}`;
  await write(paths.privateJwk, `${JSON.stringify(keyPair.privateJwk, null, 2)}\n`, 0o600);
  await write(paths.jwks, `${JSON.stringify(jwksOf([keyPair.publicJwk]), null, 2)}\n`, 0o644);
  await write(paths.cert, certificate.cert, 0o644);
  await write(paths.certKey, certificate.key, 0o600);
  return { paths, keyPair, authorization, certificate };
}

async function recreateDir(dir: string): Promise<void> {
  const existing = await stat(dir).catch(() => undefined);
  if (existing !== undefined) {
    if (!existing.isDirectory()) throw new KarError('KAR_ERR_IO_WRITE', `${dir} exists and is not a directory: choose another --dir`);
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
      throw new KarError('KAR_ERR_IO_WRITE', `${dir} is not empty and was not made by the demo (no ${DEMO_MARKER}): choose another --dir or remove it`);
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new KarError('KAR_ERR_IO_WRITE', `cannot create ${dir}: ${error.code ?? error.message}`);
  });
  await write(join(dir, DEMO_MARKER), 'made by `konnect-audit demo`; recreated on every run\n', 0o644);
}

async function write(path: string, text: string, mode: number): Promise<void> {
  try {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text, { mode });
  } catch (error) {
    throw new KarError('KAR_ERR_IO_WRITE', `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

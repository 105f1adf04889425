/**
 * @module intake/tls
 * Reads the receiver's certificate and key once at start and checks that
 * they parse and belong together, so that a mistake is one clear message
 * (KAR_ERR_CONFIG_TLS, exit 2) instead of a handshake failure Konnect
 * reports as a connection error.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { TlsSource } from '../config/index.js';
import { KarError } from '../errors/index.js';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** When the leaf certificate expires. */
  readonly notAfter: Date;
  readonly subject: string;
}

function describe(source: TlsSource, what: string): string {
  return 'file' in source ? `${what} file ${source.file}` : `${what} PEM given inline`;
}

async function read(source: TlsSource, what: string): Promise<string> {
  if ('pem' in source) return source.pem.reveal();
  try {
    return await readFile(source.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new KarError('KAR_ERR_CONFIG_TLS', `the ${describe(source, what)} cannot be read (${code})`, { details: { file: source.file, code } });
  }
}

export async function loadTlsMaterial(tls: { readonly cert: TlsSource; readonly key: TlsSource }): Promise<TlsMaterial> {
  const cert = await read(tls.cert, 'TLS certificate');
  const key = await read(tls.key, 'TLS key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new KarError('KAR_ERR_CONFIG_TLS', `the ${describe(tls.cert, 'TLS certificate')} is not a PEM certificate`);
  }
  try {
    createPrivateKey(key);
  } catch {
    // Never the key text, even in part.
    throw new KarError('KAR_ERR_CONFIG_TLS', `the ${describe(tls.key, 'TLS key')} is not a PEM private key (or it is encrypted)`);
  }
  try {
    createSecureContext({ cert, key });
  } catch {
    throw new KarError('KAR_ERR_CONFIG_TLS', `the ${describe(tls.key, 'TLS key')} does not belong to the ${describe(tls.cert, 'TLS certificate')}`);
  }
  return { cert, key, notAfter: new Date(leaf.validTo), subject: leaf.subject };
}

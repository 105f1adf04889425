/**
 * A throwaway private CA and a server certificate it signed (127.0.0.1,
 * ::1, localhost), made with `selfsigned` for real TLS on loopback.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TestPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** The files, for rsyslog and for the sinks' `caFile`. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The temp dir holding the files: remove it when done. */
  readonly dir: string;
}

export async function createTestPki(cn = 'konnect-audit test CA'): Promise<TestPki> {
  const ca = await generate([{ name: 'commonName', value: cn }], {
    algorithm: 'sha256',
    keySize: 2048,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    algorithm: 'sha256',
    keySize: 2048,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'kar-pki-'));
  const files = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server-key.pem') };
  await writeFile(files.caFile, ca.cert);
  await writeFile(files.certFile, server.cert);
  await writeFile(files.keyFile, server.private, { mode: 0o600 });
  return { caCert: ca.cert, serverCert: server.cert, serverKey: server.private, dir, ...files };
}

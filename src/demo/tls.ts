/**
 * @module demo/tls
 * A throwaway TLS certificate for the demo receiver on loopback: P-256 (fast
 * to generate), SHA-256, valid 30 days (the receiver warns below 14), for
 * `localhost` and `127.0.0.1`. The demo's sender trusts exactly this
 * certificate (as its CA) instead of turning verification off, so the demo
 * shows TLS done properly.
 */
import { generate } from 'selfsigned';

export interface DemoCertificate {
  /** PEM certificate (also the CA the sender trusts). */
  readonly cert: string;
  /** PEM PKCS#8 private key. */
  readonly key: string;
}

export async function createDemoCertificate(now: Date = new Date()): Promise<DemoCertificate> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 30 * 24 * 3_600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

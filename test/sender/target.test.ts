import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoCertificate, type DemoCertificate } from '../../src/demo/tls.js';
import { createRetryPolicy, createTarget, encodeBatch, postBatch, type TargetOptions } from '../../src/sender/index.js';

let server: Server;
let certificate: DemoCertificate;
let url: string;
beforeAll(async () => {
  certificate = await createDemoCertificate();
  server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1,"duplicates":0,"quarantined":0,"rejected":0}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/audit-logs`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('createTarget: TLS trust (real TLS on loopback)', () => {
  it.each<{ quirk: string; options: (c: DemoCertificate) => Partial<TargetOptions>; accepted: boolean }>([
    { quirk: 'verification is on by default: a self-signed certificate is a connection error', options: () => ({}), accepted: false },
    { quirk: '--ca trusts the given certificate', options: (c) => ({ ca: c.cert }), accepted: true },
    { quirk: '--insecure skips verification', options: () => ({ insecure: true }), accepted: true },
  ])('$quirk', async ({ options, accepted }) => {
    const target = createTarget({ url, authorization: 'Bearer t', ...options(certificate) });
    try {
      const result = await postBatch(encodeBatch(0, ['x']), target, { policy: createRetryPolicy({ maxRetries: 0 }) });
      expect(result.accepted).toBe(accepted);
      if (!accepted) expect(result.error).toMatch(/self-signed certificate/);
    } finally {
      target.close();
    }
  });

  it.each<{ quirk: string; options: TargetOptions; message: RegExp }>([
    { quirk: 'a URL that does not parse', options: { url: 'not a url', authorization: 'x' }, message: /not a valid URL/ },
    { quirk: 'an Authorization value with a newline (header injection)', options: { url: 'https://127.0.0.1/', authorization: 'Bearer a\r\nX-Evil: 1' }, message: /not allowed in an HTTP header/ },
    { quirk: 'an empty Authorization value', options: { url: 'https://127.0.0.1/', authorization: '' }, message: /empty/ },
  ])('refuses $quirk without echoing it', ({ options, message }) => {
    expect(() => createTarget(options)).toThrow(message);
    try {
      createTarget(options);
    } catch (error) {
      expect((error as Error).message).not.toContain('Bearer a');
    }
  });

  it('displays the URL without user info or query (either may hold a secret)', () => {
    const target = createTarget({ url: 'https://user:pw@127.0.0.1:8443/audit-logs?token=abc', authorization: 'x' });
    expect(target.display).toBe('https://127.0.0.1:8443/audit-logs');
    target.close();
  });
});

/**
 * Cluster mode's settings (docs/CONFIGURATION.md): KONNECT_AUDIT_STORE picks
 * the embedded store (default) or JetStream; the replica count follows the
 * number of URLs unless given; credentials and CA paths resolve against the
 * working directory; a value that is neither is a configuration error.
 */
import { describe, expect, it } from 'vitest';
import { loadReceiverConfig, parseServeFlags } from '../../src/config/index.js';
import { isKarError } from '../../src/errors/index.js';

const base = { KONNECT_AUDIT_AUTHORIZATION: 'Bearer 0123456789abcdef0123456789abcdef0123456789', KONNECT_AUDIT_INSECURE_HTTP: 'true' };
const load = async (env: Record<string, string>, argv: string[] = []) => (await loadReceiverConfig({ flags: parseServeFlags(argv), env: { ...base, ...env }, cwd: '/srv/kar' })).config.store;

describe('KONNECT_AUDIT_STORE and the NATS settings', () => {
  it.each([
    ['unset: the embedded store', {}, { kind: 'sqlite' }],
    ['sqlite', { KONNECT_AUDIT_STORE: 'sqlite' }, { kind: 'sqlite' }],
    ['one URL: one replica', { KONNECT_AUDIT_STORE: 'nats://10.0.0.1:4222' }, { kind: 'nats', servers: ['nats://10.0.0.1:4222'], replicas: 1, ackWaitMs: 30_000 }],
    [
      'three URLs (spaces allowed): three replicas',
      { KONNECT_AUDIT_STORE: 'nats://a:4222, nats://b:4222,tls://c:4222' },
      { kind: 'nats', servers: ['nats://a:4222', 'nats://b:4222', 'tls://c:4222'], replicas: 3, ackWaitMs: 30_000 },
    ],
    [
      'replicas, ack wait, creds and CA given (paths resolved against the working directory)',
      { KONNECT_AUDIT_STORE: 'nats://a:4222', KONNECT_AUDIT_NATS_REPLICAS: '3', KONNECT_AUDIT_NATS_ACK_WAIT_MS: '5000', KONNECT_AUDIT_NATS_CREDS: 'nats/receiver.creds', KONNECT_AUDIT_NATS_CA: '/etc/nats/ca.pem' },
      { kind: 'nats', servers: ['nats://a:4222'], replicas: 3, ackWaitMs: 5000, credsFile: '/srv/kar/nats/receiver.creds', caFile: '/etc/nats/ca.pem' },
    ],
  ])('%s', async (_name, env, expected) => {
    expect(await load(env)).toEqual(expected);
  });

  it('takes --store from the command line', async () => {
    expect(await load({}, ['--store', 'nats://x:4222'])).toMatchObject({ kind: 'nats', servers: ['nats://x:4222'] });
  });

  it.each([
    ['not a URL', { KONNECT_AUDIT_STORE: 'postgres://db' }, 'KONNECT_AUDIT_STORE: must be sqlite or comma-separated nats:// (or tls://) URLs'],
    ['replicas beyond 5', { KONNECT_AUDIT_STORE: 'nats://a:4222', KONNECT_AUDIT_NATS_REPLICAS: '7' }, 'KONNECT_AUDIT_NATS_REPLICAS'],
  ])('refuses %s (KAR_ERR_CONFIG_INVALID)', async (_name, env, key) => {
    const error = await load(env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isKarError(error) && error.code).toBe('KAR_ERR_CONFIG_INVALID');
    expect(String((error as Error).message)).toContain(key);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadReceiverConfig, parseServeFlags } from '../../src/config/index.js';
import { isKarError, type KarError } from '../../src/errors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kar-config-'));
const TOKEN = 'Bearer 0123456789abcdef0123456789abcdef0123456789';
const base = { KONNECT_AUDIT_AUTHORIZATION: TOKEN, KONNECT_AUDIT_TLS_CERT: '/tls/cert.pem', KONNECT_AUDIT_TLS_KEY: '/tls/key.pem' };

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

async function load(env: Record<string, string>, argv: string[] = []) {
  return loadReceiverConfig({ flags: parseServeFlags(argv), env, cwd: dir });
}

async function failure(env: Record<string, string>, argv: string[] = []): Promise<KarError> {
  try {
    await load(env, argv);
  } catch (error) {
    if (isKarError(error)) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadReceiverConfig', () => {
  it('defaults: port 8443, path /audit-logs, us JWKS, ./data, stdout sink, quarantine, the SPEC limits', async () => {
    const { config } = await load(base);
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8443,
      path: '/audit-logs',
      jwks: 'https://us.api.konghq.com/v2/audit-log-webhook/jwks.json',
      dataDir: join(dir, 'data'),
      invalidSignaturePolicy: 'quarantine',
      maxBodyBytes: 16 * 1024 * 1024,
      maxInflatedBytes: 128 * 1024 * 1024,
      maxLineBytes: 256 * 1024,
      maxBatchesInFlight: 32,
      memoryBudgetBytes: 192 * 1024 * 1024,
      admissionWaitMs: 10_000,
      verifyThreads: availableParallelism(),
      insecureHttp: false,
      tls: { cert: { file: '/tls/cert.pem' }, key: { file: '/tls/key.pem' } },
    });
    expect(config.sinks.map((s) => s.type)).toEqual(['stdout']);
    expect(config.authorization.map((s) => s.reveal())).toEqual([TOKEN]);
  });

  it.each([
    ['0: checks on the libuv pool', '0', 0],
    ['a worker thread count', '4', 4],
  ])('KONNECT_AUDIT_VERIFY_THREADS %s', async (_case, value, expected) => {
    const { config } = await load({ ...base, KONNECT_AUDIT_VERIFY_THREADS: value });
    expect(config.verifyThreads).toBe(expected);
  });

  it('precedence: flags > environment > file > defaults', async () => {
    const file = writeJson('precedence.json', { port: 1111, path: '/from-file', maxBatchesInFlight: 3, logLevel: 'debug' });
    const { config } = await load({ ...base, KONNECT_AUDIT_CONFIG: file, KONNECT_AUDIT_PORT: '2222', KONNECT_AUDIT_PATH: '/from-env' }, ['--port', '3333']);
    expect(config.port).toBe(3333);
    expect(config.path).toBe('/from-env');
    expect(config.maxBatchesInFlight).toBe(3);
    expect(config.logLevel).toBe('debug');
    expect(config.headersTimeoutMs).toBe(10_000);
    expect(config.configFile).toBe(file);
  });

  it('the file may list several Authorization values (rotation), and a values file adds more', async () => {
    const file = writeJson('rotation.json', { authorization: ['Bearer old-0123456789abcdef0123456789abcdef', 'Bearer new-0123456789abcdef0123456789abcdef'] });
    const secrets = join(dir, 'authorization.txt');
    writeFileSync(secrets, '# rotated monthly\nSplunk third-0123456789abcdef0123456789abcdef\n\n');
    const { KONNECT_AUDIT_AUTHORIZATION: _, ...env } = base;
    const { config } = await load({ ...env, KONNECT_AUDIT_CONFIG: file, KONNECT_AUDIT_AUTHORIZATION_FILE: secrets });
    expect(config.authorization.map((s) => s.reveal())).toEqual([
      'Bearer old-0123456789abcdef0123456789abcdef',
      'Bearer new-0123456789abcdef0123456789abcdef',
      'Splunk third-0123456789abcdef0123456789abcdef',
    ]);
  });

  it('is frozen and prints no secret', async () => {
    const { config } = await load({ ...base, KONNECT_AUDIT_TLS_KEY: '-----BEGIN PRIVATE KEY-----\nsecret-key-material\n-----END PRIVATE KEY-----' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.authorization)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow();
    for (const text of [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.authorization)]) {
      expect(text).not.toContain('0123456789abcdef');
      expect(text).not.toContain('secret-key-material');
    }
  });

  it('environment forms: booleans, integers, a sink spec', async () => {
    const { KONNECT_AUDIT_TLS_CERT: _c, KONNECT_AUDIT_TLS_KEY: _k, ...env } = base;
    const { config } = await load({ ...env, KONNECT_AUDIT_INSECURE_HTTP: 'yes', KONNECT_AUDIT_MAX_BODY_BYTES: '1048576', KONNECT_AUDIT_SINK: 'file:/var/log/konnect.ndjson' });
    expect(config.insecureHttp).toBe(true);
    expect(config.tls).toBeUndefined();
    expect(config.maxBodyBytes).toBe(1_048_576);
    expect(config.sinks).toMatchObject([{ type: 'file', path: '/var/log/konnect.ndjson' }]);
  });

  it('--sink may repeat (two sinks need distinct names only when of the same kind)', async () => {
    const { config } = await load(base, ['--sink', 'stdout', '--sink=blackhole']);
    expect(config.sinks.map((s) => s.name)).toEqual(['stdout', 'blackhole']);
  });

  it('warns about unknown KONNECT_AUDIT_* variables (a typo) and short Authorization values', async () => {
    const { warnings } = await load({ ...base, KONNECT_AUDIT_PROT: '9000', KONNECT_AUDIT_AUTHORIZATION: 'Bearer short' });
    expect(warnings.join('\n')).toContain('KONNECT_AUDIT_PROT');
    expect(warnings.join('\n')).toContain('shorter than 32');
    expect(warnings.join('\n')).not.toContain('Bearer short');
  });

  it('no Authorization value: KAR_ERR_CONFIG_NO_AUTHORIZATION (exit 2)', async () => {
    const { KONNECT_AUDIT_AUTHORIZATION: _, ...env } = base;
    const error = await failure(env);
    expect(error.code).toBe('KAR_ERR_CONFIG_NO_AUTHORIZATION');
    expect(error.spec.exitCode).toBe(2);
    expect(error.message).toContain('KONNECT_AUDIT_AUTHORIZATION');
  });

  it('no Authorization value but unauthenticated mode chosen explicitly: starts', async () => {
    const { KONNECT_AUDIT_AUTHORIZATION: _, ...env } = base;
    const { config } = await load({ ...env, KONNECT_AUDIT_ALLOW_UNAUTHENTICATED: 'true' });
    expect(config.authorization).toEqual([]);
    expect(config.allowUnauthenticated).toBe(true);
  });

  it.each([
    ['bad port (env)', { KONNECT_AUDIT_PORT: 'eighty' }, [], 'KONNECT_AUDIT_PORT: must be a whole number from 0 to 65535 (got "eighty")'],
    ['port out of range (flag)', {}, ['--port', '70000'], '--port: must be a whole number from 0 to 65535 (got 70000)'],
    ['bad boolean', { KONNECT_AUDIT_INSECURE_HTTP: 'maybe' }, [], 'KONNECT_AUDIT_INSECURE_HTTP: must be true or false'],
    ['bad policy', { KONNECT_AUDIT_INVALID_SIGNATURE_POLICY: 'ignore' }, [], 'must be quarantine, forward or drop'],
    ['reserved path', { KONNECT_AUDIT_PATH: '/metrics' }, [], 'KONNECT_AUDIT_PATH: is taken by'],
    ['path without slash', { KONNECT_AUDIT_PATH: 'audit' }, [], 'must start with "/"'],
    ['headers timeout over request timeout', { KONNECT_AUDIT_HEADERS_TIMEOUT_MS: '5000', KONNECT_AUDIT_REQUEST_TIMEOUT_MS: '1000' }, [], 'must not be longer than requestTimeoutMs'],
    ['bad sink spec', { KONNECT_AUDIT_SINK: 'kafka:broker' }, [], 'KONNECT_AUDIT_SINK'],
    ['TLS half given', { KONNECT_AUDIT_TLS_KEY: '' }, [], 'HTTPS needs both KONNECT_AUDIT_TLS_CERT and KONNECT_AUDIT_TLS_KEY'],
    ['TLS and insecure HTTP both', { KONNECT_AUDIT_INSECURE_HTTP: 'true' }, [], 'choose HTTPS'],
    ['Authorization with trailing space', { KONNECT_AUDIT_AUTHORIZATION: 'Bearer abc ' }, [], 'KONNECT_AUDIT_AUTHORIZATION: has leading or trailing whitespace'],
    ['unreadable authorization file', { KONNECT_AUDIT_AUTHORIZATION_FILE: '/nonexistent/authz' }, [], 'cannot be read (ENOENT)'],
  ])('refuses %s with KAR_ERR_CONFIG_INVALID naming the source', async (_quirk, env, argv, expected) => {
    const error = await failure({ ...base, ...env }, argv);
    expect(error.code).toBe('KAR_ERR_CONFIG_INVALID');
    expect(error.spec.exitCode).toBe(2);
    expect(error.message).toContain(expected);
  });

  it('never echoes a secret in a problem', async () => {
    const error = await failure({ ...base, KONNECT_AUDIT_AUTHORIZATION: ' Bearer hunter2-secret' });
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    ['unknown key', { port: 8443, prot: 9000 }, 'unknown key "prot"'],
    ['wrong type', { maxBodyBytes: '16MiB' }, 'maxBodyBytes: must be a whole number'],
    ['bad sink object', { sinks: [{ type: 'file' }] }, 'sinks[0].path'],
    ['two sinks with the same name', { sinks: [{ type: 'stdout' }, { type: 'stdout' }] }, 'two sinks are named "stdout"'],
    ['not JSON', '{port: 1}', 'is not valid JSON'],
    ['not an object', '[1, 2]', 'must hold one JSON object'],
  ])('refuses a config file with %s', async (_quirk, content, expected) => {
    const file = writeJson(`bad-${_quirk.replace(/\W/g, '-')}.json`, content);
    const error = await failure({ ...base, KONNECT_AUDIT_CONFIG: file });
    expect(error.code).toBe('KAR_ERR_CONFIG_INVALID');
    expect(error.message).toContain(file);
    expect(error.message).toContain(expected);
  });

  it('a missing config file is one clear problem', async () => {
    const error = await failure({ ...base, KONNECT_AUDIT_CONFIG: join(dir, 'nope.json') });
    expect(error.message).toContain('nope.json cannot be read (ENOENT)');
  });

  it('reports every problem at once, including a missing Authorization', async () => {
    const { KONNECT_AUDIT_AUTHORIZATION: _, ...env } = base;
    const error = await failure({ ...env, KONNECT_AUDIT_PORT: 'x', KONNECT_AUDIT_LOG_LEVEL: 'loud', KONNECT_AUDIT_MAX_LINE_BYTES: '-1' });
    expect(error.code).toBe('KAR_ERR_CONFIG_INVALID');
    expect(error.message).toContain('4 problems');
    for (const name of ['KONNECT_AUDIT_PORT', 'KONNECT_AUDIT_LOG_LEVEL', 'KONNECT_AUDIT_MAX_LINE_BYTES', 'no Authorization value']) expect(error.message).toContain(name);
  });
});

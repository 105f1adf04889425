import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isKarError } from '../../src/errors/index.js';
import { createKeySet, DEFAULT_JWKS_URL, generateKeyPair, jwksOf, jwksUrlForRegion, type KeySet, type KeySetOptions } from '../../src/verify/index.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const k1 = generateKeyPair({ kid: 'k1' }).publicJwk;
const k2 = generateKeyPair({ kid: 'k2' }).publicJwk;

let dir: string;
let server: JwksServer;
const sets: KeySet[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kar-keyset-'));
  server = await startJwksServer(jwksOf([k1]));
});

afterEach(async () => {
  await Promise.all(sets.splice(0).map((s) => s.close()));
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function keySet(options: Partial<KeySetOptions> = {}): KeySet {
  const set = createKeySet({ source: server.url, ...options });
  sets.push(set);
  return set;
}

const kids = (set: KeySet): string[] => set.keys().map((k) => k.kid);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isKarError(error) ? error.code : `not a KarError: ${String(error)}`;
  }
  return 'resolved';
}

describe('Konnect region URLs', () => {
  it.each([
    ['us', 'https://us.api.konghq.com/v2/audit-log-webhook/jwks.json'],
    ['eu', 'https://eu.api.konghq.com/v2/audit-log-webhook/jwks.json'],
    ['au', 'https://au.api.konghq.com/v2/audit-log-webhook/jwks.json'],
  ] as const)('%s', (region, url) => {
    expect(jwksUrlForRegion(region)).toBe(url);
  });

  it('the default is the us region', () => {
    expect(DEFAULT_JWKS_URL).toBe(jwksUrlForRegion('us'));
  });
});

describe('createKeySet: loading', () => {
  it('loads a file source', async () => {
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify(jwksOf([k1, k2])));
    const set = keySet({ source: file });
    expect(set.isReady()).toBe(false);
    await set.start();
    expect(set.isReady()).toBe(true);
    expect(kids(set)).toEqual(['k1', 'k2']);
  });

  it('loads a file:// URL', async () => {
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify(jwksOf([k2])));
    const set = keySet({ source: `file://${file}` });
    await set.start();
    expect(kids(set)).toEqual(['k2']);
  });

  it('reads a chunked answer under the byte cap', async () => {
    server.setChunked(true);
    server.setJwks(jwksOf([k1, k2, { ...k1, kid: 'k3' }, { ...k2, kid: 'k4' }, { ...k1, kid: 'k5' }]));
    const set = keySet();
    await set.start();
    expect(kids(set)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
  });

  it('loads from a loopback HTTP JWKS endpoint, once per start()', async () => {
    const set = keySet();
    await Promise.all([set.start(), set.start()]);
    expect(kids(set)).toEqual(['k1']);
    expect(server.requests()).toBe(1);
  });

  it('ignores RSA, X25519 and alg RS256 keys and keeps the Ed25519 one', async () => {
    const rsa = { ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'rsa' };
    const x25519 = { ...generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }), kid: 'x25519' };
    server.setJwks({ keys: [rsa, x25519, { ...k2, alg: 'RS256' }, k1] });
    const set = keySet();
    await set.start();
    expect(kids(set)).toEqual(['k1']);
  });

  it.each([
    ['only non-Ed25519 keys', () => server.setJwks({ keys: [{ kty: 'RSA', kid: 'r', n: 'AQAB', e: 'AQAB' }] }), 'KAR_ERR_KEYS_NONE_USABLE'],
    ['an empty key list', () => server.setJwks({ keys: [] }), 'KAR_ERR_KEYS_NONE_USABLE'],
    ['an HTML page', () => server.setJwks('<html>login</html>'), 'KAR_ERR_KEYS_INVALID_JWKS'],
    ['HTTP 500', () => server.setStatus(500), 'KAR_ERR_KEYS_FETCH_FAILED'],
    ['HTTP 404', () => server.setStatus(404), 'KAR_ERR_KEYS_FETCH_FAILED'],
    ['a body over maxJwksBytes (declared in content-length)', () => server.setJwks(jwksOf(Array.from({ length: 50 }, () => k1))), 'KAR_ERR_KEYS_FETCH_FAILED'],
    [
      'a chunked body that grows over maxJwksBytes',
      () => {
        server.setChunked(true);
        server.setJwks(jwksOf(Array.from({ length: 50 }, () => k1)));
      },
      'KAR_ERR_KEYS_FETCH_FAILED',
    ],
  ])('start() without a cache fails on %s', async (_quirk, arrange, code) => {
    arrange();
    expect(await codeOf(keySet({ maxJwksBytes: 2048 }).start())).toBe(code);
  });

  it('start() fails with KAR_ERR_KEYS_FETCH_FAILED when nothing listens', async () => {
    const url = server.url;
    await server.close();
    const set = createKeySet({ source: url });
    sets.push(set);
    expect(await codeOf(set.start())).toBe('KAR_ERR_KEYS_FETCH_FAILED');
  });

  it('start() fails with KAR_ERR_KEYS_FETCH_FAILED when the answer does not come within fetchTimeoutMs', async () => {
    server.hold();
    const set = keySet({ fetchTimeoutMs: 200 });
    expect(await codeOf(set.start())).toBe('KAR_ERR_KEYS_FETCH_FAILED');
  });

  it('start() fails with KAR_ERR_KEYS_FETCH_FAILED for a missing file', async () => {
    expect(await codeOf(keySet({ source: join(dir, 'nope.json') }).start())).toBe('KAR_ERR_KEYS_FETCH_FAILED');
  });

  it.each([
    ['plain http off loopback', { source: 'http://example.com/jwks.json' }],
    ['an ftp URL', { source: 'ftp://127.0.0.1/jwks.json' }],
    ['an empty source', { source: '' }],
    ['a zero refresh interval', { refreshIntervalMs: 0 }],
    ['a refresh interval setTimeout cannot hold', { refreshIntervalMs: 2 ** 31 }],
    ['a negative rate limit', { minRefreshIntervalMs: -1 }],
    ['a zero byte cap', { maxJwksBytes: 0 }],
  ])('refuses %s at construction (KAR_ERR_CONFIG_INVALID, before any I/O)', (_quirk, options) => {
    try {
      createKeySet({ source: server.url, ...options });
      expect.unreachable();
    } catch (error) {
      expect(isKarError(error) && error.code).toBe('KAR_ERR_CONFIG_INVALID');
    }
    expect(server.requests()).toBe(0);
  });
});

describe('createKeySet: refresh', () => {
  it('picks up a rotation: a new kid appears, refresh() resolves true and the version moves', async () => {
    const set = keySet({ minRefreshIntervalMs: 0 });
    await set.start();
    const version = set.version();
    server.setJwks(jwksOf([k1, k2]));
    expect(await set.refresh()).toBe(true);
    expect(kids(set)).toEqual(['k1', 'k2']);
    expect(set.version()).toBe(version + 1);
    server.setJwks(jwksOf([k2]));
    expect(await set.refresh()).toBe(true);
    expect(kids(set)).toEqual(['k2']);
  });

  it('an unchanged set: fetched, resolves false, same version', async () => {
    const set = keySet({ minRefreshIntervalMs: 0 });
    await set.start();
    const version = set.version();
    expect(await set.refresh()).toBe(false);
    expect(server.requests()).toBe(2);
    expect(set.version()).toBe(version);
  });

  it.each([
    ['HTTP 500', () => server.setStatus(500)],
    ['invalid JSON', () => server.setJwks('{"keys":')],
    ['no usable key', () => server.setJwks({ keys: [{ kty: 'EC', kid: 'ec' }] })],
    ['an empty key list', () => server.setJwks({ keys: [] })],
  ])('a failing refresh (%s) keeps the last good set and resolves false', async (_quirk, arrange) => {
    const set = keySet({ minRefreshIntervalMs: 0 });
    await set.start();
    arrange();
    expect(await set.refresh()).toBe(false);
    expect(server.requests()).toBe(2);
    expect(kids(set)).toEqual(['k1']);
    expect(set.isReady()).toBe(true);
  });

  it('single-flight: 10 concurrent refresh() calls share one fetch', async () => {
    const set = keySet({ minRefreshIntervalMs: 0 });
    await set.start();
    server.setJwks(jwksOf([k1, k2]));
    server.hold();
    const results = Array.from({ length: 10 }, () => set.refresh());
    await server.waitForRequests(2);
    server.release();
    expect(await Promise.all(results)).toEqual(Array.from({ length: 10 }, () => true));
    expect(server.requests()).toBe(2);
    expect(kids(set)).toEqual(['k1', 'k2']);
  });

  it('rate limit: no fetch within minRefreshIntervalMs of the last attempt, one fetch after it', async () => {
    let clock = 1_000_000;
    const set = keySet({ minRefreshIntervalMs: 30_000, now: () => clock });
    await set.start();
    server.setJwks(jwksOf([k1, k2]));
    clock += 29_999;
    expect(await Promise.all(Array.from({ length: 50 }, () => set.refresh()))).toEqual(Array.from({ length: 50 }, () => false));
    expect(server.requests()).toBe(1);
    clock += 1;
    expect(await set.refresh()).toBe(true);
    expect(server.requests()).toBe(2);
    expect(await set.refresh()).toBe(false);
    expect(server.requests()).toBe(2);
  });

  it('a failed attempt counts for the rate limit too (an outage is not hammered)', async () => {
    let clock = 0;
    const set = keySet({ minRefreshIntervalMs: 10_000, now: () => clock });
    await set.start();
    server.setStatus(500);
    clock += 10_000;
    expect(await set.refresh()).toBe(false);
    expect(server.requests()).toBe(2);
    clock += 5_000;
    expect(await set.refresh()).toBe(false);
    expect(server.requests()).toBe(2);
  });

  it('close(): aborts an in-flight fetch, and refresh() afterwards does nothing', async () => {
    const set = keySet({ minRefreshIntervalMs: 0 });
    await set.start();
    server.hold();
    const pending = set.refresh();
    await server.waitForRequests(2);
    await set.close();
    expect(await pending).toBe(false);
    expect(await set.refresh()).toBe(false);
    expect(server.requests()).toBe(2);
    expect(kids(set)).toEqual(['k1']);
  });
});

describe('createKeySet: cache file', () => {
  it('writes the last good JWKS, verbatim', async () => {
    const cacheFile = join(dir, 'jwks-cache.json');
    const text = JSON.stringify(jwksOf([k1, k2]), null, 2);
    server.setJwks(text);
    await keySet({ cacheFile }).start();
    expect(await readFile(cacheFile, 'utf8')).toBe(text);
  });

  it('uses the cache when the source is down at start', async () => {
    const cacheFile = join(dir, 'jwks-cache.json');
    server.setJwks(jwksOf([k1, k2]));
    await keySet({ cacheFile }).start();
    server.setStatus(503);
    const restarted = keySet({ cacheFile });
    await restarted.start();
    expect(kids(restarted)).toEqual(['k1', 'k2']);
    expect(restarted.isReady()).toBe(true);
  });

  it('uses the cache when the source answers with an unusable JWKS at start', async () => {
    const cacheFile = join(dir, 'jwks-cache.json');
    await writeFile(cacheFile, JSON.stringify(jwksOf([k2])));
    server.setJwks('<html>maintenance</html>');
    const set = keySet({ cacheFile });
    await set.start();
    expect(kids(set)).toEqual(['k2']);
  });

  it('a failed refresh does not overwrite the cache', async () => {
    const cacheFile = join(dir, 'jwks-cache.json');
    const set = keySet({ cacheFile, minRefreshIntervalMs: 0 });
    await set.start();
    const before = await readFile(cacheFile, 'utf8');
    server.setJwks('{"keys":[]}');
    await set.refresh();
    expect(await readFile(cacheFile, 'utf8')).toBe(before);
  });

  it.each([
    ['no cache file', undefined],
    ['a corrupt cache file', 'not json'],
    ['a cache with no usable key', '{"keys":[]}'],
  ])('source down and %s: start() throws the source error', async (_quirk, cached) => {
    const cacheFile = join(dir, 'jwks-cache.json');
    if (cached !== undefined) await writeFile(cacheFile, cached);
    server.setStatus(500);
    expect(await codeOf(keySet({ cacheFile }).start())).toBe('KAR_ERR_KEYS_FETCH_FAILED');
  });

  it('an unwritable cache file does not stop the key set', async () => {
    const set = keySet({ cacheFile: join(dir, 'missing-dir', 'cache.json') });
    await set.start();
    expect(kids(set)).toEqual(['k1']);
  });
});

describe('createKeySet: periodic refresh (fake timers: nothing waits for real time)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('re-reads the source every refreshIntervalMs and picks up a new key', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify(jwksOf([k1])));
    const set = keySet({ source: file, refreshIntervalMs: 60_000 });
    await set.start();
    await writeFile(file, JSON.stringify(jwksOf([k1, k2])));
    vi.advanceTimersByTime(59_999);
    expect(kids(set)).toEqual(['k1']);
    vi.advanceTimersByTime(1);
    await vi.waitFor(() => expect(kids(set)).toEqual(['k1', 'k2']));
  });

  it('after a failed periodic refresh, tries again sooner (60 s) than the normal interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify(jwksOf([k1])));
    const set = keySet({ source: file, refreshIntervalMs: 3_600_000 });
    await set.start();
    await writeFile(file, 'broken');
    vi.advanceTimersByTime(3_600_000);
    // The failed attempt has settled once it scheduled its retry.
    await vi.waitFor(() => expect(vi.getTimerCount()).toBe(1));
    expect(kids(set)).toEqual(['k1']);
    await writeFile(file, JSON.stringify(jwksOf([k2])));
    vi.advanceTimersByTime(60_000);
    await vi.waitFor(() => expect(kids(set)).toEqual(['k2']));
    expect(set.isReady()).toBe(true);
  });
});

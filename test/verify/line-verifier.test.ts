import { sign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKarError } from '../../src/errors/index.js';
import {
  createKeySet,
  createLineVerifier,
  generateKeyPair,
  jwksOf,
  parseJwks,
  type KeySet,
  type VerificationKey,
  type VerifyItem,
} from '../../src/verify/index.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const old = generateKeyPair({ kid: 'old' });
const rotated = generateKeyPair({ kid: 'rotated' });
const forger = generateKeyPair({ kid: 'forger' });

function line(pair: ReturnType<typeof generateKeyPair>, text: string): VerifyItem {
  const message = Buffer.from(text);
  return { message, signature: sign(null, message, pair.privateKey) };
}

let server: JwksServer;
let clock: number;
const sets: KeySet[] = [];

beforeEach(async () => {
  server = await startJwksServer(jwksOf([old.publicJwk]));
  clock = 0;
});

afterEach(async () => {
  await Promise.all(sets.splice(0).map((s) => s.close()));
  await server.close();
});

async function startedKeySet(): Promise<KeySet> {
  const set = createKeySet({ source: server.url, minRefreshIntervalMs: 30_000, now: () => clock });
  sets.push(set);
  await set.start();
  return set;
}

describe('createLineVerifier (SPEC 5.3: refresh once on invalid)', () => {
  it('all valid: no refresh, no fetch', async () => {
    const keySet = await startedKeySet();
    clock += 60_000;
    const verdicts = await createLineVerifier({ keySet }).verify([line(old, 'a'), line(old, 'b')]);
    expect(verdicts).toEqual([
      { status: 'valid', kid: 'old' },
      { status: 'valid', kid: 'old' },
    ]);
    expect(server.requests()).toBe(1);
  });

  it('a key rotation Konnect did before we noticed: refresh, then the invalid lines (only) verify again', async () => {
    const keySet = await startedKeySet();
    server.setJwks(jwksOf([old.publicJwk, rotated.publicJwk]));
    clock += 30_000;
    const verdicts = await createLineVerifier({ keySet }).verify([line(old, 'a'), line(rotated, 'b'), line(forger, 'c')]);
    expect(verdicts).toEqual([{ status: 'valid', kid: 'old' }, { status: 'valid', kid: 'rotated' }, { status: 'invalid' }]);
    expect(server.requests()).toBe(2);
  });

  it('forged lines do not turn into a flood of JWKS fetches: 20 concurrent batches, then 20 more, one fetch', async () => {
    const keySet = await startedKeySet();
    const verifier = createLineVerifier({ keySet });
    clock += 30_000;
    server.hold();
    const concurrent = Array.from({ length: 20 }, (_, i) => verifier.verify([line(forger, `x${i}`), line(old, `y${i}`)]));
    await server.waitForRequests(2);
    server.release();
    for (const verdicts of await Promise.all(concurrent)) expect(verdicts).toEqual([{ status: 'invalid' }, { status: 'valid', kid: 'old' }]);
    for (let i = 0; i < 20; i++) expect((await verifier.verify([line(forger, `z${i}`)]))[0]).toEqual({ status: 'invalid' });
    expect(server.requests()).toBe(2);
  });

  it('inside the rate-limit window: invalid stays invalid, without a fetch', async () => {
    const keySet = await startedKeySet();
    server.setJwks(jwksOf([old.publicJwk, rotated.publicJwk]));
    expect(await createLineVerifier({ keySet }).verify([line(rotated, 'a')])).toEqual([{ status: 'invalid' }]);
    expect(server.requests()).toBe(1);
  });

  it('verifies again when another batch changed the key set meanwhile, even if this refresh() was refused', async () => {
    let keys: readonly VerificationKey[] = parseJwks(JSON.stringify(jwksOf([old.publicJwk])));
    let version = 1;
    let refreshes = 0;
    const keySet: KeySet = {
      start: async () => undefined,
      keys: () => keys,
      isReady: () => keys.length > 0,
      version: () => version,
      refresh: async () => {
        refreshes++;
        // Someone else's refresh landed; ours is rate-limited.
        keys = parseJwks(JSON.stringify(jwksOf([old.publicJwk, rotated.publicJwk])));
        version++;
        return false;
      },
      close: async () => undefined,
    };
    expect(await createLineVerifier({ keySet }).verify([line(rotated, 'a')])).toEqual([{ status: 'valid', kid: 'rotated' }]);
    expect(refreshes).toBe(1);
  });

  it('no key set loaded and none obtainable: KAR_ERR_KEYS_UNAVAILABLE (the batch gets a 500, Konnect retries)', async () => {
    server.setStatus(500);
    const keySet = createKeySet({ source: server.url, minRefreshIntervalMs: 0 });
    sets.push(keySet);
    await keySet.start().catch(() => undefined);
    try {
      await createLineVerifier({ keySet }).verify([line(old, 'a')]);
      expect.unreachable();
    } catch (error) {
      expect(isKarError(error) && error.code).toBe('KAR_ERR_KEYS_UNAVAILABLE');
    }
  });

  it('no key set loaded yet, but the source is back: refreshes and verifies', async () => {
    server.setStatus(500);
    const keySet = createKeySet({ source: server.url, minRefreshIntervalMs: 0 });
    sets.push(keySet);
    await keySet.start().catch(() => undefined);
    server.setStatus(200);
    expect(await createLineVerifier({ keySet }).verify([line(old, 'a')])).toEqual([{ status: 'valid', kid: 'old' }]);
  });

  it('an empty batch needs no keys', async () => {
    const keySet = createKeySet({ source: server.url });
    sets.push(keySet);
    expect(await createLineVerifier({ keySet }).verify([])).toEqual([]);
    expect(server.requests()).toBe(0);
  });
});

/**
 * The Ed25519 backend: libsodium (sodium-native) by default, node:crypto in
 * the same workers when the addon cannot load (an injected loader that
 * throws), said once in a warning, shown by the gauge
 * konnect_audit_verify_backend and in /readyz of a real receiver; and the
 * weak keys (small order, non-canonical) the JWKS import refuses.
 */
import { sign } from 'node:crypto';
import { rm } from 'node:fs/promises';
import * as ed from '@noble/ed25519';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsRegistry } from '../../src/observability/metrics.js';
import { loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import {
  chooseVerifyBackend,
  createSignatureVerifier,
  createWorkerVerifier,
  encodeBase64url,
  generateKeyPair,
  inspectJwks,
  isWeakPublicKey,
  jwksOf,
  parseJwks,
  rawKeyOf,
  type ClosableBatchVerifier,
  type VerificationKey,
  type VerifyItem,
} from '../../src/verify/index.js';
import { getText, postLikeKonnect, startTestReceiver } from '../intake/support.js';
import { capturedLogger, WARN } from './support/logs.js';
import { wycheproofItem, wycheproofSuite } from './support/wycheproof.js';

const pair = generateKeyPair({ kid: 'a' });
const key = parseJwks(JSON.stringify(jwksOf([pair.publicJwk])))[0] as VerificationKey;
const noAddon = (): string => {
  throw new Error("Cannot find module 'sodium-native' (test)");
};

function batch(n: number): { items: VerifyItem[]; expected: string[] } {
  const items = Array.from({ length: n }, (_, i) => {
    const message = Buffer.from(`line ${i}`);
    const signature = sign(null, message, pair.privateKey);
    // Every third line tampered: the verdicts are not all the same.
    return i % 3 === 2 ? { message: Buffer.from(`line ${i}!`), signature } : { message, signature };
  });
  return { items, expected: items.map((_, i) => (i % 3 === 2 ? 'invalid' : 'a')) };
}

const kids = (verdicts: readonly { status: string; kid?: string }[]): string[] => verdicts.map((v) => v.kid ?? v.status);

async function gauge(): Promise<Record<string, number>> {
  const metric = await metricsRegistry.getSingleMetric('konnect_audit_verify_backend')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels['backend']), v.value]));
}

const open: ClosableBatchVerifier[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((v) => v.close()));
});

describe('chooseVerifyBackend', () => {
  it('libsodium when sodium-native loads, with the absolute path the workers require', () => {
    const choice = chooseVerifyBackend();
    expect(choice.backend).toBe('libsodium');
    expect(choice.sodiumPath).toMatch(/sodium-native/);
    expect(choice.reason).toBeUndefined();
  });

  it('node-crypto, with the reason, when the loader throws', () => {
    expect(chooseVerifyBackend(noAddon)).toEqual({ backend: 'node-crypto', reason: "Cannot find module 'sodium-native' (test)" });
  });
});

describe('the verifier with each backend', () => {
  it.each([
    ['libsodium (the default)', undefined, 'libsodium', 0],
    ['node-crypto (the addon cannot load)', noAddon, 'node-crypto', 1],
  ])('%s: verdicts, one warning at most, the gauge', async (_case, loadSodium, backend, warnings) => {
    const logs = capturedLogger();
    const verifier = createWorkerVerifier(() => [key], { threads: 2, logger: logs.logger, ...(loadSodium === undefined ? {} : { loadSodium }) });
    open.push(verifier);
    expect(verifier.backend).toBe(backend);
    expect(await gauge()).toEqual({ libsodium: backend === 'libsodium' ? 1 : 0, 'node-crypto': backend === 'node-crypto' ? 1 : 0 });
    for (const size of [100, 7, 300]) {
      const { items, expected } = batch(size);
      expect(kids(await verifier.verifyBatch(items))).toEqual(expected);
    }
    const warned = logs.entries().filter((e) => e.level >= WARN);
    expect(warned).toHaveLength(warnings);
    // Said once, at creation, naming the reason; never again per batch.
    if (warnings === 1) expect(warned[0]).toMatchObject({ backend: 'node-crypto', reason: "Cannot find module 'sodium-native' (test)", msg: expect.stringContaining('could not be loaded') as unknown });
  });

  it('node-crypto in the workers agrees with Wycheproof (151 vectors)', async () => {
    let keys: readonly VerificationKey[] = [];
    const verifier = createWorkerVerifier(() => keys, { threads: 2, loadSodium: noAddon });
    open.push(verifier);
    const wrong: number[] = [];
    for (const group of wycheproofSuite.testGroups) {
      keys = parseJwks(JSON.stringify({ keys: [group.publicKeyJwk] }));
      const verdicts = await verifier.verifyBatch(group.tests.map(wycheproofItem));
      group.tests.forEach((test, i) => {
        if (verdicts[i]?.status !== test.result) wrong.push(test.tcId);
      });
    }
    expect(wrong).toEqual([]);
  });

  it('threads: 0 is node:crypto on the libuv pool, without a warning', async () => {
    const logs = capturedLogger();
    const verifier = createSignatureVerifier(() => [key], { threads: 0, logger: logs.logger });
    open.push(verifier);
    expect(verifier.backend).toBe('node-crypto');
    const { items, expected } = batch(50);
    expect(kids(await verifier.verifyBatch(items))).toEqual(expected);
    expect(logs.entries().filter((e) => e.level >= WARN)).toEqual([]);
    expect(await gauge()).toEqual({ libsodium: 0, 'node-crypto': 1 });
  });

  it('a key without raw bytes (built from a KeyObject alone) is sent as the same 32 bytes', () => {
    expect(Buffer.from(rawKeyOf({ kid: 'a', key: key.key }))).toEqual(Buffer.from(rawKeyOf(key)));
    expect(Buffer.from(rawKeyOf(key)).toString('base64url')).toBe(pair.publicJwk.x);
  });
});

describe('the receiver names its backend in /readyz and /metrics (real TLS on loopback)', () => {
  const primary = loadTestKey('primary');

  it.each([
    ['default: libsodium on one worker per core', {}, {}, 'libsodium', 0],
    ['the addon cannot load: node-crypto, one warning', {}, { loadSodium: noAddon }, 'node-crypto', 1],
    ['KONNECT_AUDIT_VERIFY_THREADS=0: node-crypto on the pool', { KONNECT_AUDIT_VERIFY_THREADS: '0' }, {}, 'node-crypto', 0],
  ])('%s', async (_case, env, options, backend, warnings) => {
    const logs = capturedLogger();
    const receiver = await startTestReceiver(env, { ...options, logger: logs.logger });
    try {
      const base = receiver.url.replace(/\/audit-logs$/, '');
      const ready = await getText(`${base}/readyz`, receiver.cert.cert);
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.body)).toMatchObject({ ready: true, verifyBackend: backend });
      const metrics = (await getText(`${base}/metrics`, receiver.cert.cert)).body;
      expect(metrics).toContain(`konnect_audit_verify_backend{backend="${backend}"} 1`);
      const lines = makeSignedKonnectLines({ format: 'cef', count: 20, seed: 5, key: primary.privateKey });
      const answer = await postLikeKonnect(receiver.url, receiver.cert.cert, lines);
      expect(JSON.parse(answer.body)).toEqual({ accepted: 20, duplicates: 0, quarantined: 0, rejected: 0 });
      expect(logs.entries().filter((e) => e.msg.includes('libsodium (sodium-native) could not be loaded'))).toHaveLength(warnings);
    } finally {
      await receiver.close();
      await rm(receiver.dir, { recursive: true, force: true });
    }
  });
});

describe('weak public keys are refused at import (OpenSSL alone would accept forgeries under them)', () => {
  const P = 2n ** 255n - 19n;
  const le = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  /** The 8 torsion points, from one of order 8 (checked below), and each with the sign bit of x flipped. */
  const order8 = ed.Point.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
  const torsion = [ed.Point.ZERO, ...[1n, 2n, 3n, 4n, 5n, 6n, 7n].map((k) => order8.multiply(k))].map((point) => point.toBytes());
  const flipped = torsion.map((bytes) => Uint8Array.from(bytes, (b, i) => (i === 31 ? b ^ 0x80 : b)));

  it.each([
    ['the identity (y = 1)', le(1n)],
    ['order 2 (y = p - 1)', le(P - 1n)],
    ['order 4 (y = 0)', le(0n)],
    ['non-canonical identity (y = p + 1)', le(P + 1n)],
    ['non-canonical (y = p)', le(P)],
    ['not on the curve (y = 2)', le(2n)],
  ])('%s: weak, and the JWKS import ignores it with the reason', (_case, raw) => {
    expect(isWeakPublicKey(raw)).toBe(true);
    const inspection = inspectJwks(JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'weak', x: encodeBase64url(raw) }] }));
    expect(inspection.keys).toEqual([]);
    expect(inspection.ignored[0]?.reason).toMatch(/small-order or non-canonical/);
  });

  it('the 8 torsion points, with either sign bit, are all weak; 20 generated keys are not', () => {
    expect(order8.multiply(8n).is0() && !order8.multiply(4n).is0()).toBe(true);
    expect(new Set(torsion.map((b) => Buffer.from(b).toString('hex'))).size).toBe(8);
    expect([...torsion, ...flipped].filter((raw) => !isWeakPublicKey(raw))).toEqual([]);
    const generated = Array.from({ length: 20 }, () => rawKeyOf(parseJwks(JSON.stringify(jwksOf([generateKeyPair().publicJwk])))[0] as VerificationKey));
    expect(generated.filter(isWeakPublicKey)).toEqual([]);
  });
});

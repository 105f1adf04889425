/**
 * libsodium (the verifier), node:crypto (the fallback, behind the JWKS
 * import) and @noble/ed25519 (zip215: false, the oracle) compared verdict
 * for verdict on damaged signatures: bit flips in the signature, the message
 * or the key, S + kL (non-reduced S), small-order R, small-order A (with the
 * forgery that works under it), non-canonical encodings of R and A. Then the
 * same cases through the pipeline's verifiers (libsodium workers, node:crypto
 * workers, the libuv pool) with the key imported as the key set imports it.
 */
import { createPrivateKey, sign } from 'node:crypto';
import * as ed from '@noble/ed25519';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createNativeVerifier, createWorkerVerifier, encodeBase64url, parseJwks, type VerificationKey } from '../../src/verify/index.js';
import { nobleValid, opensslRawValid, verdicts } from './support/backends.js';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLe = (bytes: Uint8Array): bigint => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
const withSign = (bytes: Uint8Array, negative: boolean): Uint8Array => Uint8Array.from(bytes, (b, i) => (i === 31 ? (negative ? b | 0x80 : b & 0x7f) : b));

/** The 8 small-order points (torsion subgroup), from one of order 8. */
const order8 = ed.Point.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
const torsion = [ed.Point.ZERO, ...[1n, 2n, 3n, 4n, 5n, 6n, 7n].map((k) => order8.multiply(k))].map((point) => point.toBytes());

interface Case {
  readonly damage: string;
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

const damages = ['none', 'sig-bit', 'message-bit', 'key-bit', 's-plus-kl', 'small-order-r', 'small-order-a', 'small-order-a-forgery', 'non-canonical-r', 'non-canonical-a'] as const;

/** An honest signature by a key from `seed`, then one damage. */
function makeCase(seed: Uint8Array, message: Uint8Array, damage: (typeof damages)[number], n: number, negative: boolean): Case {
  const publicKey = ed.getPublicKey(seed);
  const x = encodeBase64url(publicKey);
  const signature = new Uint8Array(sign(null, message, createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x, d: encodeBase64url(seed) }, format: 'jwk' })));
  const flip = (bytes: Uint8Array): Uint8Array => {
    const out = Uint8Array.from(bytes);
    if (out.length > 0) out[n % out.length] = (out[n % out.length] as number) ^ (1 << (n % 8));
    return out;
  };
  const sWith = (s: bigint): Uint8Array => Uint8Array.from([...signature.subarray(0, 32), ...le(s)]);
  const rWith = (r: Uint8Array): Uint8Array => Uint8Array.from([...r, ...signature.subarray(32)]);
  // y = p + d for d < 19: the only non-canonical encodings (y >= p) that fit in 255 bits.
  const nonCanonical = withSign(le(P + BigInt(n % 19)), negative);
  const smallOrder = withSign(torsion[n % 8] as Uint8Array, negative);
  switch (damage) {
    case 'none':
      return { damage, signature, message, publicKey };
    case 'sig-bit':
      return { damage, signature: flip(signature), message, publicKey };
    case 'message-bit':
      return { damage, signature, message: message.length === 0 ? Uint8Array.of(n & 0xff) : flip(message), publicKey };
    case 'key-bit':
      return { damage, signature, message, publicKey: flip(publicKey) };
    case 's-plus-kl':
      return { damage, signature: sWith(fromLe(signature.subarray(32)) + BigInt(1 + (n % 7)) * L), message, publicKey };
    case 'small-order-r':
      return { damage, signature: rWith(smallOrder), message, publicKey };
    case 'small-order-a':
      return { damage, signature, message, publicKey: smallOrder };
    case 'small-order-a-forgery':
      // R = identity, S = 0: [S]B = R + [k]A holds whenever [k]A is the identity (always for A = identity).
      return { damage, signature: Uint8Array.from([...le(1n), ...le(0n)]), message, publicKey: torsion[0] as Uint8Array };
    case 'non-canonical-r':
      return { damage, signature: rWith(nonCanonical), message, publicKey };
    case 'non-canonical-a':
      return { damage, signature, message, publicKey: nonCanonical };
  }
}

const caseArbitrary = fc
  .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...damages), fc.nat(), fc.boolean())
  .map(([seed, message, damage, n, negative]) => makeCase(seed, message, damage, n, negative));

describe('agreement: libsodium, node:crypto and @noble/ed25519 (zip215: false) on damaged signatures', () => {
  it('the three give the same verdict on every case, and only the undamaged signature is valid', () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const got = verdicts(c.signature, c.message, c.publicKey);
        const expected = c.damage === 'none';
        expect(got, c.damage).toEqual({ libsodium: expected, 'node-crypto': expected, noble: expected });
      }),
      { numRuns: 1000 },
    );
  });

  it.each(damages.map((d) => [d]))('%s: every variant agrees (all 8 torsion points, every non-canonical y, both signs)', (damage) => {
    const seed = new Uint8Array(32).fill(7);
    const message = Buffer.from('a Konnect audit line');
    const rows = Array.from({ length: 38 }, (_, n) => makeCase(seed, message, damage, n, n % 2 === 1)).map((c) => verdicts(c.signature, c.message, c.publicKey));
    const expected = damage === 'none';
    expect(rows.filter((r) => r.libsodium !== expected || r['node-crypto'] !== expected || r.noble !== expected)).toEqual([]);
  });

  it('why the import refuses weak keys: OpenSSL alone accepts the small-order-A forgery that libsodium and noble reject', () => {
    const forged = makeCase(new Uint8Array(32), Buffer.from('any message at all'), 'small-order-a-forgery', 0, false);
    expect(opensslRawValid(forged.signature, forged.message, forged.publicKey)).toBe(true);
    expect(nobleValid(forged.signature, forged.message, forged.publicKey)).toBe(false);
    expect(verdicts(forged.signature, forged.message, forged.publicKey)).toEqual({ libsodium: false, 'node-crypto': false, noble: false });
  });
});

describe('agreement through the pipeline verifiers (keys imported as the key set does)', () => {
  const noAddon = (): string => {
    throw new Error('forced node:crypto');
  };
  let keys: readonly VerificationKey[] = [];
  const libsodium = createWorkerVerifier(() => keys, { threads: 2 });
  const nodeCrypto = createWorkerVerifier(() => keys, { threads: 2, loadSodium: noAddon });
  const pool = createNativeVerifier(() => keys);
  afterAll(async () => {
    await Promise.all([libsodium.close(), nodeCrypto.close()]);
  });

  it('libsodium workers, node:crypto workers and the libuv pool give the oracle\'s verdict on 300 sampled cases', async () => {
    expect(libsodium.backend).toBe('libsodium');
    expect(nodeCrypto.backend).toBe('node-crypto');
    const cases = fc.sample(caseArbitrary, { numRuns: 300, seed: 42 });
    const disagreements: string[] = [];
    for (const c of cases) {
      keys = parseJwks(JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'k', x: encodeBase64url(c.publicKey) }] }));
      const item = { message: c.message, signature: c.signature };
      const [a, b, p] = await Promise.all([libsodium.verifyBatch([item]), nodeCrypto.verifyBatch([item]), pool.verifyBatch([item])]);
      const oracle = nobleValid(c.signature, c.message, c.publicKey) ? 'valid' : 'invalid';
      const got = [a[0]?.status, b[0]?.status, p[0]?.status];
      if (got.some((status) => status !== oracle)) disagreements.push(`${c.damage}: ${got.join(',')} vs ${oracle}`);
    }
    expect(disagreements).toEqual([]);
    expect(new Set(cases.map((c) => c.damage)).size).toBe(damages.length);
  });
});

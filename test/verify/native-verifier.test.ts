import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNativeVerifier, generateKeyPair, parseJwks, jwksOf, verifyOneSync, type VerificationKey, type VerifyItem } from '../../src/verify/index.js';

function keyOf(pair: ReturnType<typeof generateKeyPair>): VerificationKey {
  return parseJwks(JSON.stringify(jwksOf([pair.publicJwk])))[0] as VerificationKey;
}

function signed(pair: ReturnType<typeof generateKeyPair>, text: string): VerifyItem {
  const message = Buffer.from(text);
  return { message, signature: sign(null, message, pair.privateKey) };
}

const a = generateKeyPair({ kid: 'a' });
const b = generateKeyPair({ kid: 'b' });
const c = generateKeyPair({ kid: 'c' });

describe('createNativeVerifier', () => {
  it('tries every key (lines carry no key id) and reports the kid that verified', async () => {
    const verifier = createNativeVerifier(() => [keyOf(a), keyOf(b)]);
    const verdicts = await verifier.verifyBatch([signed(a, 'one'), signed(b, 'two'), signed(c, 'three'), signed(b, 'four')]);
    expect(verdicts).toEqual([{ status: 'valid', kid: 'a' }, { status: 'valid', kid: 'b' }, { status: 'invalid' }, { status: 'valid', kid: 'b' }]);
  });

  it('keeps verdicts in input order for a batch far larger than the pending window', async () => {
    const items = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? signed(c, `line ${i}`) : signed(i % 3 === 1 ? a : b, `line ${i}`)));
    const verdicts = await createNativeVerifier(() => [keyOf(a), keyOf(b)], { maxPending: 4 }).verifyBatch(items);
    expect(verdicts.map((v) => (v.status === 'valid' ? v.kid : 'invalid'))).toEqual(items.map((_, i) => ['invalid', 'a', 'b'][i % 3]));
  });

  it('reads the keys once per batch: a key added later is used by the next batch', async () => {
    let keys: VerificationKey[] = [keyOf(a)];
    const verifier = createNativeVerifier(() => keys);
    expect((await verifier.verifyBatch([signed(b, 'x')]))[0]?.status).toBe('invalid');
    keys = [keyOf(a), keyOf(b)];
    expect((await verifier.verifyBatch([signed(b, 'x')]))[0]).toEqual({ status: 'valid', kid: 'b' });
  });

  it.each([
    ['no keys', [] as VerifyItem[], 0],
    ['an empty batch', [] as VerifyItem[], 1],
  ])('%s: resolves without work', async (_quirk, items, keyCount) => {
    const verifier = createNativeVerifier(() => (keyCount === 0 ? [] : [keyOf(a)]));
    expect(await verifier.verifyBatch(items)).toEqual([]);
  });

  it('no keys at all: every line is invalid', async () => {
    expect(await createNativeVerifier(() => []).verifyBatch([signed(a, 'x'), signed(b, 'y')])).toEqual([{ status: 'invalid' }, { status: 'invalid' }]);
  });

  it.each([
    ['a 63-byte signature', { message: Buffer.from('x'), signature: new Uint8Array(63) }],
    ['a 65-byte signature', { message: Buffer.from('x'), signature: new Uint8Array(65) }],
    ['an empty signature', { message: Buffer.from('x'), signature: new Uint8Array(0) }],
  ])('bad input is invalid, never a throw: %s', async (_quirk, item) => {
    expect(await createNativeVerifier(() => [keyOf(a)]).verifyBatch([item])).toEqual([{ status: 'invalid' }]);
    expect(verifyOneSync(item, [keyOf(a)])).toEqual({ status: 'invalid' });
  });

  it('refuses a non-positive window', () => {
    expect(() => createNativeVerifier(() => [], { maxPending: 0 })).toThrow(RangeError);
  });
});

describe('verifyOneSync', () => {
  it('returns the kid of the key that verified', () => {
    expect(verifyOneSync(signed(b, 'hello'), [keyOf(a), keyOf(b)])).toEqual({ status: 'valid', kid: 'b' });
    expect(verifyOneSync(signed(c, 'hello'), [keyOf(a), keyOf(b)])).toEqual({ status: 'invalid' });
  });
});

import { createHash, createPrivateKey, sign } from 'node:crypto';
import * as ed from '@noble/ed25519';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJsonLine } from '../../src/json/index.js';
import { isLineError } from '../../src/lines/parse-line.js';
import { createNativeVerifier, encodeBase64url, extractSignature, parseJwks, type VerificationKey } from '../../src/verify/index.js';

ed.hashes.sha512 = (message: Uint8Array) => new Uint8Array(createHash('sha512').update(message).digest());

/** The same key for both implementations, from a 32-byte seed. */
function keyFromSeed(seed: Uint8Array): { publicKey: Uint8Array; verificationKey: VerificationKey; signNode: (m: Uint8Array) => Uint8Array } {
  const publicKey = ed.getPublicKey(seed);
  const x = encodeBase64url(publicKey);
  const [verificationKey] = parseJwks(JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'k', x }] }));
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x, d: encodeBase64url(seed) }, format: 'jwk' });
  return { publicKey, verificationKey: verificationKey as VerificationKey, signNode: (m) => new Uint8Array(sign(null, m, privateKey)) };
}

const nobleValid = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('differential: node crypto.verify (the pipeline) vs @noble/ed25519 (strict)', () => {
  it('both sign the same (Ed25519 is deterministic) and both accept each other\'s signatures', async () => {
    await fc.assert(
      fc.asyncProperty(seed, fc.uint8Array({ maxLength: 512 }), async (s, message) => {
        const { publicKey, verificationKey, signNode } = keyFromSeed(s);
        const bySigner = signNode(message);
        expect(bySigner).toEqual(ed.sign(message, s));
        const [verdict] = await createNativeVerifier(() => [verificationKey]).verifyBatch([{ message, signature: bySigner }]);
        expect(verdict).toEqual({ status: 'valid', kid: 'k' });
        expect(nobleValid(bySigner, message, publicKey)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('flipping any bit of the message or the signature makes both reject it', async () => {
    await fc.assert(
      fc.asyncProperty(seed, fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (s, message, at, bit, inSignature) => {
        const { publicKey, verificationKey, signNode } = keyFromSeed(s);
        const signature = signNode(message);
        const target = inSignature ? signature : message;
        const i = at % target.length;
        target[i] = (target[i] as number) ^ (1 << bit);
        const [verdict] = await createNativeVerifier(() => [verificationKey]).verifyBatch([{ message, signature }]);
        expect(verdict?.status).toBe('invalid');
        expect(nobleValid(signature, message, publicKey)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('random bytes as a signature: both agree (and say invalid)', async () => {
    await fc.assert(
      fc.asyncProperty(seed, fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), async (s, message, signature) => {
        const { publicKey, verificationKey } = keyFromSeed(s);
        const [verdict] = await createNativeVerifier(() => [verificationKey]).verifyBatch([{ message, signature }]);
        expect(verdict?.status === 'valid').toBe(nobleValid(signature, message, publicKey));
      }),
      { numRuns: 100 },
    );
  });

  it('a whole JSON line: sign the line without sig, insert sig anywhere, scan, extract, verify; damage any byte -> not valid', async () => {
    const member = fc.tuple(fc.string({ maxLength: 8 }).filter((k) => k !== 'sig'), fc.jsonValue({ maxDepth: 1 }));
    await fc.assert(
      fc.asyncProperty(seed, fc.uniqueArray(member, { selector: ([k]) => k, maxLength: 5 }), fc.nat(), fc.nat(), async (s, members, at, damageAt) => {
        const { verificationKey, signNode } = keyFromSeed(s);
        const texts = members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        const unsigned = `{${texts.join(',')}}`;
        const sig = encodeBase64url(signNode(Buffer.from(unsigned)));
        const i = at % (texts.length + 1);
        const line = Buffer.from(`{${[...texts.slice(0, i), `"sig":"${sig}"`, ...texts.slice(i)].join(',')}}`);
        const verifier = createNativeVerifier(() => [verificationKey]);

        const view = scanJsonLine(line, 0, line.length);
        if (isLineError(view)) throw new Error(view.message);
        const extracted = extractSignature(view);
        if (extracted.status !== 'ok') throw new Error(extracted.status);
        expect(Buffer.from(extracted.item.message).toString()).toBe(unsigned);
        expect((await verifier.verifyBatch([extracted.item]))[0]?.status).toBe('valid');

        const damaged = Buffer.from(line);
        const d = damageAt % damaged.length;
        damaged[d] = (damaged[d] as number) ^ 0x01;
        const again = scanJsonLine(damaged, 0, damaged.length);
        if (isLineError(again)) return;
        const second = extractSignature(again);
        if (second.status !== 'ok') return;
        const [verdict] = await verifier.verifyBatch([second.item]);
        // Whatever still parses (a message byte changed, or the sig changed to other valid bytes) must fail the check.
        expect(verdict?.status).toBe('invalid');
      }),
      { numRuns: 150 },
    );
  });
});

import { createHash } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { createNativeVerifier, parseJwks, verifyOneSync, type VerificationKey } from '../../src/verify/index.js';
import { verdicts } from './support/backends.js';
import { wycheproofItem, wycheproofSuite } from './support/wycheproof.js';

ed.hashes.sha512 = (message: Uint8Array) => new Uint8Array(createHash('sha512').update(message).digest());

const suite = wycheproofSuite;

/** Every case with its group's key, imported exactly as the key set imports a JWKS. */
const cases = suite.testGroups.flatMap((group) => {
  const [key] = parseJwks(JSON.stringify({ keys: [group.publicKeyJwk] }));
  if (key === undefined) throw new Error('a Wycheproof group key did not import');
  return group.tests.map((test) => ({ test, key, publicKey: Buffer.from(group.publicKey.pk, 'hex') }));
});

const itemOf = wycheproofItem;

describe('Wycheproof ed25519_test.json (fixtures/README.md)', () => {
  it('holds all 151 cases', () => {
    expect(cases).toHaveLength(151);
    expect(suite.numberOfTests).toBe(151);
  });

  it('the pipeline verifier (createNativeVerifier, one batch per group key) agrees with every case', async () => {
    const disagreements: string[] = [];
    for (const group of suite.testGroups) {
      const groupCases = cases.filter((c) => group.tests.includes(c.test));
      const key = groupCases[0]?.key as VerificationKey;
      const verifier = createNativeVerifier(() => [key]);
      const verdicts = await verifier.verifyBatch(groupCases.map((c) => itemOf(c.test)));
      verdicts.forEach((verdict, i) => {
        const test = (groupCases[i] as (typeof groupCases)[number]).test;
        if (verdict.status !== test.result) disagreements.push(`tcId ${test.tcId} (${test.comment}): got ${verdict.status}, expected ${test.result}`);
        if (verdict.status === 'valid') expect(verdict.kid).toBe(key.kid);
      });
    }
    expect(disagreements).toEqual([]);
  });

  it('one batch with every group key: still agrees with every case (a wrong key never validates)', async () => {
    const keys = [...new Map(cases.map((c) => [c.key.kid + c.publicKey.toString('hex'), c.key])).values()];
    const verdicts = await createNativeVerifier(() => keys, { maxPending: 7 }).verifyBatch(cases.map((c) => itemOf(c.test)));
    expect(verdicts.map((v) => v.status)).toEqual(cases.map((c) => c.test.result));
  });

  it('libsodium, node:crypto (behind the JWKS import) and @noble/ed25519 (zip215: false) give the same verdict on every case, and it is the expected one', () => {
    const rows = cases.map(({ test, publicKey }) => {
      const got = verdicts(Buffer.from(test.sig, 'hex'), Buffer.from(test.msg, 'hex'), publicKey);
      return { tcId: test.tcId, ...got, expected: test.result === 'valid' };
    });
    const disagreements = rows.filter((r) => r.libsodium !== r['node-crypto'] || r.libsodium !== r.noble || r.libsodium !== r.expected);
    expect(disagreements).toEqual([]);
    // Both verdicts occur: the comparison is not between three constant answers.
    expect(new Set(rows.map((r) => r.libsodium))).toEqual(new Set([true, false]));
  });

  it('verifyOneSync agrees with every case', () => {
    const got = cases.map((c) => verifyOneSync(itemOf(c.test), [c.key]).status);
    expect(got).toEqual(cases.map((c) => c.test.result));
  });

  it('@noble/ed25519 with { zip215: false } (strict RFC 8032) agrees with every case', () => {
    const got = cases.map(({ test, publicKey }) => {
      try {
        return ed.verify(Buffer.from(test.sig, 'hex'), Buffer.from(test.msg, 'hex'), publicKey, { zip215: false }) ? 'valid' : 'invalid';
      } catch {
        return 'invalid';
      }
    });
    expect(got).toEqual(cases.map((c) => c.test.result));
  });

  it('why zip215: false: the default ZIP-215 rules of noble accept a case that strict RFC 8032 rejects', () => {
    const lenient = cases.filter(({ test, publicKey }) => {
      try {
        return ed.verify(Buffer.from(test.sig, 'hex'), Buffer.from(test.msg, 'hex'), publicKey) !== (test.result === 'valid');
      } catch {
        return test.result === 'valid';
      }
    });
    expect(lenient.map((c) => c.test.result)).toEqual(['invalid']);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildFixtures } from '../../src/testing/fixture-files.js';
import { fixtureKeyFiles, fixturesDir, loadTestKey, testKeyIds } from '../../src/testing/index.js';

describe('fixtures/', () => {
  const files = buildFixtures({ primary: loadTestKey('primary'), rotated: loadTestKey('rotated'), attacker: loadTestKey('attacker') });

  it.each([...files.keys()])('%s is what scripts/make-fixtures.ts makes (run it after changing src/testing)', (path) => {
    expect(readFileSync(`${fixturesDir}${path}`).equals(files.get(path) as Buffer)).toBe(true);
  });

  it.each(['primary', 'rotated', 'attacker'] as const)('the %s test key has its kid and is an Ed25519 private JWK', (name) => {
    const jwk = JSON.parse(readFileSync(fixtureKeyFiles[name], 'utf8')) as Record<string, string>;
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: testKeyIds[name] });
    expect(jwk['d']).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('the attacker key is in no JWKS; the rotated key only in jwks.json', () => {
    const kids = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    expect(kids(fixtureKeyFiles.jwks)).toEqual([testKeyIds.primary, testKeyIds.rotated]);
    expect(kids(fixtureKeyFiles.jwksBeforeRotation)).toEqual([testKeyIds.primary]);
  });
});

/**
 * Regenerates fixtures/ (see fixtures/README.md):
 *
 *   npx tsx scripts/make-fixtures.ts
 *
 * The TEST-ONLY keys in fixtures/keys/ are made once with node:crypto when
 * absent and then reused, so the other files are reproducible byte for byte
 * (Ed25519 signatures are deterministic). Delete fixtures/keys/*-private.jwk.json
 * to make new keys (every signed fixture changes with them).
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildFixtures } from '../src/testing/fixture-files.js';
import { fixtureKeyFiles, fixturesDir, loadTestKey, testKeyIds, testKeyNames } from '../src/testing/test-keys.js';

for (const name of testKeyNames) {
  const file = fixtureKeyFiles[name];
  if (existsSync(file)) continue;
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ kty: jwk.kty, crv: jwk.crv, alg: 'EdDSA', use: 'sig', kid: testKeyIds[name], x: jwk.x, d: jwk.d }, null, 2)}\n`);
  console.log(`made TEST-ONLY key ${testKeyIds[name]} -> ${file}`);
}

const files = buildFixtures({ primary: loadTestKey('primary'), rotated: loadTestKey('rotated'), attacker: loadTestKey('attacker') });
for (const [path, content] of files) {
  const file = join(fixturesDir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote ${join('fixtures', path)} (${content.length} bytes)`);
}

/**
 * The Wycheproof Ed25519 vectors (fixtures/wycheproof-ed25519.json, see
 * fixtures/README.md), read once for the tests that check against them.
 */
import { readFileSync } from 'node:fs';
import type { VerifyItem } from '../../../src/verify/index.js';

export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly msg: string;
  readonly sig: string;
  readonly result: 'valid' | 'invalid';
}

export interface WycheproofGroup {
  readonly publicKey: { readonly pk: string };
  readonly publicKeyJwk: Record<string, string>;
  readonly tests: readonly WycheproofTest[];
}

export const wycheproofSuite = JSON.parse(readFileSync(new URL('../../../fixtures/wycheproof-ed25519.json', import.meta.url), 'utf8')) as {
  readonly numberOfTests: number;
  readonly testGroups: readonly WycheproofGroup[];
};

export const wycheproofItem = (test: WycheproofTest): VerifyItem => ({ message: Buffer.from(test.msg, 'hex'), signature: Buffer.from(test.sig, 'hex') });

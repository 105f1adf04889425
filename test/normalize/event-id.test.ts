import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventIdOf, MAX_SIG_ID_BYTES } from '../../src/normalize/event-id.js';
import { fakeView } from './fake-view.js';

const sha = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('base64url');
const goodSig = 'XQC3OSFxLbi5dy2-o4xAXHT-x8oW5Df-zVsACWQLMU9Q-sPnEyk5CVs4JHwuRcwO0QNLsNaP1wsyrXYPeneXDQ';

describe('eventIdOf', () => {
  it.each([
    ['a well-formed sig is the id', `CEF:0|a|b|c|d|e|0|x=1 sig=${goodSig}`, goodSig, goodSig],
    ['a malformed sig is still the id (independent of verification)', 'CEF:0|a|b|c|d|e|0|x=1 sig=abc=', 'abc=', 'abc='],
    ['no sig: sha256 of the raw line', 'CEF:0|a|b|c|d|e|0|x=1', undefined, sha('CEF:0|a|b|c|d|e|0|x=1')],
    ['an empty sig: sha256 of the raw line', 'CEF:0|a|b|c|d|e|0|x=1 sig=', '', sha('CEF:0|a|b|c|d|e|0|x=1 sig=')],
    ['an oversized sig: sha256 of the raw line', `CEF:0|a|b|c|d|e|0|sig=${'A'.repeat(MAX_SIG_ID_BYTES + 1)}`, 'A'.repeat(MAX_SIG_ID_BYTES + 1), sha(`CEF:0|a|b|c|d|e|0|sig=${'A'.repeat(MAX_SIG_ID_BYTES + 1)}`)],
    ['a sig of exactly the cap is the id', `CEF:0|a|b|c|d|e|0|sig=${'B'.repeat(MAX_SIG_ID_BYTES)}`, 'B'.repeat(MAX_SIG_ID_BYTES), 'B'.repeat(MAX_SIG_ID_BYTES)],
    ['non-ASCII line hashed as its UTF-8 bytes', 'CEF:0|a|b|c|d|e|0|msg=héllo', undefined, sha('CEF:0|a|b|c|d|e|0|msg=héllo')],
  ])('%s', (_quirk, raw, sig, expected) => {
    expect(eventIdOf(fakeView(sig === undefined ? { raw } : { raw, sig }))).toBe(expected);
  });

  it('hashes only the line, not the bytes around it in the batch buffer', () => {
    const view = fakeView({ raw: 'CEF:0|a|b|c|d|e|0|' });
    expect(view.start).toBeGreaterThan(0);
    expect(eventIdOf(view)).toBe(sha('CEF:0|a|b|c|d|e|0|'));
    expect(eventIdOf(view)).toHaveLength(43);
  });
});

describe('eventIdOf with the decoded line (one decode per line)', () => {
  const decoded = (view: ReturnType<typeof fakeView>) => view.rawText();
  it.each([
    ['an ASCII line: the sig is a slice of the line text', `CEF:0|a|b|c|d|e|0|x=1 sig=${goodSig}`],
    ['a multi-byte character before the sig: offsets differ, decoded on its own', `CEF:0|a|b|c|d|e|0|msg=héllo ✓ sig=${goodSig}`],
    ['a 4-byte character before the sig', `CEF:0|a|b|c|d|e|0|msg=😀 sig=${goodSig}`],
  ])('%s', (_quirk, raw) => {
    const view = fakeView({ raw, sig: goodSig });
    expect(eventIdOf(view, decoded(view))).toBe(goodSig);
  });

  it('hashes the bytes of an unsigned line, not its text', () => {
    const view = fakeView({ raw: 'CEF:0|a|b|c|d|e|0|msg=héllo' });
    expect(eventIdOf(view, decoded(view))).toBe(sha('CEF:0|a|b|c|d|e|0|msg=héllo'));
  });
});

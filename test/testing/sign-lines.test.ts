import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineParser, isLineError } from '../../src/lines/parse-line.js';
import { insertSigMember, loadTestKey, makeKonnectLines, signCefLine, signJsonLine, sigPositions, signMessage } from '../../src/testing/index.js';
import { extractSignature, signedMessage, verifyOneSync, type VerificationKey } from '../../src/verify/index.js';

const primary = loadTestKey('primary');
const rotated = loadTestKey('rotated');
const attacker = loadTestKey('attacker');
const { createPublicKey } = await import('node:crypto');
const jwksKeys: VerificationKey[] = [primary, rotated].map((k) => ({ kid: k.kid, key: createPublicKey({ key: { ...k.publicJwk }, format: 'jwk' }) }));
const parser = createLineParser({});

type Outcome = 'valid' | 'invalid' | 'missing' | 'malformed' | 'unparseable';

/** The whole receiver-side check of one line: parse, extract (SPEC 3), verify against both test keys. */
function check(line: Uint8Array | string): { outcome: Outcome; kid?: string } {
  const buf = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const view = parser.parse(buf, 0, buf.length);
  if (isLineError(view)) return { outcome: 'unparseable' };
  const extracted = extractSignature(view);
  if (extracted.status !== 'ok') return { outcome: extracted.status };
  const verdict = verifyOneSync(extracted.item, jwksKeys);
  return verdict.status === 'valid' ? { outcome: 'valid', kid: verdict.kid } : { outcome: 'invalid' };
}

describe('signCefLine', () => {
  const unsigned = '2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1 src=1.2.3.4 user_agent=';
  it('appends " sig=<86 base64url chars>" and the cut gives the unsigned line back', () => {
    const signed = signCefLine(unsigned, primary.privateKey);
    expect(signed).toMatch(/ sig=[A-Za-z0-9_-]{86}$/);
    const view = parser.parse(Buffer.from(signed), 0, Buffer.byteLength(signed));
    if (isLineError(view)) throw new Error(view.message);
    expect(Buffer.from(signedMessage(view)).toString('utf8')).toBe(unsigned);
    expect(check(signed)).toEqual({ outcome: 'valid', kid: primary.kid });
  });

  it('puts the sig before another extension when asked (same signed message)', () => {
    const signed = signCefLine(unsigned, primary.privateKey, { beforeKey: 'src' });
    expect(signed).toContain(` sig=${signMessage(unsigned, primary.privateKey)} src=`);
    expect(check(signed)).toEqual({ outcome: 'valid', kid: primary.kid });
  });

  it('accepts a JWK as well as a KeyObject, with the same (deterministic) signature', () => {
    expect(signCefLine(unsigned, primary.privateJwk)).toBe(signCefLine(unsigned, primary.privateKey));
  });

  it.each([
    ['trailing space (the receiver would cut it with the sig)', `${unsigned}x `],
    ['a line feed inside', 'CEF:0|a|b|c|d|e|0|x=1\ny=2'],
  ])('refuses an unsigned line with %s', (_quirk, line) => {
    expect(() => signCefLine(line, primary.privateKey)).toThrow();
  });

  it('an attacker key gives an invalid line', () => {
    expect(check(signCefLine(unsigned, attacker.privateKey))).toEqual({ outcome: 'invalid' });
  });
});

describe('signJsonLine / insertSigMember', () => {
  const unsigned = '{"a":"x,y","b":{"c":[1,2]},"d":3,"e":"}"}';
  it.each([
    ['first', '{"sig":"S","a":"x,y","b":{"c":[1,2]},"d":3,"e":"}"}'],
    ['middle (a top-level comma, not one inside a string or nested value)', '{"a":"x,y","b":{"c":[1,2]},"sig":"S","d":3,"e":"}"}'],
    ['last', '{"a":"x,y","b":{"c":[1,2]},"d":3,"e":"}","sig":"S"}'],
  ] as const)('inserts the member %s', (position, expected) => {
    expect(insertSigMember(unsigned, '"sig":"S"', position.split(' ')[0] as 'first' | 'middle' | 'last')).toBe(expected);
  });

  it.each([
    ['first', '{"sig":"S"}'],
    ['last', '{"sig":"S"}'],
  ] as const)('inserts into an empty object (%s) without a comma', (position, expected) => {
    expect(insertSigMember('{}', '"sig":"S"', position)).toBe(expected);
  });

  it.each([
    ['not an object', '[1,2]', 'last'],
    ['middle with one member', '{"a":1}', 'middle'],
  ] as const)('refuses %s', (_quirk, line, position) => {
    expect(() => insertSigMember(line, '"sig":"S"', position)).toThrow();
  });

  it.each(sigPositions)('the JSON scanner cuts the %s member back to the unsigned bytes', (position) => {
    const signed = signJsonLine(unsigned, primary.privateKey, position);
    const view = parser.parse(Buffer.from(signed), 0, Buffer.byteLength(signed));
    if (isLineError(view)) throw new Error(view.message);
    expect(Buffer.from(signedMessage(view)).toString('utf8')).toBe(unsigned);
    expect(check(signed)).toEqual({ outcome: 'valid', kid: primary.kid });
  });
});

describe('sign-then-verify (property)', () => {
  const lineArb = fc.record({
    format: fc.constantFrom('cef' as const, 'json' as const),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    position: fc.constantFrom(...sigPositions),
    rotatedKey: fc.boolean(),
  }).map(({ format, seed, position, rotatedKey }) => {
    const key = rotatedKey ? rotated : primary;
    const [unsigned] = makeKonnectLines({ format, count: 1, seed });
    const line = format === 'cef' ? signCefLine(unsigned as string, key.privateKey) : signJsonLine(unsigned as string, key.privateKey, position);
    return { line, kid: key.kid };
  });

  it('every signed Konnect-shaped line verifies, with the kid of its key', () => {
    fc.assert(
      fc.property(lineArb, ({ line, kid }) => {
        expect(check(line)).toEqual({ outcome: 'valid', kid });
      }),
      { numRuns: 150 },
    );
  });

  it('flipping any bit of any byte of a signed line makes it not valid', () => {
    fc.assert(
      fc.property(lineArb, fc.nat(), fc.integer({ min: 0, max: 7 }), ({ line }, at, bit) => {
        const bytes = Buffer.from(line, 'utf8');
        const i = at % bytes.length;
        bytes[i] = (bytes[i] as number) ^ (1 << bit);
        expect(check(bytes).outcome).not.toBe('valid');
      }),
      { numRuns: 300 },
    );
  });
});

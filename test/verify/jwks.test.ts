import { createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isKarError } from '../../src/errors/index.js';
import { generateKeyPair, inspectJwks, jwkThumbprint, jwksOf, parseJwks, TEST_KID_PREFIX } from '../../src/verify/index.js';

const ed = generateKeyPair({ kid: 'ed' }).publicJwk;
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
const ed448 = generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' });

describe('jwkThumbprint (RFC 7638)', () => {
  it('matches the RFC 8037 Appendix A.3 example', () => {
    expect(jwkThumbprint({ crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });
});

describe('parseJwks / inspectJwks: only OKP Ed25519 keys (SPEC 5.4)', () => {
  it('keeps a Konnect-shaped key', () => {
    const [key, ...rest] = parseJwks(JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: 'konnect-1', x: ed.x }] }));
    expect(rest).toEqual([]);
    expect(key?.kid).toBe('konnect-1');
    expect(key?.key.asymmetricKeyType).toBe('ed25519');
    expect(key?.key.type).toBe('public');
  });

  it.each([
    ['an RSA key', { ...rsa, kid: 'rsa' }, 'kty "RSA" is not OKP'],
    ['an X25519 key (OKP, but for key agreement)', { ...x25519, kid: 'x' }, 'crv "X25519" is not Ed25519'],
    ['an Ed448 key', { ...ed448, kid: 'ed448' }, 'crv "Ed448" is not Ed25519'],
    ['an Ed25519 key labelled alg RS256', { ...ed, kid: 'rs', alg: 'RS256' }, 'alg "RS256" is not EdDSA'],
    ['an Ed25519 key with use enc', { ...ed, kid: 'enc', use: 'enc' }, 'use "enc" is not sig'],
    ['an Ed25519 key with key_ops sign only', { ...ed, kid: 'ops', key_ops: ['sign'] }, 'key_ops does not include verify'],
    ['x padded', { ...ed, kid: 'pad', x: `${ed.x}=` }, 'x is not strict base64url of 32 bytes'],
    ['x in standard base64', { ...ed, kid: 'std', x: `+${ed.x.slice(1)}` }, 'x is not strict base64url of 32 bytes'],
    ['x of 31 bytes', { ...ed, kid: 'short', x: ed.x.slice(0, 42) }, 'x is not strict base64url of 32 bytes'],
    ['x missing', { kty: 'OKP', crv: 'Ed25519', kid: 'nox' }, 'x is not strict base64url of 32 bytes'],
    ['a numeric kid', { ...ed, kid: 7 }, 'kid is not a string'],
    ['not an object', 'a string', 'not a JSON object'],
  ])('ignores %s, with the reason', (_quirk, jwk, reason) => {
    const { keys, ignored } = inspectJwks(JSON.stringify({ keys: [jwk, ed] }));
    expect(keys.map((k) => k.kid)).toEqual(['ed']);
    expect(ignored).toHaveLength(1);
    expect(ignored[0]?.reason).toBe(reason);
    expect(ignored[0]?.index).toBe(0);
  });

  it('a key without kid (or with an empty kid) gets its RFC 7638 thumbprint as kid', () => {
    const { kid: _kid, ...noKid } = ed;
    const keys = parseJwks(JSON.stringify({ keys: [noKid, { ...noKid, kid: '' }] }));
    expect(keys.map((k) => k.kid)).toEqual([jwkThumbprint(ed)]);
  });

  it('a JWKS that wrongly carries the private d still yields only a public key', () => {
    const pair = generateKeyPair();
    const [key] = parseJwks(JSON.stringify({ keys: [pair.privateJwk] }));
    expect(key?.key.type).toBe('public');
    const message = Buffer.from('m');
    expect(verify(null, message, key!.key, sign(null, message, pair.privateKey))).toBe(true);
  });

  it('the same key listed twice is kept once; two keys under one kid are both kept', () => {
    const other = generateKeyPair({ kid: 'ed' }).publicJwk;
    expect(parseJwks(JSON.stringify({ keys: [ed, ed] }))).toHaveLength(1);
    expect(parseJwks(JSON.stringify({ keys: [ed, other] }))).toHaveLength(2);
  });

  it('unknown members are ignored (RFC 7517 §4)', () => {
    expect(parseJwks(JSON.stringify({ keys: [{ ...ed, x5t: 'whatever', extra: { a: 1 } }], note: 'x' }))).toHaveLength(1);
  });

  it('an empty key set is not an error here (the key set decides)', () => {
    expect(inspectJwks('{"keys":[]}')).toEqual({ keys: [], ignored: [] });
  });

  it.each([
    ['not JSON', '<html>captive portal</html>'],
    ['an array', '[]'],
    ['no keys member', '{"kty":"OKP"}'],
    ['keys not an array', '{"keys":{}}'],
    ['null', 'null'],
  ])('KAR_ERR_KEYS_INVALID_JWKS: %s', (_quirk, text) => {
    try {
      parseJwks(text);
      expect.unreachable();
    } catch (error) {
      expect(isKarError(error) && error.code).toBe('KAR_ERR_KEYS_INVALID_JWKS');
    }
  });
});

describe('generateKeyPair / jwksOf', () => {
  it('makes a test-labelled Ed25519 pair whose private JWK node can import and whose JWKS parses', () => {
    const pair = generateKeyPair();
    expect(pair.kid.startsWith(TEST_KID_PREFIX)).toBe(true);
    expect(pair.kid).toBe(`${TEST_KID_PREFIX}${jwkThumbprint(pair.publicJwk)}`);
    expect(pair.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: pair.kid, x: expect.any(String) });
    expect(pair.privateJwk).toEqual({ ...pair.publicJwk, d: expect.any(String) });
    const imported = createPrivateKey({ key: pair.privateJwk, format: 'jwk' });
    const message = Buffer.from('hello');
    const [key] = parseJwks(JSON.stringify(jwksOf([pair.publicJwk])));
    expect(verify(null, message, key!.key, sign(null, message, imported))).toBe(true);
  });

  it('jwksOf never copies d, even when handed a private JWK', () => {
    const pair = generateKeyPair({ kid: 'k' });
    const jwks = jwksOf([pair.privateJwk]);
    expect(JSON.stringify(jwks)).not.toContain(pair.privateJwk.d);
    expect(jwks).toEqual({ keys: [pair.publicJwk] });
  });
});

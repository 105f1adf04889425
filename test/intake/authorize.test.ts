import { describe, expect, it } from 'vitest';
import { createAuthorizationCheck } from '../../src/intake/authorize.js';
import { Secret } from '../../src/sinks/secret.js';

const A = 'Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'Splunk bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('createAuthorizationCheck', () => {
  const check = createAuthorizationCheck({ accepted: [new Secret(A), new Secret(B)] });

  it.each([
    ['first value of a rotation', A, true],
    ['second value of a rotation', B, true],
    ['missing header', undefined, false],
    ['empty header', '', false],
    ['different length', 'Bearer a', false],
    ['same length, one byte off', `${A.slice(0, -1)}b`, false],
    ['case differs', A.toUpperCase(), false],
    ['both values joined', `${A},${B}`, false],
    ['non-ASCII', 'Bearer é', false],
  ])('%s', (_quirk, header, expected) => {
    expect(check(header)).toBe(expected);
  });

  it('runs unauthenticated only when explicitly chosen and nothing is configured', () => {
    expect(createAuthorizationCheck({ accepted: [], allowUnauthenticated: true })(undefined)).toBe(true);
    expect(() => createAuthorizationCheck({ accepted: [] })).toThrow(/unauthenticated/);
  });

  it('still requires a configured value when unauthenticated mode is also set', () => {
    const both = createAuthorizationCheck({ accepted: [new Secret(A)], allowUnauthenticated: true });
    expect(both(undefined)).toBe(false);
    expect(both(A)).toBe(true);
  });
});

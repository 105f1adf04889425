import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret, isSecret, redactText, secretSchema } from '../../src/sinks/secret.js';

describe('Secret', () => {
  const secret = new Secret('hunter2-token');

  it.each([
    ['String()', () => String(secret)],
    ['a template literal', () => `${secret}`],
    ['JSON.stringify (what pino does)', () => JSON.stringify({ token: secret })],
    ['util.inspect (what console.log does)', () => inspect({ token: secret }, { depth: 5 })],
    ['util.inspect with showHidden', () => inspect(secret, { showHidden: true })],
    ['object spread then JSON', () => JSON.stringify({ ...secret })],
    ['Object.entries', () => JSON.stringify(Object.entries(secret))],
  ])('never prints its value through %s', (_how, print) => {
    const text = print();
    expect(text).not.toContain('hunter2');
  });

  it('prints [redacted]', () => {
    expect([String(secret), JSON.stringify(secret), inspect(secret)]).toEqual(['[redacted]', '"[redacted]"', '[redacted]']);
  });

  it('reveal() gives the value', () => {
    expect(secret.reveal()).toBe('hunter2-token');
    expect(isSecret(secret)).toBe(true);
    expect(isSecret('hunter2-token')).toBe(false);
  });

  it('the schema wraps strings, keeps Secrets, refuses empty strings', () => {
    const parsed = secretSchema.parse('abc');
    expect(parsed).toBeInstanceOf(Secret);
    expect(parsed.reveal()).toBe('abc');
    expect(secretSchema.parse(secret)).toBe(secret);
    expect(secretSchema.safeParse('').success).toBe(false);
  });

  it('a schema error never quotes the value', () => {
    const result = secretSchema.safeParse(42);
    expect(JSON.stringify(result.error?.issues)).not.toContain('42');
  });

  it('redactText replaces every occurrence of every secret', () => {
    expect(redactText('a hunter2-token b hunter2-token c x', [secret, new Secret('x'), undefined])).toBe('a [redacted] b [redacted] c [redacted]');
  });
});

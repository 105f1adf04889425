import { describe, expect, it } from 'vitest';
import { HEADER, SIG, signedMessage, text, tokenize } from './helpers.js';

const PREFIX = '2025-06-23T14:28:47Z konghq.com ';

describe('tokenizeCef: sig span and the signed bytes (SPEC 3)', () => {
  it.each([
    ['sig last (how Konnect sends it)', `${HEADER}a=1 b=2 sig=${SIG}`, `${HEADER}a=1 b=2`],
    ['sig last after a run of spaces: the whole run is cut', `${HEADER}a=1   sig=${SIG}`, `${HEADER}a=1`],
    ['sig last after an empty value (Kong docs: user_agent=)', `${HEADER}user_agent= sig=${SIG}`, `${HEADER}user_agent=`],
    ['the prefix stays in the signed bytes', `${PREFIX}${HEADER}a=1 sig=${SIG}`, `${PREFIX}${HEADER}a=1`],
    ['sig in the middle', `${HEADER}a=1 sig=${SIG} b=2`, `${HEADER}a=1 b=2`],
    ['sig in the middle after a run of spaces', `${HEADER}a=1  sig=${SIG}  b=2`, `${HEADER}a=1  b=2`],
    ['sig first, after a space: the space is cut', `${HEADER} sig=${SIG} a=1`, `${HEADER} a=1`],
    ['sig first, after spaces and a tab: all of it is cut', `${HEADER}\t sig=${SIG} a=1`, `${HEADER} a=1`],
    ['sig first with nothing before it: the separator after it is cut', `${HEADER}sig=${SIG}   a=1`, `${HEADER}a=1`],
    ['sig alone with nothing before it', `${HEADER}sig=${SIG}`, HEADER],
    ['sig alone after a space', `${HEADER} sig=${SIG}`, HEADER],
    ['trailing whitespace after a last sig is not part of the cut', `${HEADER}a=1 sig=${SIG}  `, `${HEADER}a=1  `],
    ['a duplicated sig: the last one is the sig', `${HEADER}sig=old a=1 sig=${SIG}`, `${HEADER}sig=old a=1`],
    ['sig after text that is not a pair', `${HEADER}junk sig=${SIG} a=1`, `${HEADER}junk a=1`],
  ])('%s', (_quirk, line, signed) => {
    const { error, tokens, buf } = tokenize(line);
    expect(error).toBeUndefined();
    expect(text(buf, tokens.sigStart, tokens.sigEnd)).toBe(SIG);
    expect(signedMessage(tokens)).toBe(signed);
    expect(tokens.field('sig')).toBeUndefined();
    expect(Object.keys(tokens.fields())).not.toContain('sig');
  });

  it.each([
    ['no sig', `${HEADER}a=1 b=2`],
    ['sig2 is not sig', `${HEADER}sig2=${SIG}`],
    ['xsig is not sig', `${HEADER}xsig=${SIG}`],
    ['SIG is not sig (keys are case-sensitive)', `${HEADER}SIG=${SIG}`],
    ['sig= inside a value is not a key', `${HEADER}msg=a;sig=${SIG}`],
    ['sig in the header is not a key', `CEF:0|sig=x|b|c|d|e|f|a=1`],
  ])('%s: no sig span, nothing to cut', (_quirk, line) => {
    const { error, tokens } = tokenize(line);
    expect(error).toBeUndefined();
    expect([tokens.sigStart, tokens.sigEnd, tokens.cutStart, tokens.cutEnd]).toEqual([-1, -1, -1, -1]);
    expect(signedMessage(tokens)).toBe(line);
  });

  it('an empty sig value is a sig span of length 0 (verify calls it malformed)', () => {
    const { tokens } = tokenize(`${HEADER}a=1 sig=`);
    expect(tokens.sigEnd - tokens.sigStart).toBe(0);
    expect(signedMessage(tokens)).toBe(`${HEADER}a=1`);
  });
});

import { describe, expect, it } from 'vitest';
import { createCefTokens, tokenizeCef } from '../../src/cef/index.js';
import { HEADER, ORG_ID, bytes, PORTAL_ID, PRINCIPAL_ID, SIG, signedMessage, text, tokenize } from './helpers.js';

// The two CEF lines of SPEC 2 (Kong's documentation), with made-up ids.
const DEV_PORTAL_LINE =
  `2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate success=true org_id=${ORG_ID} portal_id=${PORTAL_ID} principal_id=${PRINCIPAL_ID} trace_id=3360194145499877252 user_agent= sig=${SIG}`;
const KONNECT_LINE =
  `Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1681450748406 src=127.0.0.6 action=retrieve granted=true org_id=${ORG_ID} principal_id=${PRINCIPAL_ID} trace_id=3895213347334635099 user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges) sig=${SIG}`;

describe('tokenizeCef: extension fields', () => {
  it.each([
    ['Kong docs: Dev Portal authentication line (empty user_agent before sig)', DEV_PORTAL_LINE, {
      rt: '1750688927556', src: '172.71.232.22', request: '/api/v2/developer/authenticate', success: 'true',
      org_id: ORG_ID, portal_id: PORTAL_ID, principal_id: PRINCIPAL_ID, trace_id: '3360194145499877252', user_agent: '',
    }],
    ['Kong docs: Konnect authorization line (spaces, parens and ; in user_agent)', KONNECT_LINE, {
      rt: '1681450748406', src: '127.0.0.6', action: 'retrieve', granted: 'true', org_id: ORG_ID,
      principal_id: PRINCIPAL_ID, trace_id: '3895213347334635099', user_agent: 'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)',
    }],
    ['a run of spaces is one separator', `${HEADER}msg=done   spt=1`, { msg: 'done', spt: '1' }],
    ['URL with = and & is one value', `${HEADER}request=/api/v2/portals?filter[name][eq]=a&page[size]=10 status=200`, {
      request: '/api/v2/portals?filter[name][eq]=a&page[size]=10', status: '200',
    }],
    ['base64 padding == inside a value', `${HEADER}token=YWJjZA== next=1`, { token: 'YWJjZA==', next: '1' }],
    ['base64 padding == in the last value', `${HEADER}a=1 token=abc==`, { a: '1', token: 'abc==' }],
    ['JSON inside a value', `${HEADER}msg={"a":1, "b": "c=d"} x=1`, { msg: '{"a":1, "b": "c=d"}', x: '1' }],
    ['extension escapes \\= \\\\ \\n \\r; other \\x kept', `${HEADER}msg=a\\=b c\\\\d\\ne\\rf\\qg x=1`, { msg: 'a=b c\\d\ne\rf\\qg', x: '1' }],
    ['\\| in an extension is literal (kept with its backslash)', `${HEADER}msg=a\\|b c=d`, { msg: 'a\\|b', c: 'd' }],
    ['raw | in an extension is content', `${HEADER}msg=x|y`, { msg: 'x|y' }],
    ['escaped \\= never ends a key: it is part of the value', `${HEADER}a=1 b\\=c=2`, { a: '1 b=c=2' }],
    ['\\\\ before a space: the space still separates', `${HEADER}path=C:\\\\ x=1`, { path: 'C:\\', x: '1' }],
    ['lone backslash before a space is kept and the space separates', `${HEADER}a=x\\ b=1`, { a: 'x\\', b: '1' }],
    ['trailing lone backslash kept', `${HEADER}a=x\\`, { a: 'x\\' }],
    ['empty values', `${HEADER}a= b= c=`, { a: '', b: '', c: '' }],
    ['empty value before sig', `${HEADER}user_agent= sig=${SIG}`, { user_agent: '' }],
    ['tab inside a value is content', `${HEADER}msg=a\tb spt=1`, { msg: 'a\tb', spt: '1' }],
    ['tab does not separate pairs', `${HEADER}a=1\tb=2`, { a: '1\tb=2' }],
    ['leading whitespace of a value is kept', `${HEADER}a=  x b=1`, { a: '  x', b: '1' }],
    ['leading tab of a value is kept', `${HEADER}a=\tx b=1`, { a: '\tx', b: '1' }],
    ['last value has trailing spaces and tabs trimmed', `${HEADER}a=1 b=x \t `, { a: '1', b: 'x' }],
    ['spaces and tabs right after the header are skipped', `${HEADER} \t a=1`, { a: '1' }],
    ['key grammar: . , [ ] - _ and digits', `${HEADER}ad.k[0],y-z=1 _k=2 9a=3`, { 'ad.k[0],y-z': '1', _k: '2', '9a': '3' }],
    ['a key cannot start with .', `${HEADER}a=1 .b=2`, { a: '1 .b=2' }],
    ['UTF-8 in values', `${HEADER}suser=Jürgen msg=日本 😀`, { suser: 'Jürgen', msg: '日本 😀' }],
    ['quotes are not stripped', `${HEADER}msg="quoted value" x=1`, { msg: '"quoted value"', x: '1' }],
    ['text before the first key is not a field (it is the preamble)', `${HEADER}junk text a=1`, { a: '1' }],
    ['no key at all', `${HEADER}just text`, {}],
    ['no extension', HEADER, {}],
    ['duplicate keys: last wins, first position', `${HEADER}a=1 b=2 a=3`, { a: '3', b: '2' }],
    ['CEF:1', 'CEF:1|KongInc|Konnect|1.0|konnect|Authz.usage|1|a=1', { a: '1' }],
  ])('%s', (_quirk, line, expected) => {
    const { error, tokens } = tokenize(line);
    expect(error).toBeUndefined();
    expect(tokens.fields()).toEqual(expected);
    expect(Object.keys(tokens.fields())).toEqual(Object.keys(expected));
    for (const [key, value] of Object.entries(expected)) expect(tokens.field(key)).toBe(value);
  });

  it.each([
    ['no duplicates', `${HEADER}a=1 b=2`, 0],
    ['one duplicate', `${HEADER}a=1 b=2 a=3`, 1],
    ['three copies count twice', `${HEADER}a=1 a=2 a=3`, 2],
    ['a duplicated sig counts too', `${HEADER}a=1 sig=x sig=${SIG}`, 1],
    ['keys that differ only in case are different', `${HEADER}a=1 A=2`, 0],
  ])('duplicateKeys: %s', (_quirk, line, duplicates) => {
    expect(tokenize(line).tokens.duplicateKeys).toBe(duplicates);
  });

  // SPEC 4: text between the header and the first key= is kept and reported, never dropped silently.
  it.each([
    ['the issue\'s line: two words, then a key', `${HEADER}garbage text msg=hi`, 'garbage text', { msg: 'hi' }],
    ['one word', `${HEADER}junk a=1`, 'junk', { a: '1' }],
    ['whitespace after the header is not part of it', `${HEADER} \t junk a=1`, 'junk', { a: '1' }],
    ['the separator run before the first key is not part of it', `${HEADER}junk text   a=1`, 'junk text', { a: '1' }],
    ['a tab inside it is content', `${HEADER}junk\ttext a=1`, 'junk\ttext', { a: '1' }],
    ['kept verbatim: escapes are not undone, raw = is content', `${HEADER}x\\=y =z a=1`, 'x\\=y =z', { a: '1' }],
    ['a word with = that is not a key (starts with .)', `${HEADER}.a=1 b=2`, '.a=1', { b: '2' }],
    ['no key at all: the whole extension, trailing whitespace trimmed', `${HEADER}just text \t `, 'just text', {}],
    ['before a sig that is the first key', `${HEADER}junk sig=${SIG}`, 'junk', {}],
    ['non-ASCII', `${HEADER}日本 😀 a=1`, '日本 😀', { a: '1' }],
    ['none: the extension starts with a key', `${HEADER}a=1 b=2`, undefined, { a: '1', b: '2' }],
    ['none: whitespace only after the header', `${HEADER}  \t`, undefined, {}],
    ['none: no extension', HEADER, undefined, {}],
  ])('extensionPreamble: %s', (_quirk, line, preamble, fields) => {
    const tokens = createCefTokens();
    // At an offset inside a larger buffer, after a line that had a preamble (the structure is reused).
    const buf = bytes(`${HEADER}earlier a=1\n${line}`);
    const second = buf.indexOf(0x0a) + 1;
    expect(tokenizeCef(buf, 0, second - 1, tokens)).toBeUndefined();
    expect(tokens.extensionPreamble()).toBe('earlier');
    expect(tokenizeCef(buf, second, buf.length, tokens)).toBeUndefined();
    expect(tokens.extensionPreamble()).toBe(preamble);
    expect(tokens.fields()).toEqual(fields);
    // The span is inside the line and its text is what the line holds there.
    if (preamble !== undefined) {
      expect(tokens.preambleStart).toBeGreaterThanOrEqual(tokens.extensionStart);
      expect(tokens.preambleEnd).toBeLessThanOrEqual(buf.length);
      expect(tokens.rawText().includes(preamble)).toBe(true);
    } else {
      expect([tokens.preambleStart, tokens.preambleEnd]).toEqual([-1, -1]);
    }
  });

  it('a preamble before sig: the signed message keeps it (only sig and the run before it are cut)', () => {
    const { tokens } = tokenize(`${HEADER}junk sig=${SIG} a=1`);
    expect(tokens.extensionPreamble()).toBe('junk');
    expect(signedMessage(tokens)).toBe(`${HEADER}junk a=1`);
  });

  it('a key named __proto__ is an ordinary own field', () => {
    const fields = tokenize(`${HEADER}__proto__=x constructor=y`).tokens.fields();
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.entries(fields)).toEqual([['__proto__', 'x'], ['constructor', 'y']]);
  });

  it.each([
    ['sig is not a field', 'sig'],
    ['a missing key', 'nope'],
    ['a non-ASCII name cannot be a key', 'usér'],
    ['the empty name', ''],
  ])('field() is undefined for %s', (_quirk, name) => {
    expect(tokenize(`${HEADER}a=1 sig=${SIG}`).tokens.field(name)).toBeUndefined();
  });

  it('records spans, not strings: key and value offsets point into the buffer', () => {
    const { tokens, buf } = tokenize(`${HEADER}msg=a\\=b x=1`);
    expect(tokens.count).toBe(2);
    expect(text(buf, tokens.keyStart[0]!, tokens.keyEnd[0]!)).toBe('msg');
    expect(text(buf, tokens.valueStart[0]!, tokens.valueEnd[0]!)).toBe('a\\=b');
    expect(tokens.valueEscaped[0]).toBe(1);
    expect(tokens.valueEscaped[1]).toBe(0);
    expect(tokens.extensionStart).toBe(HEADER.length);
  });
});

describe('tokenizeCef: header', () => {
  it.each([
    ['Kong docs: Dev Portal header', DEV_PORTAL_LINE, ['0', 'KongInc', 'Dev-Portal', '1.0', 'AUTHENTICATION_TYPE_BASIC', 'AUTHENTICATION_OUTCOME_SUCCESS', '0']],
    ['CEF:1', 'CEF:1|V|P|2|c|n|5|', ['1', 'V', 'P', '2', 'c', 'n', '5']],
    ['multi-digit version', 'CEF:10|V|P|2|c|n|5|', ['10', 'V', 'P', '2', 'c', 'n', '5']],
    ['\\| and \\\\ are header escapes', 'CEF:0|a\\|b|c\\\\d|v|c|n|1|', ['0', 'a|b', 'c\\d', 'v', 'c', 'n', '1']],
    ['any other backslash in a header is literal', 'CEF:0|a\\x|b\\=c|v|c\\n|n|1|', ['0', 'a\\x', 'b\\=c', 'v', 'c\\n', 'n', '1']],
    ['\\\\ then | ends the field', 'CEF:0|a\\\\|b|v|c|n|1|', ['0', 'a\\', 'b', 'v', 'c', 'n', '1']],
    ['fields are not trimmed', 'CEF:0| a |b |v|c|n| 1 |', ['0', ' a ', 'b ', 'v', 'c', 'n', ' 1 ']],
    ['empty fields', 'CEF:0|||||||', ['0', '', '', '', '', '', '']],
    ['UTF-8 in a header', 'CEF:0|Kong™|Pörtal|1|c|n|1|', ['0', 'Kong™', 'Pörtal', '1', 'c', 'n', '1']],
  ])('%s', (_quirk, line, expected) => {
    const { error, tokens } = tokenize(line);
    expect(error).toBeUndefined();
    const h = tokens.header();
    expect([h.version, h.vendor, h.product, h.product_version, h.event_class_id, h.name, h.severity]).toEqual(expected);
  });

  it('exposes the version span', () => {
    const { tokens, buf } = tokenize('xx CEF:12|a|b|c|d|e|f|');
    expect(text(buf, tokens.versionStart, tokens.versionEnd)).toBe('12');
    expect(tokens.prefixEnd).toBe(3);
  });
});

describe('tokenizeCef: lines that are not CEF', () => {
  it.each([
    ['empty line', '', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['plain text', 'hello world', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['a JSON line', '{"cef_version":"0","sig":"x"}', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['CEF: without digits', 'CEF:|a|b|c|d|e|f|', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['CEF: with a letter version', 'CEF:x|a|b|c|d|e|f|', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['version digits then a space', 'CEF:0 |a|b|c|d|e|f|', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['CEF:0 at the end of the line', 'Apr 14 05:39:08 h CEF:0', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['lower-case cef:', 'cef:0|a|b|c|d|e|f|', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['truncated CEF', 'CE', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['the first CEF: decides', 'CEF:x CEF:0|a|b|c|d|e|f|', 'KAR_ERR_LINE_UNRECOGNIZED'],
    ['6-field header', 'CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1', 'KAR_ERR_CEF_HEADER_INCOMPLETE'],
    ['6-field header with extension-like text', 'CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage a=1', 'KAR_ERR_CEF_HEADER_INCOMPLETE'],
    ['escaped \\| does not terminate a field', 'CEF:0|a|b|c|d|e\\|f|', 'KAR_ERR_CEF_HEADER_INCOMPLETE'],
    ['only the version', 'CEF:0|', 'KAR_ERR_CEF_HEADER_INCOMPLETE'],
  ])('%s', (_quirk, line, code) => {
    const { error } = tokenize(line);
    expect(error?.ok).toBe(false);
    expect(error?.code).toBe(code);
    expect(error?.message.length).toBeGreaterThan(0);
    expect(error?.offset).toBeGreaterThanOrEqual(0);
    expect(error?.offset).toBeLessThanOrEqual(line.length);
  });
});

describe('tokenizeCef: reuse of one token structure', () => {
  it('a line after a failed line does not see stale spans', () => {
    const tokens = createCefTokens();
    expect(tokenize(`${HEADER}a=1 sig=${SIG}`, tokens).tokens.sigStart).toBeGreaterThan(0);
    expect(tokenize('not cef', tokens).error?.code).toBe('KAR_ERR_LINE_UNRECOGNIZED');
    const { tokens: again } = tokenize(`${HEADER}b=2`, tokens);
    expect(again.fields()).toEqual({ b: '2' });
    expect(again.field('a')).toBeUndefined();
    expect([again.sigStart, again.sigEnd, again.cutStart, again.cutEnd, again.duplicateKeys]).toEqual([-1, -1, -1, -1, 0]);
  });

  it('grows for a line with many keys, then gives the memory back for ordinary lines', () => {
    const tokens = createCefTokens();
    const many = Array.from({ length: 5000 }, (_, i) => `k${i}=${i}`).join(' ');
    const big = tokenize(`${HEADER}${many}`, tokens).tokens;
    expect(big.count).toBe(5000);
    expect(big.field('k4999')).toBe('4999');
    expect(big.field('k0')).toBe('0');
    expect(big.duplicateKeys).toBe(0);
    const small = tokenize(`${HEADER}a=1 a=2`, tokens).tokens;
    expect(small.keyStart.length).toBeLessThan(5000);
    expect(small.fields()).toEqual({ a: '2' });
    expect(small.duplicateKeys).toBe(1);
  });

  // One token structure reused line after line: each line's record holds its own keys and values only.
  it.each([
    ['the same keys, other values', [`${HEADER}a=1 b=2 sig=${SIG}`, `${HEADER}a=3 b=4 sig=${SIG}`], [{ a: '1', b: '2' }, { a: '3', b: '4' }]],
    ['the same keys, the sig elsewhere', [`${HEADER}a=1 b=2 sig=${SIG}`, `${HEADER}a=1 sig=${SIG} b=2`], [{ a: '1', b: '2' }, { a: '1', b: '2' }]],
    ['integer-like keys come first either way', [`${HEADER}b=1 7=2 a=3`, `${HEADER}b=4 7=5 a=6`], [{ 7: '2', b: '1', a: '3' }, { 7: '5', b: '4', a: '6' }]],
    ['a duplicate after the same sequence without one', [`${HEADER}a=1 b=2`, `${HEADER}a=1 a=2`, `${HEADER}a=1 b=2`], [{ a: '1', b: '2' }, { a: '2' }, { a: '1', b: '2' }]],
    ['__proto__ twice', [`${HEADER}__proto__=1 a=2`, `${HEADER}__proto__=3 a=4`], [{ ['__proto__']: '1', a: '2' }, { ['__proto__']: '3', a: '4' }]],
    ['escaped values', [`${HEADER}a=x\\=y b=1`, `${HEADER}a=plain b=2`], [{ a: 'x=y', b: '1' }, { a: 'plain', b: '2' }]],
  ])('a line with the key sequence of an earlier line: %s', (_quirk, lines, expected) => {
    const tokens = createCefTokens();
    lines.forEach((line, k) => {
      tokenize(line, tokens);
      const fields = tokens.fields();
      expect(Object.entries(fields)).toEqual(Object.entries(expected[k]!));
      expect(Object.getOwnPropertyNames(fields)).toEqual(Object.keys(expected[k]!));
    });
  });

  it('changing a returned record does not change the next line with the same keys', () => {
    const tokens = createCefTokens();
    const first = tokenize(`${HEADER}a=1 b=2`, tokens).tokens.fields();
    first.a = 'changed';
    first.extra = 'x';
    delete first.b;
    expect(Object.entries(tokenize(`${HEADER}a=3 b=4`, tokens).tokens.fields())).toEqual([['a', '3'], ['b', '4']]);
  });

  it('a hundred different key sequences on one token structure: each line reads its own keys', () => {
    const tokens = createCefTokens();
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < 100; n++) {
        tokenize(`${HEADER}k${n}=${round} rt=${n}`, tokens);
        expect(Object.entries(tokens.fields())).toEqual([[`k${n}`, String(round)], ['rt', String(n)]]);
      }
    }
  });

  it.each([
    ['end past the buffer', 0, 10_000],
    ['negative start', -5, 10_000],
  ])('clamps a range outside the buffer (%s) instead of reading past it', (_quirk, start, end) => {
    const tokens = createCefTokens();
    const buf = bytes(`${HEADER}a=1`);
    expect(tokenizeCef(buf, start, end, tokens)).toBeUndefined();
    expect(tokens.fields()).toEqual({ a: '1' });
    expect(tokens.end).toBe(buf.length);
  });

  it('an empty or inverted range is not CEF', () => {
    expect(tokenizeCef(bytes(HEADER), 10, 5, createCefTokens())?.code).toBe('KAR_ERR_LINE_UNRECOGNIZED');
  });
});

describe('tokenizeCef: the line as text (rawText) and field kinds', () => {
  it.each([
    ['an ASCII line in the middle of a batch', `${HEADER}a=1 msg=hello sig=${SIG}`, 'hello'],
    ['multi-byte characters (field offsets no longer match the text)', `${HEADER}a=1 msg=héllo ✓ 😀 sig=${SIG}`, 'héllo ✓ 😀'],
  ])('rawText is the exact line, and field reads agree with it: %s', (_quirk, line, msg) => {
    const lead = bytes('x\n');
    const buf = new Uint8Array([...lead, ...bytes(line), ...bytes('\ny')]);
    const tokens = createCefTokens();
    expect(tokenizeCef(buf, lead.length, buf.length - 2, tokens)).toBeUndefined();
    expect(tokens.rawText()).toBe(line);
    expect(tokens.fields()).toEqual({ a: '1', msg });
    expect(tokens.header().name).toBe('Authz.usage');
  });

  it('rawText follows the token structure to the next line', () => {
    const tokens = createCefTokens();
    tokenize(`${HEADER}a=1`, tokens);
    expect(tokens.rawText()).toBe(`${HEADER}a=1`);
    tokenize(`${HEADER}b=2`, tokens);
    expect(tokens.rawText()).toBe(`${HEADER}b=2`);
  });

  it.each([
    ['a value', 'a', 'string'],
    ['an empty value', 'e', 'string'],
    ['the text null is a CEF string', 'n', 'string'],
    ['an absent field', 'zz', undefined],
    ['sig is not a field', 'sig', undefined],
  ])('fieldKind: %s', (_quirk, name, kind) => {
    expect(tokenize(`${HEADER}a=1 e= n=null sig=${SIG}`).tokens.fieldKind(name)).toBe(kind);
  });
});

// The prefix and value scans read 4 bytes at a time (tokenize.ts): every
// position of the byte that stops them within a word, at every alignment of
// the line in the buffer, must give what a byte-by-byte reading gives.
describe('tokenizeCef: word-at-a-time scans', () => {
  const pads = Array.from({ length: 9 }, (_, n) => n);
  it.each(pads)('prefix, separator, escape and last value with %i filler bytes, at buffer offsets 0-4', (n) => {
    const fill = (c: string): string => c.repeat(n);
    const line = `${fill('p')} CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|a=${fill('x')}\\=${fill('y')} b=${fill('z')} c=${fill('w')}\\\\  `;
    for (let offset = 0; offset <= 4; offset++) {
      const lead = bytes('\n'.repeat(offset));
      const buf = new Uint8Array([...lead, ...bytes(line), ...bytes(' C=1 ')]);
      const tokens = createCefTokens();
      expect(tokenizeCef(buf, lead.length, lead.length + bytes(line).length, tokens)).toBeUndefined();
      expect(tokens.prefix().text).toBe(`${fill('p')} `);
      expect(tokens.fields()).toEqual({ a: `${fill('x')}=${fill('y')}`, b: fill('z'), c: `${fill('w')}\\` });
    }
  });

  // An ASCII line is decoded as Latin-1 (tokens.ts): one byte >= 0x80 that
  // the scans do not see would turn the text into mojibake.
  it.each([
    ['in the prefix', `host-é ${HEADER}a=1`, { a: '1' }],
    ['in the prefix, its last byte before CEF:', `hosté${HEADER}a=1`, { a: '1' }],
    ['in a header field', 'CEF:0|Kéng|Konnect|1.0|konnect|Authz.usage|1|a=1', { a: '1' }],
    ['in a long value', `${HEADER}a=xxxxxxxxxxxé b=1`, { a: 'xxxxxxxxxxxé', b: '1' }],
    ['in the last bytes of the line', `${HEADER}a=1 b=é`, { a: '1', b: 'é' }],
    ['right after an escape', `${HEADER}a=\\é b=1`, { a: '\\é', b: '1' }],
    ['in text before the first key', `${HEADER}é junk a=1`, { a: '1' }],
    ['after a space that does not separate', `${HEADER}a=x é b=1`, { a: 'x é', b: '1' }],
  ])('a non-ASCII byte %s: rawText and fields are the UTF-8 text, at buffer offsets 0-4', (_where, line, fields) => {
    for (let offset = 0; offset <= 4; offset++) {
      const lead = bytes('\n'.repeat(offset));
      const body = bytes(line);
      const buf = new Uint8Array([...lead, ...body]);
      const tokens = createCefTokens();
      expect(tokenizeCef(buf, lead.length, buf.length, tokens)).toBeUndefined();
      expect(tokens.rawText()).toBe(line);
      expect(tokens.fields()).toEqual(fields);
      expect(tokens.header().vendor).toBe(line.includes('Kéng') ? 'Kéng' : 'KongInc');
    }
  });

  it('a line in a resizable ArrayBuffer reads the same, and after the buffer shrinks nothing throws', () => {
    const line = bytes(KONNECT_LINE);
    // ES2024 API, not in this project's ES2023 lib typings.
    type Resizable = ArrayBuffer & { resize(n: number): void };
    const ResizableBuffer = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => Resizable;
    const resizable = new ResizableBuffer(line.length, { maxByteLength: 2 * line.length });
    const buf = new Uint8Array(resizable);
    buf.set(line);
    const tokens = createCefTokens();
    expect(tokenizeCef(buf, 0, line.length, tokens)).toBeUndefined();
    expect(tokens.fields()).toEqual(tokenize(KONNECT_LINE).tokens.fields());
    expect(tokens.rawText()).toBe(KONNECT_LINE);
    // Byte by byte, a non-ASCII prefix is seen too.
    const accented = bytes(`é${KONNECT_LINE.slice(2)}`);
    buf.set(accented);
    expect(tokenizeCef(buf, 0, accented.length, tokens)).toBeUndefined();
    expect(tokens.rawText()).toBe(`é${KONNECT_LINE.slice(2)}`);
    resizable.resize(40); // `Apr 14 05:39:08 konghq.com CEF:0|KongInc`
    expect(tokenizeCef(buf, 0, line.length, tokens)?.code).toBe('KAR_ERR_CEF_HEADER_INCOMPLETE');
  });

  it('one token structure alternating between two batch buffers reads each line from its own buffer', () => {
    const tokens = createCefTokens();
    const first = bytes(`${HEADER}a=first b=1`);
    const second = bytes(`x ${HEADER}a=second`);
    for (let round = 0; round < 3; round++) {
      expect(tokenizeCef(first, 0, first.length, tokens)).toBeUndefined();
      expect(tokens.fields()).toEqual({ a: 'first', b: '1' });
      expect(tokenizeCef(second, 0, second.length, tokens)).toBeUndefined();
      expect(tokens.fields()).toEqual({ a: 'second' });
    }
  });
});

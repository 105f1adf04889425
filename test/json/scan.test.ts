import { describe, expect, it } from 'vitest';
import { scanJsonLine } from '../../src/json/index.js';
import { isLineError } from '../../src/lines/parse-line.js';
import type { LineError, LineView } from '../../src/lines/types.js';

const SIG = 'Jm73'.padEnd(86, 'A');

function scan(text: string, pad = ''): LineView | LineError {
  // `pad` puts the line in the middle of a larger buffer: offsets must be absolute.
  const buf = Buffer.from(`${pad}${text}${pad}`);
  return scanJsonLine(buf, Buffer.byteLength(pad), Buffer.byteLength(pad) + Buffer.byteLength(text));
}

function view(text: string, pad = ''): LineView {
  const result = scan(text, pad);
  if (isLineError(result)) throw new Error(`unexpected error: ${result.message}`);
  return result;
}

function error(text: string): LineError {
  const result = scan(text);
  if (!isLineError(result)) throw new Error('expected an error');
  return result;
}

/** The line with the cut span removed, as text. */
function signedText(v: LineView): string {
  const b = Buffer.from(v.buf);
  return b.toString('utf8', v.start, v.cutStart) + b.toString('utf8', v.cutEnd, v.end);
}

function sigText(v: LineView): string {
  return Buffer.from(v.buf).toString('utf8', v.sigStart, v.sigEnd);
}

describe('scanJsonLine: the sig member and the signed bytes (SPEC 3)', () => {
  it.each([
    ['sig last (Konnect)', `{"a":1,"b":"x","sig":"${SIG}"}`, '{"a":1,"b":"x"}'],
    ['sig first: it goes with its following comma', `{"sig":"${SIG}","a":1}`, '{"a":1}'],
    ['sig in the middle: it goes with its preceding comma', `{"a":1,"sig":"${SIG}","b":2}`, '{"a":1,"b":2}'],
    ['sig the only member', `{"sig":"${SIG}"}`, '{}'],
    ['whitespace around the comma before sig: only what lies between comma and member end goes', `{"a":1 , "sig" : "${SIG}" }`, '{"a":1  }'],
    ['whitespace after a first sig: the gap up to its comma goes, the gap after the comma stays', `{ "sig":"${SIG}" , "a":1}`, '{  "a":1}'],
    ['whitespace around the only member stays', `{ "sig":"${SIG}" }`, '{  }'],
    ['tabs and spaces inside the member go with it', `{"a":1,"sig"\t:\t"${SIG}"}`, '{"a":1}'],
    ['a sig key spelled with an escape is still the sig', `{"a":1,"s\\u0069g":"${SIG}"}`, '{"a":1}'],
    ['duplicate sig: the last one is the sig and only it is cut', `{"sig":"first","a":1,"sig":"${SIG}"}`, '{"sig":"first","a":1}'],
    ['a nested sig is not the line signature', `{"x":{"sig":"n"},"sig":"${SIG}"}`, '{"x":{"sig":"n"}}'],
  ])('%s', (_quirk, line, signed) => {
    const v = view(line, 'xx\n');
    expect(sigText(v)).toBe(SIG);
    expect(signedText(v)).toBe(signed);
    expect(v.field('sig')).toBeUndefined();
    expect(Object.keys(v.fields())).not.toContain('sig');
  });

  it.each([
    ['a number', '{"a":1,"sig":123}', '123'],
    ['an empty string', '{"a":1,"sig":""}', ''],
    ['an object', '{"a":1,"sig":{"v":1}}', '{"v":1}'],
    ['a string with an escape (kept raw: strict base64url rejects it later)', '{"a":1,"sig":"a\\u0041"}', 'a\\u0041'],
  ])('sig that is %s: its span is the raw value text', (_quirk, line, raw) => {
    const v = view(line);
    expect(v.sigStart).toBeGreaterThanOrEqual(0);
    expect(sigText(v)).toBe(raw);
    expect(signedText(v)).toBe('{"a":1}');
  });

  it('no sig: every span is -1', () => {
    const v = view('{"a":1,"signature":"x","Sig":"y"}');
    expect([v.sigStart, v.sigEnd, v.cutStart, v.cutEnd]).toEqual([-1, -1, -1, -1]);
  });
});

describe('scanJsonLine: fields, lossless', () => {
  it('keeps a 64-bit trace_id as its exact source text (JSON.parse would round it)', () => {
    const v = view('{"trace_id":3895213347334635099,"rt":1682715129807}');
    expect(v.field('trace_id')).toBe('3895213347334635099');
    expect(String(JSON.parse('{"t":3895213347334635099}').t)).not.toBe('3895213347334635099');
    expect(v.field('rt')).toBe('1682715129807');
  });

  it.each([
    ['negative zero', '-0', '-0'],
    ['a huge exponent', '1e400', '1e400'],
    ['a fraction with exponent', '-12.50E+3', '-12.50E+3'],
    ['true', 'true', 'true'],
    ['false', 'false', 'false'],
    ['null', 'null', 'null'],
    ['a nested object, byte for byte', '{ "b" : [1, {"c":"d\\n"}] }', '{ "b" : [1, {"c":"d\\n"}] }'],
    ['an array', '[1,"two",[3]]', '[1,"two",[3]]'],
    ['an empty array', '[]', '[]'],
  ])('non-string value: %s', (_quirk, source, expected) => {
    expect(view(`{"v":${source},"sig":"x"}`).field('v')).toBe(expected);
  });

  it.each([
    ['simple escapes', '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"', 'a"b\\c/d\b\f\n\r\t'],
    ['\\u escapes', '"\\u0041\\u00e9\\u20AC"', 'Aé€'],
    ['a surrogate pair as two escapes', '"\\ud83d\\ude00"', '😀'],
    ['a lone surrogate stays lone (like JSON.parse)', '"\\ud83d x"', '\ud83d x'],
    ['raw UTF-8', '"héllo 世界 😀"', 'héllo 世界 😀'],
    ['an empty string', '""', ''],
    ['spaces, ( ; = inside', '"grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; a=b)"', 'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; a=b)'],
  ])('string value: %s', (_quirk, source, expected) => {
    expect(view(`{"v":${source}}`).field('v')).toBe(expected);
    expect(view(`{"v":${source}}`).field('v')).toBe(JSON.parse(source));
  });

  it('escaped member names are decoded', () => {
    expect(view('{"tr\\u0061ce_id":"1"}').fields()).toEqual({ trace_id: '1' });
  });

  it('duplicate keys: last one wins, in the position of the first, and each repeat is counted', () => {
    const v = view('{"a":1,"b":2,"a":3,"a":4,"sig":"x","sig":"y"}');
    expect(v.fields()).toEqual({ a: '4', b: '2' });
    expect(Object.keys(v.fields())).toEqual(['a', 'b']);
    expect(v.field('a')).toBe('4');
    expect(v.duplicateKeys).toBe(3);
  });

  it('a member named __proto__ is data, not a prototype', () => {
    const fields = view('{"__proto__":"p","a":"1"}').fields();
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
  });

  it('header() from cef_version, event_vendor, ...; missing members are ""', () => {
    const v = view(
      '{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_vendor":"KongInc","event_version":"1.0","name":"Authz.identity-provider","severity":1,"sig":"x"}',
    );
    expect(v.header()).toEqual({
      version: '0',
      vendor: 'KongInc',
      product: 'Konnect',
      product_version: '1.0',
      event_class_id: 'identity',
      name: 'Authz.identity-provider',
      severity: '1',
    });
    expect(view('{"name":"n"}').header()).toEqual({ version: '', vendor: '', product: '', product_version: '', event_class_id: '', name: 'n', severity: '' });
  });

  it('format json, empty prefix, spans of the line inside a larger buffer', () => {
    const v = view('{"a":1}', 'abc');
    expect(v.format).toBe('json');
    expect(v.prefix()).toEqual({ text: '' });
    expect([v.start, v.end]).toEqual([3, 10]);
  });

  it('the Konnect sample line from the docs', () => {
    const line =
      '{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.identity-provider","org_id":"o","principal_id":"p","rt":1682715129807,"severity":1,"src":"127.0.0.6","trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0","sig":"Jm73"}';
    const v = view(line);
    expect(v.field('granted')).toBe('true');
    expect(v.field('trace_id')).toBe('3895213347334635099');
    expect(signedText(v)).toBe(line.replace(',"sig":"Jm73"', ''));
    expect(Object.keys(v.fields())).toHaveLength(16);
  });

  it('leading and trailing whitespace around the object are allowed', () => {
    expect(view(' \t{"a":1} \t').field('a')).toBe('1');
  });
});

describe('scanJsonLine: errors are values with the byte offset inside the line', () => {
  it.each([
    ['trailing comma in the object', '{"a":1,}', 'KAR_ERR_JSON_SYNTAX', 7],
    ['trailing comma in an array', '{"a":[1,]}', 'KAR_ERR_JSON_SYNTAX', 8],
    ['truncated line', '{"a":1,"sig":"abc', 'KAR_ERR_JSON_SYNTAX', 17],
    ['truncated after a colon', '{"a":', 'KAR_ERR_JSON_SYNTAX', 5],
    ['unquoted key', '{a:1}', 'KAR_ERR_JSON_SYNTAX', 1],
    ['single quotes', "{'a':1}", 'KAR_ERR_JSON_SYNTAX', 1],
    ['missing colon', '{"a" 1}', 'KAR_ERR_JSON_SYNTAX', 5],
    ['leading zero', '{"a":01}', 'KAR_ERR_JSON_SYNTAX', 6],
    ['plus sign', '{"a":+1}', 'KAR_ERR_JSON_SYNTAX', 5],
    ['bare decimal point', '{"a":1.}', 'KAR_ERR_JSON_SYNTAX', 7],
    ['empty exponent', '{"a":1e}', 'KAR_ERR_JSON_SYNTAX', 7],
    ['NaN', '{"a":NaN}', 'KAR_ERR_JSON_SYNTAX', 5],
    ['misspelled literal', '{"a":tru}', 'KAR_ERR_JSON_SYNTAX', 8],
    ['bad escape', '{"a":"\\x"}', 'KAR_ERR_JSON_SYNTAX', 6],
    ['short \\u escape', '{"a":"\\u12"}', 'KAR_ERR_JSON_SYNTAX', 6],
    ['raw tab in a string', '{"a":"x\ty"}', 'KAR_ERR_JSON_SYNTAX', 7],
    ['a comment', '{"a":1 /* c */}', 'KAR_ERR_JSON_SYNTAX', 7],
    ['empty line', '   ', 'KAR_ERR_JSON_SYNTAX', 3],
    ['two objects', '{"a":1}{"b":2}', 'KAR_ERR_JSON_NOT_OBJECT', 7],
    ['trailing garbage after the object', '{"a":1} x', 'KAR_ERR_JSON_NOT_OBJECT', 8],
    ['an array line', '[1,2]', 'KAR_ERR_JSON_NOT_OBJECT', 0],
    ['a string line', ' "x"', 'KAR_ERR_JSON_NOT_OBJECT', 1],
    ['a number line', '42', 'KAR_ERR_JSON_NOT_OBJECT', 0],
    ['an array followed by garbage is not valid JSON at all', '[1] x', 'KAR_ERR_JSON_SYNTAX', 4],
    ['CEF is not JSON', 'CEF:0|KongInc|Konnect|1.0|x|y|1|', 'KAR_ERR_JSON_SYNTAX', 0],
  ])('%s', (_quirk, line, code, offset) => {
    const e = error(line);
    expect(e).toMatchObject({ ok: false, code, offset });
    if (code === 'KAR_ERR_JSON_SYNTAX') expect(e.message).toMatch(new RegExp(` at byte ${offset}$`));
  });

  it('invalid UTF-8 inside a string is KAR_ERR_LINE_NOT_UTF8 at its offset', () => {
    const buf = Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(scanJsonLine(buf, 0, buf.length)).toMatchObject({ ok: false, code: 'KAR_ERR_LINE_NOT_UTF8', offset: 7 });
  });

  it.each([
    ['overlong encoding', [0xc0, 0xaf]],
    ['UTF-16 surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated sequence', [0xe2, 0x82]],
  ])('invalid UTF-8: %s', (_quirk, bytes) => {
    const buf = Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bytes), Buffer.from('"}')]);
    expect(scanJsonLine(buf, 0, buf.length)).toMatchObject({ code: 'KAR_ERR_LINE_NOT_UTF8' });
  });

  it('a line span outside the buffer is an error, not a throw', () => {
    expect(scanJsonLine(Buffer.from('{}'), 0, 5)).toMatchObject({ ok: false, code: 'KAR_ERR_JSON_SYNTAX' });
  });
});

describe('scanJsonLine: nesting is bounded without recursion', () => {
  it('accepts 512 levels (the object itself included)', () => {
    const line = `{"x":${'['.repeat(511)}${']'.repeat(511)}}`;
    expect(view(line).field('x')).toHaveLength(1022);
  });

  it('refuses 513 levels with a syntax error at the offending bracket', () => {
    const line = `{"x":${'['.repeat(512)}${']'.repeat(512)}}`;
    expect(error(line)).toMatchObject({ code: 'KAR_ERR_JSON_SYNTAX', offset: 5 + 511 });
  });

  it('does not overflow the stack on a million brackets', () => {
    expect(error(`{"x":${'[{"a":'.repeat(200_000)}`).code).toBe('KAR_ERR_JSON_SYNTAX');
    expect(error('['.repeat(1_000_000)).code).toBe('KAR_ERR_JSON_SYNTAX');
  });
});

describe('scanJsonLine: the line as text (rawText) and field kinds', () => {
  it.each([
    ['an ASCII line', '{"a":1,"sig":"x"}'],
    ['multi-byte characters', '{"msg":"héllo ✓ 😀","sig":"x"}'],
  ])('rawText is the exact line, not the bytes around it: %s', (_quirk, line) => {
    expect(view(line, 'pad').rawText()).toBe(line);
  });

  const line = '{"s":"x","e":"","n":null,"sn":"null","t":true,"f":false,"i":-1.5e3,"o":{"a":null},"a":[],"d":null,"d":"last","sig":"x"}';
  it.each([
    ['a string', 's', 'string'],
    ['an empty string', 'e', 'string'],
    ['null', 'n', 'null'],
    ['the string "null"', 'sn', 'string'],
    ['true', 't', 'boolean'],
    ['false', 'f', 'boolean'],
    ['a number', 'i', 'number'],
    ['an object', 'o', 'object'],
    ['an array', 'a', 'array'],
    ['a duplicate: the last one wins', 'd', 'string'],
    ['an absent member', 'zz', undefined],
    ['sig is not a field', 'sig', undefined],
  ])('fieldKind: %s', (_quirk, name, kind) => {
    expect(view(line).fieldKind(name)).toBe(kind);
  });

  it.each([
    ['an ASCII line (names and values are slices of the decoded line)', '{"a":"x y","n":12,"e":"","u":"\\u00e9"}', { a: 'x y', n: '12', e: '', u: 'é' }],
    ['a multi-byte character first: byte offsets are not string offsets', '{"é":"✓","a":"x y","n":12,"k😀":"v"}', { 'é': '✓', a: 'x y', n: '12', 'k😀': 'v' }],
  ])('fields agree with rawText: %s', (_quirk, line, expected) => {
    const v = view(line, 'pad');
    expect(v.fields()).toEqual(expected);
    expect(v.rawText()).toBe(line);
  });

  it('fieldKind finds a member whose name is escaped', () => {
    expect(view('{"actor\\u005fid":null}').fieldKind('actor_id')).toBe('null');
  });
});

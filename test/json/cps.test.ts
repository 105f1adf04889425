/**
 * Konnect's `cps` format (SPEC 2): JSON lines wrapped as `{"event":{...}}`.
 * The view reads the wrapped event (header, fields, kinds) while the signed
 * message stays the whole line without the `sig` member (SPEC 3), whether
 * the sig sits inside the event or beside it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJsonLine } from '../../src/json/index.js';
import { isLineError } from '../../src/lines/parse-line.js';
import type { LineView } from '../../src/lines/types.js';
import { cpsSigPlaces } from '../../src/testing/index.js';

const SIG = 'Jm73'.padEnd(86, 'A');
const EVENT = '{"cef_version":"0","event_vendor":"KongInc","event_product":"Konnect","event_version":"1.0","event_class_id":"identity","name":"Authz.identity-provider","severity":1,"action":"read","granted":true,"trace_id":3895213347334635099}';

function view(text: string): LineView {
  // In the middle of a larger buffer: offsets must be absolute.
  const buf = Buffer.from(`xx\n${text}\nyy`);
  const result = scanJsonLine(buf, 3, 3 + Buffer.byteLength(text));
  if (isLineError(result)) throw new Error(`unexpected error: ${result.message}`);
  return result;
}

function signedText(v: LineView): string {
  const b = Buffer.from(v.buf);
  return v.cutStart < 0 ? b.toString('utf8', v.start, v.end) : b.toString('utf8', v.start, v.cutStart) + b.toString('utf8', v.cutEnd, v.end);
}

function sigText(v: LineView): string {
  return Buffer.from(v.buf).toString('utf8', v.sigStart, v.sigEnd);
}

const inner = (sigMember: string, where: 'first' | 'last') => (where === 'first' ? `{${sigMember},${EVENT.slice(1)}` : `${EVENT.slice(0, -1)},${sigMember}}`);

describe('scanJsonLine: cps lines are unwrapped', () => {
  it('header, fields and kinds come from the event; format is cps', () => {
    const v = view(`{"event":${EVENT}}`);
    expect(v.format).toBe('cps');
    expect(v.header()).toEqual({ version: '0', vendor: 'KongInc', product: 'Konnect', product_version: '1.0', event_class_id: 'identity', name: 'Authz.identity-provider', severity: '1' });
    expect(v.fields()).toMatchObject({ action: 'read', granted: 'true', trace_id: '3895213347334635099' });
    expect(Object.keys(v.fields())).not.toContain('event');
    expect(v.field('granted')).toBe('true');
    expect(v.fieldKind('granted')).toBe('boolean');
    expect(v.rawText()).toBe(`{"event":${EVENT}}`);
    expect([v.sigStart, v.cutStart]).toEqual([-1, -1]);
  });

  it.each([
    ['sig last inside the event', `{"event":${inner(`"sig":"${SIG}"`, 'last')}}`],
    ['sig first inside the event', `{"event":${inner(`"sig":"${SIG}"`, 'first')}}`],
    ['sig beside the event, after it', `{"event":${EVENT},"sig":"${SIG}"}`],
    ['sig beside the event, before it', `{"sig":"${SIG}","event":${EVENT}}`],
    ['whitespace between tokens is signed as sent', `{ "event" : ${EVENT.slice(0, -1)} , "sig" : "${SIG}" } }`],
  ])('%s: the signed message is the line without the sig member', (_where, line) => {
    const v = view(line);
    expect(v.format).toBe('cps');
    expect(sigText(v)).toBe(SIG);
    // The same bytes a signer gets from the unsigned wrapper (whitespace kept).
    expect(signedText(v)).toBe(line.replace(`"sig":"${SIG}",`, '').replace(`,"sig":"${SIG}"`, '').replace(` , "sig" : "${SIG}"`, ' '));
    expect(v.field('sig')).toBeUndefined();
    expect(v.fields()['action']).toBe('read');
    expect(v.duplicateKeys).toBe(0);
  });

  it('a sig inside and beside: a duplicate, the later one in the line is the sig and the other stays signed', () => {
    const line = `{"event":${inner('"sig":"inner"', 'last')},"sig":"${SIG}"}`;
    const v = view(line);
    expect(sigText(v)).toBe(SIG);
    expect(signedText(v)).toBe(`{"event":${inner('"sig":"inner"', 'last')}}`);
    expect(v.duplicateKeys).toBe(1);
  });

  it.each([
    ['another member beside event', `{"event":${EVENT},"host":"h"}`, ['event', 'host']],
    ['event is not an object', '{"event":"login","rt":1}', ['event', 'rt']],
    ['event is an array', '{"event":[1,2]}', ['event']],
    ['two event members', `{"event":${EVENT},"event":{"a":1}}`, ['event']],
    ['an escaped spelling of event', `{"\\u0065vent":${EVENT}}`, ['event']],
  ])('not a cps wrapper (%s): plain JSON, nothing lost', (_quirk, line, keys) => {
    const v = view(line);
    expect(v.format).toBe('json');
    expect(Object.keys(v.fields())).toEqual(keys);
  });

  it('an empty event is a cps line with an empty header', () => {
    const v = view('{"event":{}}');
    expect(v.format).toBe('cps');
    expect(v.fields()).toEqual({});
    expect(v.header().vendor).toBe('');
  });

  it.each([
    ['a syntax error inside the event', `{"event":{"a":}}`, 'KAR_ERR_JSON_SYNTAX', 14],
    ['bytes after the wrapper', `{"event":{"a":1}} x`, 'KAR_ERR_JSON_NOT_OBJECT', 18],
    ['an unterminated event', `{"event":{"a":1}`, 'KAR_ERR_JSON_SYNTAX', 16],
  ])('%s: an error value with its offset', (_quirk, line, code, offset) => {
    const buf = Buffer.from(line);
    const result = scanJsonLine(buf, 0, buf.length);
    expect(isLineError(result) && { code: result.code, offset: result.offset }).toEqual({ code, offset });
  });
});

describe('scanJsonLine: cps properties', () => {
  // Member names but `sig` (a second signature) and `event` (the plain reading would unwrap it).
  const name = fc.string({ maxLength: 8 }).filter((k) => k !== 'sig' && k !== 'event');
  const value = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.json({ maxDepth: 2 }).map((j) => JSON.parse(j) as unknown));
  const eventObject = fc.dictionary(name, value, { maxKeys: 6 }).map((o) => JSON.stringify(o));

  it('any event, the sig in any of the four places: read as the event alone, signed as the line without the sig member', () => {
    fc.assert(
      fc.property(eventObject, fc.constantFrom(...cpsSigPlaces), (event, place) => {
        const member = `"sig":"${SIG}"`;
        const empty = event === '{}';
        const line =
          place === 'event-last' ? `{"event":${empty ? `{${member}}` : `${event.slice(0, -1)},${member}}`}}`
            : place === 'event-first' ? `{"event":{${member}${empty ? '' : ','}${event.slice(1)}}`
              : place === 'wrapper-last' ? `{"event":${event},${member}}`
                : `{${member},"event":${event}}`;
        const v = view(line);
        const plain = view(event);
        expect(v.format).toBe('cps');
        expect(sigText(v)).toBe(SIG);
        expect(signedText(v)).toBe(`{"event":${event}}`);
        expect(v.fields()).toEqual(plain.fields());
        expect(v.header()).toEqual(plain.header());
        expect(v.rawText()).toBe(line);
      }),
      { numRuns: 500 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { fieldMap, toBoolean, toInteger, typedKeys, typedValue } from '../../src/normalize/field-map.js';
import { normalizeLine } from '../../src/normalize/normalize-line.js';
import { fakeView } from './fake-view.js';

describe('fieldMap', () => {
  it('lists every typed key once, in the serialization order of typedKeys', () => {
    expect(fieldMap.map((m) => m.key)).toEqual([...typedKeys]);
  });

  it('keeps the SPEC 6 example keys in the example order', () => {
    const example = ['org_id', 'portal_id', 'principal_id', 'trace_id', 'src', 'user_agent', 'request', 'success'];
    const order = fieldMap.map((m) => m.key as string).filter((k) => example.includes(k));
    expect(order).toEqual(example);
  });

  it('types trace_id as a string: it is 64-bit', () => {
    expect(fieldMap.find((m) => m.key === 'trace_id')?.type).toBe('string');
  });
});

describe('toBoolean', () => {
  it.each([
    ['exact true', 'true', true],
    ['exact false', 'false', false],
    ['capitalized True is not typed', 'True', undefined],
    ['upper-case FALSE is not typed', 'FALSE', undefined],
    ['1 is not typed', '1', undefined],
    ['0 is not typed', '0', undefined],
    ['yes is not typed', 'yes', undefined],
    ['empty is not typed', '', undefined],
    ['padded " true" is not typed', ' true', undefined],
    ['quoted JSON text is not typed', '"true"', undefined],
  ])('%s', (_quirk, text, expected) => {
    expect(toBoolean(text)).toBe(expected);
  });
});

describe('toInteger', () => {
  it.each([
    ['a status code', '200', 200],
    ['zero', '0', 0],
    ['15 digits', '999999999999999', 999999999999999],
    ['16 digits (beyond 2^53 risk) is not typed', '9007199254740993', undefined],
    ['leading zero is not typed', '0200', undefined],
    ['negative is not typed', '-1', undefined],
    ['plus sign is not typed', '+200', undefined],
    ['decimal is not typed', '200.0', undefined],
    ['exponent is not typed', '2e2', undefined],
    ['empty is not typed', '', undefined],
    ['trailing space is not typed', '200 ', undefined],
    ['text is not typed', 'OK', undefined],
  ])('%s', (_quirk, text, expected) => {
    expect(toInteger(text)).toBe(expected);
  });
});

describe('typedValue', () => {
  const row = (key: string) => fieldMap.find((m) => m.key === key)!;
  it.each([
    ['a missing field stays missing', 'src', undefined, undefined],
    ['an empty string stays an empty string (user_agent=)', 'user_agent', '', ''],
    ['trace_id keeps its exact digits beyond 2^53', 'trace_id', '3360194145499877252', '3360194145499877252'],
    ['granted true', 'granted', 'true', true],
    ['success False is dropped', 'success', 'False', undefined],
    ['kong_initiated false', 'kong_initiated', 'false', false],
    ['status 403', 'status', '403', 403],
    ['status text is dropped', 'status', 'forbidden', undefined],
  ])('%s', (_quirk, key, text, expected) => {
    expect(typedValue(row(key), text)).toBe(expected);
  });
});

describe('normalizeLine applies every row of the table', () => {
  // normalizeLine writes the rows out by hand (for speed): this keeps it and the table in step.
  const texts = ['true', 'false', '200', '0200', 'x', '', 'null', '3360194145499877252'];
  it.each(fieldMap.flatMap((row) => texts.map((text) => [row.key, text, row] as const)))('%s = %j', (key, text, row) => {
    const view = fakeView({ raw: 'CEF:0|KongInc|Konnect|1.0|konnect|x|1|', fields: { [row.source]: text } });
    const event = normalizeLine(view, { receivedAt: '2025-06-23T14:28:48.001Z', signature: { status: 'unverified' } }) as unknown as Record<string, unknown>;
    const expected = typedValue(row, text);
    expect(event[key]).toBe(expected);
    expect(Object.hasOwn(event, key)).toBe(expected !== undefined);
  });
});

/** The eval subset the add-on test relies on behaves as Splunk documents it (null propagation, PCRE replace). */
import { describe, expect, it } from 'vitest';
import { evalSpl, parseSpl } from './support/spl-eval.js';

const fields = { category: 'access', status: '403', act: 'DELETE', 'header.name': 'Authz.control-planes/7f9c', tag: ['change', 'audit'] };

describe('support/spl-eval (Splunk eval subset)', () => {
  it.each([
    ['a missing field is null', 'nothing', null],
    ['a comparison with null is null, and null is false in if()', 'if(nothing=="x", "yes", "no")', 'no'],
    ['NOT of null stays null (false)', 'if(NOT nothing=="x", "yes", "no")', 'no'],
    ['concatenation with null is null', '"a" . nothing', null],
    ['case() without a match is null', 'case(category=="authentication", "x")', null],
    ['case() takes the first match', 'case(category=="access", "first", true(), "second")', 'first'],
    ['numbers compare as numbers', 'if(tonumber(status) >= 400, "failure", "success")', 'failure'],
    ['coalesce skips nulls', 'coalesce(nothing, act, "x")', 'DELETE'],
    ['a quoted field name holds dots', "'header.name'", 'Authz.control-planes/7f9c'],
    ['replace() takes a regex and \\1', 'replace(\'header.name\', "^Authz\\.([^/]*).*$", "\\1")', 'control-planes'],
    ['match() is a regex test', 'if(match(lower(act), "^(delete|remove)$"), "deleted", "other")', 'deleted'],
    ['a multivalue field compares by any value', 'if(tag=="audit", "yes", "no")', 'yes'],
    ['AND / OR', 'if(category=="access" AND (act=="GET" OR act=="DELETE"), "yes", "no")', 'yes'],
  ])('%s', (_name, expression, expected) => {
    expect(evalSpl(parseSpl(expression), fields)).toBe(expected);
  });

  it('refuses what it cannot read, instead of guessing', () => {
    expect(() => parseSpl('mvindex(tag, 0)')).not.toThrow();
    expect(() => evalSpl(parseSpl('mvindex(tag, 0)'), fields)).toThrow(/not in this evaluator/);
    expect(() => parseSpl('a == ')).toThrow();
  });
});

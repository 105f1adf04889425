import { describe, expect, it } from 'vitest';
import { createReportBuilder, DEFAULT_FAIL_ON, exitCodeOf, renderTextReport, type FailOn } from '../../src/audit/report.js';
import type { LineVerdict } from '../../src/audit/verdict.js';

const verdicts: LineVerdict[] = [
  { file: 'a.log', line: 1, status: 'valid', kid: 'k1' },
  { file: 'a.log', line: 2, status: 'invalid', reason: 'r-invalid (KAR_ERR_SIG_INVALID)' },
  { file: 'a.log', line: 4, status: 'missing', reason: 'r-missing (KAR_ERR_SIG_MISSING)' },
  { file: 'b.csv', line: 7, status: 'unparseable', reason: 'r-unparseable (KAR_ERR_LINE_UNRECOGNIZED)' },
  { file: 'b.csv', line: 9, status: 'valid', kid: 'k2' },
];

function build(maxFailures = 100) {
  const builder = createReportBuilder({ kids: ['k1', 'k2', 'k3'], maxFailures });
  verdicts.forEach((v) => builder.add(v));
  builder.addFile({ file: 'a.log', kind: 'raw', gzip: true, total: 3 });
  builder.addFile({ file: 'b.csv', kind: 'splunk-csv', gzip: false, total: 2 });
  return builder.report();
}

describe('audit report', () => {
  it('has exactly the SPEC 7 keys, plus unparseable and files, in that order', () => {
    expect(Object.keys(build())).toEqual(['total', 'valid', 'invalid', 'missing', 'malformed', 'unparseable', 'by_kid', 'failures', 'files']);
    expect(build()).toMatchObject({ total: 5, valid: 2, invalid: 1, missing: 1, malformed: 0, unparseable: 1, by_kid: { k1: 1, k2: 1, k3: 0 } });
    expect(Object.keys(build().failures[0] ?? {})).toEqual(['file', 'line', 'status', 'reason']);
  });

  it('keeps only the first maxFailures failures; the others stay counted', () => {
    const report = build(2);
    expect(report.failures.map((f) => `${f.file}:${f.line}`)).toEqual(['a.log:2', 'a.log:4']);
    expect(report.total - report.valid - report.failures.length).toBe(1);
  });

  it.each([
    ['the default: every status but valid', DEFAULT_FAIL_ON, 1],
    ['only invalid: still failing', new Set(['invalid']) as FailOn, 1],
    ['only malformed (there is none)', new Set(['malformed']) as FailOn, 0],
    ['none', new Set() as FailOn, 0],
  ])('exits per --fail-on (%s)', (_name, failOn, code) => {
    expect(exitCodeOf(build(), failOn)).toBe(code);
  });

  it('prints totals, keys, inputs, the first failures as file:line and the result', () => {
    const text = renderTextReport(build(2), DEFAULT_FAIL_ON);
    expect(text).toContain('Signature audit of 5 lines in 2 inputs');
    expect(text).toMatch(/\n {2}valid {9}2\n/);
    expect(text).toMatch(/\n {2}k3 {3}0\n/);
    expect(text).toContain('a.log   raw (gzip)');
    expect(text).toContain('Lines that are not valid (first 2 of 3):');
    expect(text).toMatch(/a\.log:2 +invalid +r-invalid \(KAR_ERR_SIG_INVALID\)/);
    expect(text).not.toContain('b.csv:7');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Result: FAIL, 1 invalid, 1 missing, 1 unparseable.');
  });

  it('says OK when no failing status is present, and when there are no lines', () => {
    expect(renderTextReport(build(), new Set(['malformed'])).trimEnd().split('\n').at(-1)).toBe('Result: OK, every line is valid (3 not valid, none of them in --fail-on).');
    const empty = createReportBuilder({ kids: [], maxFailures: 1 }).report();
    expect(renderTextReport(empty, DEFAULT_FAIL_ON)).toContain('Result: OK, but the inputs hold no lines.');
  });
});

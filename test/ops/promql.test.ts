/**
 * The PromQL reader behind the "every metric the kit uses exists" test: if
 * it missed names, a renamed metric would go unnoticed; if it invented some,
 * the test would fail for nothing.
 */
import { describe, expect, it } from 'vitest';
import { exposedNames, headingAnchor, metricNamesOf, readAlertRules } from './support/promql.js';

describe('metricNamesOf', () => {
  it.each([
    ['a bare selector', 'up', ['up']],
    ['label matchers holding names and operators', 'up{job="konnect-audit", x=~"sum|rate(y)"} == 0', ['up']],
    ['a function call is not a metric', 'absent(up{job="a"})', ['up']],
    ['range and a duration with units', 'increase(a_total[5m]) > 0 offset 1h30m', ['a_total']],
    ['grouping labels after by, on and group_left', 'sum by (job, instance) (a) and on (job) group_left (sink) b', ['a', 'b']],
    ['aggregation with the by clause after it', 'max(a) without (kid)', ['a']],
    ['numbers, floats and exponents', 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[1m]))) > 1e3', ['h_bucket']],
    ['arithmetic between two metrics and a filter', 'a_bytes / (b_bytes > 0) > 0.8', ['a_bytes', 'b_bytes']],
    ['time() and a multi-line expression', 'time() - max by (job) (t_seconds) > 3600\nand on (job)\ntime() - min by (job) (s_seconds) > 3600', ['t_seconds', 's_seconds']],
    ['Grafana variables', 'rate(a_total{job=~"$job"}[$__rate_interval]) * ${factor}', ['a_total']],
    ['Grafana label_values reads its selector only', 'label_values(a_total{job=~"$job"}, instance)', ['a_total']],
    ['set operators and bool', 'a or b unless c == bool 1', ['a', 'b', 'c']],
    ['a colon in a recording-rule name', 'job:a:rate5m > 1', ['job:a:rate5m']],
  ])('%s', (_quirk, expression, names) => {
    expect(metricNamesOf(expression).sort()).toEqual([...names].sort());
  });
});

describe('exposedNames', () => {
  const text = [
    '# HELP h_seconds A histogram.',
    '# TYPE h_seconds histogram',
    'h_seconds_bucket{le="1"} 0',
    '# TYPE s summary',
    '# TYPE c_total counter',
    'c_total{code="x"} 1',
    '# TYPE g gauge',
    'g 3',
    'untyped_sample 1',
  ].join('\n');

  it.each([
    ['a histogram family and its three series', ['h_seconds', 'h_seconds_bucket', 'h_seconds_sum', 'h_seconds_count']],
    ['a summary family without samples', ['s', 's_sum', 's_count']],
    ['a counter declared with its _total name', ['c_total']],
    ['a gauge and a sample without TYPE', ['g', 'untyped_sample']],
  ])('%s', (_quirk, names) => {
    const exposed = exposedNames(text);
    for (const name of names) expect(exposed.has(name), name).toBe(true);
  });

  it('does not invent names (h without a suffix is not a counter c)', () => {
    expect(exposedNames(text).has('c')).toBe(false);
    expect(exposedNames(text).has('h_seconds_total')).toBe(false);
  });
});

describe('readAlertRules', () => {
  const yaml = [
    'groups:',
    '  - name: g',
    '    rules:',
    '      # a comment between rules',
    '      - alert: Inline',
    '        expr: up == 0',
    '        labels:',
    '          severity: critical',
    '      - record: job:x:sum',
    '        expr: sum(x)',
    '      - alert: Block',
    '        expr: |',
    '          a > 1',
    '          and b',
    '        for: 5m',
    '      - alert: Quoted',
    "        expr: 'c{x=\"y\"} > 0'",
    '  - name: second',
    '    rules:',
    '      - alert: Other',
    '        expr: d',
  ].join('\n');

  it.each([
    ['an inline expression', 'Inline', 'up == 0'],
    ['a block scalar ends where the indentation falls back', 'Block', 'a > 1\nand b'],
    ['a quoted expression', 'Quoted', 'c{x="y"} > 0'],
    ['a rule of a second group', 'Other', 'd'],
  ])('%s', (_quirk, alert, expr) => {
    expect(readAlertRules(yaml).find((rule) => rule.alert === alert)?.expr).toBe(expr);
  });

  it('reads alerting rules only, each with its own lines', () => {
    const rules = readAlertRules(yaml);
    expect(rules.map((rule) => rule.alert)).toEqual(['Inline', 'Block', 'Quoted', 'Other']);
    expect(rules[0]?.block).toContain('severity: critical');
    expect(rules[0]?.block).not.toContain('job:x:sum');
  });
});

describe('headingAnchor', () => {
  it.each([
    ['a plain name', 'KonnectAuditReceiverDown', 'konnectauditreceiverdown'],
    ['spaces and punctuation', 'Re-drive the quarantine (after a rotation)', 're-drive-the-quarantine-after-a-rotation'],
  ])('%s', (_quirk, heading, anchor) => {
    expect(headingAnchor(heading)).toBe(anchor);
  });
});

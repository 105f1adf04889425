/**
 * The runbook and the README stay in step with the rules: a section per
 * alert and none for an alert that no longer exists, the thresholds table
 * quoting the numbers the rules use, and the README pointing operators to
 * ops/ and the runbook.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertRules, kitFiles, readKit } from './support/kit.js';
import { headingAnchor } from './support/promql.js';

const rules = alertRules();
const runbook = readKit('runbook');

/** The number an alert's expression compares against last (`> 900`), `any` for `> 0`. */
function thresholdOf(expr: string): string | undefined {
  const last = [...expr.matchAll(/>\s*(\d+(?:\.\d+)?)/g)].at(-1)?.[1];
  return last === '0' ? 'any' : last;
}

describe('docs/RUNBOOK.md', () => {
  it('has a section for each alert and no section for an alert the rules do not have', () => {
    const sections = runbook
      .split('\n')
      .filter((line) => /^## KonnectAudit\w+$/.test(line))
      .map((line) => line.slice(3));
    expect(sections.sort()).toEqual(rules.map((rule) => rule.alert).sort());
  });

  it.each(rules.map((rule) => [rule.alert, rule] as const))('the thresholds table quotes the number %s compares against', (alert, rule) => {
    const row = runbook.split('\n').find((line) => line.startsWith(`| [${alert}]`));
    expect(row, `no row for ${alert}`).toBeDefined();
    const threshold = thresholdOf(rule.expr);
    if (threshold !== undefined) expect(row).toContain(threshold);
    expect(row).toContain(/severity: (\w+)/.exec(rule.block)?.[1]);
  });

  it.each(['re-drive-the-quarantine', 'rotate-the-authorization-token', 'replay-a-time-range-from-konnect'])('explains the procedure #%s', (anchor) => {
    const procedures = runbook
      .split('\n')
      .filter((line) => line.startsWith('### '))
      .map((line) => headingAnchor(line.slice(4)));
    expect(procedures).toContain(anchor);
    expect(runbook).toContain(`](#${anchor})`);
  });
});

/** The `## ` / `### ` anchors of a Markdown file. */
function anchorsOf(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((line) => /^#{1,4} /.test(line))
    .map((line) => headingAnchor(line.replace(/^#+ /, '')));
}

describe('the runbook links', () => {
  const links = [...new Set([...runbook.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string))].filter((link) => !/^https?:/.test(link));

  it.each(links)('%s resolves (the file exists, and so does the heading)', (link) => {
    const [path, anchor] = link.split('#') as [string, string | undefined];
    const file = path === '' ? kitFiles.runbook : join(dirname(kitFiles.runbook), path);
    expect(existsSync(file), file).toBe(true);
    if (anchor !== undefined) expect(anchorsOf(readFileSync(file, 'utf8'))).toContain(anchor);
  });
});

describe('README.md', () => {
  it('its Operations section points to ops/ and the runbook', () => {
    const readme = readKit('readme');
    const section = readme.slice(readme.indexOf('## Operations'), readme.indexOf('\n## ', readme.indexOf('## Operations') + 1));
    expect(section).toContain('](ops/README.md)');
    expect(section).toContain('](ops/prometheus/alerts.yml)');
    expect(section).toContain('](ops/grafana/konnect-audit.json)');
    expect(section).toContain('](docs/RUNBOOK.md)');
  });
});

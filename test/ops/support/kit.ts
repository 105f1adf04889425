/**
 * The operations kit's files, read once: the alert rules, their promtool
 * tests, the Grafana dashboard and the runbook; and a way to run promtool
 * as a real process.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { metricNamesOf, readAlertRules, type AlertRuleText } from './promql.js';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const kitFiles = {
  alerts: `${root}ops/prometheus/alerts.yml`,
  alertTests: `${root}ops/prometheus/alerts.test.yml`,
  dashboard: `${root}ops/grafana/konnect-audit.json`,
  runbook: `${root}docs/RUNBOOK.md`,
  readme: `${root}README.md`,
} as const;

export function readKit(file: keyof typeof kitFiles): string {
  return readFileSync(kitFiles[file], 'utf8');
}

export function alertRules(): AlertRuleText[] {
  return readAlertRules(readKit('alerts'));
}

export interface GrafanaTarget {
  readonly refId: string;
  readonly expr: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface GrafanaPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly GrafanaTarget[];
}

export interface GrafanaVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: string | { readonly query: string };
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface GrafanaDashboard {
  readonly title: string;
  readonly uid: string;
  readonly panels: readonly GrafanaPanel[];
  readonly templating: { readonly list: readonly GrafanaVariable[] };
}

export function dashboard(): GrafanaDashboard {
  return JSON.parse(readKit('dashboard')) as GrafanaDashboard;
}

/** Every PromQL expression of the dashboard: panel targets and variable queries, each with where it is. */
export function dashboardExpressions(): { readonly where: string; readonly expr: string }[] {
  const board = dashboard();
  const fromPanels = board.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `dashboard panel "${panel.title}" ${target.refId}`, expr: target.expr })));
  const fromVariables = board.templating.list.flatMap((variable) => {
    const query = typeof variable.query === 'string' ? undefined : variable.query?.query;
    return variable.type === 'query' && query !== undefined ? [{ where: `dashboard variable $${variable.name}`, expr: query }] : [];
  });
  return [...fromPanels, ...fromVariables];
}

/** Each metric name used by the rules and the dashboard, with every place that uses it. */
export function usedMetricNames(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const add = (where: string, expr: string): void => {
    for (const name of metricNamesOf(expr)) used.set(name, [...(used.get(name) ?? []), where]);
  };
  for (const rule of alertRules()) add(`alert ${rule.alert}`, rule.expr);
  for (const { where, expr } of dashboardExpressions()) add(where, expr);
  return used;
}

export interface ToolRun {
  readonly status: number | null;
  readonly output: string;
}

/** Runs promtool at `path` (from externalDaemon) with `args`, `input` on stdin. */
export function runPromtool(path: string, args: readonly string[], input?: string): ToolRun {
  const run = spawnSync(path, args, { cwd: root, encoding: 'utf8', timeout: 60_000, ...(input === undefined ? {} : { input }) });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * ops/grafana/konnect-audit.json: importable as it is (the datasource is a
 * variable, nothing points at one Grafana's uid), and it shows what the
 * issue lists. That its queries parse (promtool) and its metric names
 * exist (a live receiver) is checked in real-tools.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { dashboard, dashboardExpressions } from './support/kit.js';

const board = dashboard();
const DATASOURCE = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
const queryPanels = board.panels.filter((panel) => panel.type !== 'row');
const expressions = dashboardExpressions().map((entry) => entry.expr);

describe('the Grafana dashboard', () => {
  it('takes its Prometheus datasource from a variable (DS_PROMETHEUS, type datasource, prometheus)', () => {
    expect(board.templating.list).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' }));
  });

  it.each(queryPanels.map((panel) => [panel.title, panel] as const))('panel "%s" and its queries use that variable', (_title, panel) => {
    expect(panel.datasource).toEqual(DATASOURCE);
    expect(panel.targets?.length).toBeGreaterThan(0);
    for (const target of panel.targets ?? []) expect(target.datasource).toEqual(DATASOURCE);
  });

  it('has a stable uid, unique panel ids and panels inside the 24-column grid', () => {
    expect(board.uid).toBe('konnect-audit-receiver');
    const ids = board.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of board.panels) expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
  });

  it('panels do not overlap', () => {
    const cells = new Set<string>();
    for (const { gridPos, title } of board.panels) {
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `"${title}" overlaps another panel at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('filters every query by the $job and $instance variables', () => {
    for (const expr of expressions.filter((e) => e.includes('konnect_audit_') && !e.startsWith('label_values'))) {
      expect(expr, expr).toMatch(/job=~"\$job", instance=~"\$instance"/);
    }
  });

  it.each([
    ['batches per second by answer', /sum by \(status, code\) \(rate\(konnect_audit_intake_batches_total/],
    ['lines per second by outcome', /sum by \(outcome\) \(rate\(konnect_audit_store_lines_total/],
    ['signature results by status and key id', /sum by \(status, kid\) \(rate\(konnect_audit_intake_signatures_total/],
    ['p50 batch latency', /histogram_quantile\(0\.5, sum by \(le\) \(rate\(konnect_audit_intake_batch_duration_seconds_bucket/],
    ['p99 batch latency', /histogram_quantile\(0\.99, sum by \(le\) \(rate\(konnect_audit_intake_batch_duration_seconds_bucket/],
    ['store depth', /konnect_audit_store_pending_events/],
    ['oldest pending age', /konnect_audit_store_oldest_pending_age_seconds/],
    ['oldest pending age per sink', /max by \(sink\) \(konnect_audit_sink_oldest_pending_age_seconds/],
    ['delivered per sink', /sum by \(sink\) \(rate\(konnect_audit_sink_delivered_events_total/],
    ['retried per sink', /sum by \(sink, code\) \(rate\(konnect_audit_sink_retries_total/],
    ['rejected per sink', /sum by \(sink, code\) \(rate\(konnect_audit_sink_rejected_writes_total/],
    ['JWKS age', /time\(\) - konnect_audit_jwks_last_success_timestamp_seconds/],
    ['process memory', /konnect_audit_process_resident_memory_bytes/],
    ['event-loop lag', /konnect_audit_nodejs_eventloop_lag_p99_seconds/],
  ])('shows %s', (_what, pattern) => {
    expect(expressions.some((expr) => pattern.test(expr))).toBe(true);
  });
});

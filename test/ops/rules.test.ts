/**
 * ops/prometheus: every alert carries what an on-call person needs
 * (severity, summary, description, a runbook section that exists), and the
 * unit tests cover each alert both firing and staying silent. promtool
 * itself runs in real-tools.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { alertRules, readKit } from './support/kit.js';
import { headingAnchor } from './support/promql.js';

const rules = alertRules();
const names = rules.map((rule) => rule.alert);

/** The alerts the issue asks for, by what they watch. */
const required = [
  ['the receiver down (up == 0)', 'KonnectAuditReceiverDown', 'up{'],
  ['no batch from Konnect for a configurable time', 'KonnectAuditNoBatchesFromKonnect', 'konnect_audit_intake_last_batch_timestamp_seconds'],
  ['any line failing verification, with reason and key id', 'KonnectAuditLineFailedVerification', 'konnect_audit_intake_signatures_total'],
  ['delivery lag per sink', 'KonnectAuditDeliveryLagging', 'konnect_audit_sink_oldest_pending_age_seconds'],
  ['dead letters appearing', 'KonnectAuditDeadLetters', 'konnect_audit_sink_dead_lettered_events_total'],
  ['the store near its budget', 'KonnectAuditStoreNearBudget', 'konnect_audit_store_max_bytes'],
  ['batches answered 429', 'KonnectAuditBatchesThrottled', 'status="429"'],
  ['the key set not refreshed for too long', 'KonnectAuditKeySetStale', 'konnect_audit_jwks_last_success_timestamp_seconds'],
  ['repeated 401s', 'KonnectAuditRepeatedUnauthorized', 'status="401"'],
] as const;

describe('alert rules (ops/prometheus/alerts.yml)', () => {
  it.each(required)('has an alert for %s', (_what, alert, watches) => {
    expect(rules.find((rule) => rule.alert === alert)?.expr).toContain(watches);
  });

  it('the verification alert keeps the status (reason) and key id labels', () => {
    expect(rules.find((rule) => rule.alert === 'KonnectAuditLineFailedVerification')?.expr).toMatch(/by \(job, instance, status, kid\)/);
  });

  it.each(names)('%s has a severity, a summary, a description and a runbook_url', (alert) => {
    const block = rules.find((rule) => rule.alert === alert)?.block ?? '';
    expect(block).toMatch(/^\s+severity: (critical|warning)$/m);
    expect(block).toMatch(/^\s+summary: "(?:[^"\\]|\\.)+"$/m);
    expect(block).toMatch(/^\s+description: "(?:[^"\\]|\\.)+"$/m);
    expect(block).toMatch(/^\s+runbook_url: "docs\/RUNBOOK\.md#[a-z0-9-]+"$/m);
  });

  it.each(names)('%s: its runbook_url points to a section of docs/RUNBOOK.md', (alert) => {
    const block = rules.find((rule) => rule.alert === alert)?.block ?? '';
    const anchor = /runbook_url: "docs\/RUNBOOK\.md#([a-z0-9-]+)"/.exec(block)?.[1];
    const anchors = readKit('runbook')
      .split('\n')
      .filter((line) => /^#{2,3} /.test(line))
      .map((line) => headingAnchor(line.replace(/^#+ /, '')));
    expect(anchors).toContain(anchor);
  });

  it.each(names)('%s has a documented threshold comment right above it', (alert) => {
    const yaml = readKit('alerts');
    const before = yaml.slice(0, yaml.indexOf(`- alert: ${alert}\n`)).trimEnd().split('\n');
    const comments = [];
    for (let i = before.length - 1; i >= 0 && (before[i] as string).trimStart().startsWith('#'); i--) comments.unshift(before[i]);
    expect(comments.join('\n')).toMatch(/# threshold: /);
  });

  it.each(names)('%s is tested firing and staying silent in alerts.test.yml', (alert) => {
    const lines = readKit('alertTests').split('\n');
    const outcomes = lines.flatMap((line, i) => {
      if (line.trim() !== `alertname: ${alert}`) return [];
      const next = (lines[i + 1] ?? '').trim();
      if (next === 'exp_alerts: []') return ['silent'];
      return next === 'exp_alerts:' && (lines[i + 2] ?? '').trim().startsWith('- exp_labels:') ? ['fires'] : [];
    });
    expect(outcomes).toContain('fires');
    expect(outcomes).toContain('silent');
  });
});

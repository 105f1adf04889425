/**
 * @module normalize/metrics
 * Lines that were normalized with a warning: not errors (the event is made
 * and stored), but something a SIEM owner should know about, because
 * Konnect itself never produces them. Counted where the event is built, so
 * the receiver and every command that normalizes count the same way.
 */
import { Counter } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.js';

/** The warnings a line can carry; a bounded label set. */
export const normalizeWarnings = ['extension_preamble', 'duplicate_key'] as const;
export type NormalizeWarning = (typeof normalizeWarnings)[number];

const warnings = new Counter({
  name: 'konnect_audit_normalize_warnings_total',
  help: 'Lines normalized with a warning, by warning: extension_preamble (CEF text before the first key=, kept in the event), duplicate_key (a key given twice; the last value wins).',
  labelNames: ['warning'] as const,
  registers: [metricsRegistry],
});

// Bound once: incrementing a child skips hashing the labels on every call.
const children: Readonly<Record<NormalizeWarning, { inc(): void }>> = {
  extension_preamble: warnings.labels('extension_preamble'),
  duplicate_key: warnings.labels('duplicate_key'),
};

// The same counts as plain numbers, for a command that reports its own run (`parse`).
const totals: Record<NormalizeWarning, number> = { extension_preamble: 0, duplicate_key: 0 };

export function countNormalizeWarning(warning: NormalizeWarning): void {
  children[warning].inc();
  totals[warning]++;
}

/** Warnings counted by this process so far (a snapshot). */
export function normalizeWarningTotals(): Readonly<Record<NormalizeWarning, number>> {
  return { ...totals };
}

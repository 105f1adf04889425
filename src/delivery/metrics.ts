/**
 * @module delivery/metrics
 * Per-sink delivery metrics. Labels are the configured sink name (a bounded,
 * operator-chosen set) and error codes from the registry, never event data.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.js';

export const deliveryMetrics = {
  delivered: new Counter({
    name: 'konnect_audit_sink_delivered_events_total',
    help: 'Events a sink took (its write answered delivered).',
    labelNames: ['sink'] as const,
    registers: [metricsRegistry],
  }),
  retries: new Counter({
    name: 'konnect_audit_sink_retries_total',
    help: 'Writes that failed with a retryable error and will be retried, by code.',
    labelNames: ['sink', 'code'] as const,
    registers: [metricsRegistry],
  }),
  rejected: new Counter({
    name: 'konnect_audit_sink_rejected_writes_total',
    help: 'Writes in which the sink refused events for good (whole batch or some records), by code.',
    labelNames: ['sink', 'code'] as const,
    registers: [metricsRegistry],
  }),
  deadLettered: new Counter({
    name: 'konnect_audit_sink_dead_lettered_events_total',
    help: 'Events moved to the dead-letter store because a sink refused them for good, by code.',
    labelNames: ['sink', 'code'] as const,
    registers: [metricsRegistry],
  }),
  consecutiveFailures: new Gauge({
    name: 'konnect_audit_sink_consecutive_failures',
    help: 'Retryable failures in a row for a sink (0 when its last write was delivered).',
    labelNames: ['sink'] as const,
    registers: [metricsRegistry],
  }),
  writeSeconds: new Histogram({
    name: 'konnect_audit_sink_write_seconds',
    help: 'Duration of one sink write, by outcome (delivered, retryable, rejected).',
    labelNames: ['sink', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metricsRegistry],
  }),
} as const;

/**
 * @module intake/metrics
 * What the receiver counts, per request and per batch. Labels are bounded:
 * HTTP statuses, error codes from the registry, signature statuses and key
 * ids of the JWKS (a handful). Storage depth and lines by outcome are the
 * store's own metrics (`konnect_audit_store_*`, store/metrics.ts).
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { errorRegistry, specOf, type ErrorCode } from '../errors/index.js';
import { metricsRegistry } from '../observability/metrics.js';
import type { BatchOutcome } from '../pipeline.js';

const registers = [metricsRegistry];

export const intakeMetrics = {
  batches: new Counter({
    name: 'konnect_audit_intake_batches_total',
    help: 'POSTed batches by answer: HTTP status and error code (`none` when stored).',
    labelNames: ['status', 'code'] as const,
    registers,
  }),
  lineErrors: new Counter({
    name: 'konnect_audit_intake_line_errors_total',
    help: 'Lines of stored batches that failed to parse or verify, by error code.',
    labelNames: ['code'] as const,
    registers,
  }),
  signatures: new Counter({
    name: 'konnect_audit_intake_signatures_total',
    help: 'Signature results of parsed lines, by status and by the key id that verified (`` unless valid).',
    labelNames: ['status', 'kid'] as const,
    registers,
  }),
  batchLines: new Histogram({
    name: 'konnect_audit_intake_batch_lines',
    help: 'Lines per stored batch.',
    buckets: [1, 10, 100, 1_000, 10_000, 100_000],
    registers,
  }),
  batchBytes: new Histogram({
    name: 'konnect_audit_intake_batch_inflated_bytes',
    help: 'Inflated size of stored batches, in bytes.',
    buckets: [1_024, 16_384, 131_072, 1_048_576, 8_388_608, 67_108_864],
    registers,
  }),
  batchSeconds: new Histogram({
    name: 'konnect_audit_intake_batch_duration_seconds',
    help: 'Time from the start of a POST to its answer (read, inflate, parse, verify, durable commit).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers,
  }),
  inFlight: new Gauge({
    name: 'konnect_audit_intake_batches_in_flight',
    help: 'Batches being read, verified or committed right now.',
    registers,
  }),
  budgetBytes: new Gauge({
    name: 'konnect_audit_intake_memory_budget_bytes',
    help: 'The memory budget for batches in flight (compressed + inflated bytes), as configured.',
    registers,
  }),
  budgetUsedBytes: new Gauge({
    name: 'konnect_audit_intake_memory_budget_used_bytes',
    help: 'Bytes of the memory budget held by batches in flight right now.',
    registers,
  }),
  admissionWaitSeconds: new Histogram({
    name: 'konnect_audit_intake_admission_wait_seconds',
    help: 'How long a batch waited for room in the memory budget before it was processed or refused.',
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  }),
  admissionTimeouts: new Counter({
    name: 'konnect_audit_intake_admission_timeouts_total',
    help: 'Batches answered 429 because no room came in the memory budget within the admission wait.',
    registers,
  }),
  lastBatch: new Gauge({
    name: 'konnect_audit_intake_last_batch_timestamp_seconds',
    help: 'When a batch was last stored (answered 200), in unix seconds; 0 until the first since start. Alerts on silence from Konnect use it.',
    registers,
  }),
} as const;

// The series alerts watch (ops/prometheus/alerts.yml) exist from the start at
// 0: Prometheus's increase() does not see a series that is born at 1, so the
// first forged line or the first refused batch after a restart would go
// unnoticed. Every code the intake can answer with is a bounded set.
for (const status of ['invalid', 'malformed', 'missing'] as const) intakeMetrics.signatures.inc({ status, kid: '' }, 0);
for (const code of Object.keys(errorRegistry) as ErrorCode[]) {
  const status = specOf(code).httpStatus;
  if (status !== undefined) intakeMetrics.batches.inc({ status: String(status), code }, 0);
}

export function countAnswer(status: number, code: ErrorCode | undefined, seconds: number): void {
  intakeMetrics.batches.inc({ status: String(status), code: code ?? 'none' });
  intakeMetrics.batchSeconds.observe(seconds);
}

export function countOutcome(outcome: BatchOutcome, inflatedBytes: number): void {
  intakeMetrics.batchLines.observe(outcome.lines);
  intakeMetrics.batchBytes.observe(inflatedBytes);
  intakeMetrics.lastBatch.set(Date.now() / 1000);
  for (const [code, n] of Object.entries(outcome.errors)) {
    if (n !== undefined && n > 0) intakeMetrics.lineErrors.inc({ code }, n);
  }
  for (const [status, n] of Object.entries(outcome.signatures)) {
    if (status !== 'valid' && n > 0) intakeMetrics.signatures.inc({ status, kid: '' }, n);
  }
  for (const [kid, n] of Object.entries(outcome.kids)) intakeMetrics.signatures.inc({ status: 'valid', kid }, n);
}

/**
 * @module store/metrics
 * Storage metrics. Gauges are read from the open stores when Prometheus
 * scrapes (a process normally has one; tests may open several, then the
 * values add up), counters are bumped by the commit path.
 */
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.js';

export interface StoreGaugeSource {
  gauges(): {
    pendingEvents: number;
    pendingBytes: number;
    oldestPendingAgeSeconds: number;
    quarantineRecords: number;
    deadLetterRecords: number;
    /** The budget pendingBytes is held to (what answers 429 beyond it). */
    maxBytes?: number;
    /** Per active sink: age of the oldest event it has not delivered yet (0 when none). */
    sinkOldestPendingAgeSeconds?: Readonly<Record<string, number>>;
  };
}

const sources = new Set<StoreGaugeSource>();

export function registerStoreGauges(source: StoreGaugeSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

function collectFrom(pick: (g: ReturnType<StoreGaugeSource['gauges']>) => number, combine: (a: number, b: number) => number): number {
  let value = 0;
  for (const source of sources) {
    try {
      value = combine(value, pick(source.gauges()));
    } catch {
      // A store closing during a scrape: skip it rather than fail /metrics.
    }
  }
  return value;
}

function gauge(name: string, help: string, pick: (g: ReturnType<StoreGaugeSource['gauges']>) => number, combine: (a: number, b: number) => number = (a, b) => a + b): Gauge {
  return new Gauge({
    name,
    help,
    registers: [metricsRegistry],
    collect() {
      this.set(collectFrom(pick, combine));
    },
  });
}

export const storeMetrics = {
  depth: gauge('konnect_audit_store_pending_events', 'Events stored and not yet delivered to every sink.', (g) => g.pendingEvents),
  bytes: gauge('konnect_audit_store_pending_bytes', 'Bytes of JSON of the events not yet delivered to every sink (what maxBytes bounds).', (g) => g.pendingBytes),
  oldestAge: gauge('konnect_audit_store_oldest_pending_age_seconds', 'Age of the oldest event not yet delivered to every sink (0 when none).', (g) => g.oldestPendingAgeSeconds, Math.max),
  quarantine: gauge('konnect_audit_store_quarantine_records', 'Lines kept in quarantine (failed verification or unparseable).', (g) => g.quarantineRecords),
  deadLetters: gauge('konnect_audit_store_dead_letter_records', 'Events kept in the dead-letter store (a sink rejected them for good).', (g) => g.deadLetterRecords),
  maxBytes: gauge('konnect_audit_store_max_bytes', 'The budget of konnect_audit_store_pending_bytes (KONNECT_AUDIT_STORE_MAX_BYTES): beyond it batches are answered 429.', (g) => g.maxBytes ?? 0),
  // Named with the sink metrics it sits beside on a dashboard; the store knows each sink's cursor.
  sinkOldestAge: new Gauge({
    name: 'konnect_audit_sink_oldest_pending_age_seconds',
    help: 'Per sink: age of the oldest stored event it has not delivered yet (0 when it is caught up).',
    labelNames: ['sink'] as const,
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const source of sources) {
        try {
          for (const [sink, age] of Object.entries(source.gauges().sinkOldestPendingAgeSeconds ?? {})) this.set({ sink }, age);
        } catch {
          // A store closing during a scrape: skip it rather than fail /metrics.
        }
      }
    },
  }),
  lines: new Counter({
    name: 'konnect_audit_store_lines_total',
    help: 'Lines of committed batches by outcome (accepted, duplicate, quarantined, rejected, dropped).',
    labelNames: ['outcome'] as const,
    registers: [metricsRegistry],
  }),
  transactions: new Counter({
    name: 'konnect_audit_store_commit_transactions_total',
    help: 'Commit transactions (one fsync each); fewer than batches when group commit merges them.',
    registers: [metricsRegistry],
  }),
  batches: new Counter({
    name: 'konnect_audit_store_commit_batches_total',
    help: 'Batches passed to commitBatch, by result (committed, full, unavailable).',
    labelNames: ['result'] as const,
    registers: [metricsRegistry],
  }),
} as const;

// Exist from the start at 0 so that Prometheus's increase() sees the first
// rejected or dropped line after a restart (ops/prometheus/alerts.yml).
for (const outcome of ['accepted', 'duplicate', 'quarantined', 'rejected', 'dropped'] as const) storeMetrics.lines.inc({ outcome }, 0);

/**
 * @module observability/metrics
 * One Prometheus registry for the process. Each stage declares its own
 * metrics in its own folder (e.g. `intake/metrics.ts`) against this registry;
 * labels are bounded sets (error codes, statuses, sink names), never ids.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();

let defaultsCollected = false;

/** Process metrics (RSS, event-loop lag, GC): started by `serve` only. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'konnect_audit_' });
}

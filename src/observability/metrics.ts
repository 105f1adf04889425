/**
 * @module observability/metrics
 * One Prometheus registry for the process. Each stage declares its own
 * metrics in its own folder (e.g. `intake/metrics.ts`) against this registry;
 * labels are bounded sets (error codes, statuses, sink names), never ids.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();

let defaultsCollected = false;

/**
 * How often the event-loop lag monitor samples. prom-client's default (10 ms)
 * is a timer firing 100 times a second: most of an idle receiver's CPU
 * (strace showed the loop waking every 10 ms). Sampled every 100 ms, a
 * blocked loop is still seen (the late tick measures the whole delay, at
 * nanosecond resolution); only the number of samples drops.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/** Process metrics (RSS, event-loop lag, GC): started by `serve` only. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'konnect_audit_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  // `promtool check metrics` refuses a gauge named *_total (ops/ runs it on
  // /metrics). These three are the sums of nodejs_active_{handles,requests,resources}{type}.
  for (const kind of ['handles', 'requests', 'resources']) metricsRegistry.removeSingleMetric(`konnect_audit_nodejs_active_${kind}_total`);
}

/**
 * @module bench/support/load
 * Drives the receiver with autocannon, every request a new signed batch.
 *
 * Two shapes of load:
 * - `closed`: `connections` connections, each posting its next batch as soon
 *   as the last is answered (peak throughput);
 * - `paced`: a target rate. autocannon's rate limit is per connection and per
 *   second, and it sends a connection's quota back to back at the start of
 *   each second; several connections started together therefore burst
 *   together, and the "half of peak" latency would be that of a full burst.
 *   So the paced load is `instances` single-connection autocannon runs, each
 *   with its share of the rate, started 1/instances of a second apart: the
 *   requests are spread over the second. The phase is measured once the
 *   last instance has started (statuses are counted from the start).
 *
 * Latencies are recorded here (every answer's response time from autocannon's
 * `response` event) so that the percentiles of several instances are exact,
 * not averaged.
 */
import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface BodyCursor {
  /** The next unused body, or undefined when the pool is exhausted. */
  take(): Buffer | undefined;
  readonly remaining: number;
}

export function createBodyCursor(bodies: readonly Buffer[]): BodyCursor {
  let next = 0;
  return {
    take: () => (next < bodies.length ? bodies[next++] : undefined),
    get remaining() {
      return bodies.length - next;
    },
  };
}

export type LoadShape = { readonly kind: 'closed'; readonly connections: number } | { readonly kind: 'paced'; readonly requestsPerSec: number; readonly instances: number };

export interface LoadOptions {
  readonly url: string;
  readonly authorization: string;
  readonly bodies: BodyCursor;
  readonly shape: LoadShape;
  readonly durationMs: number;
  /** Close and reopen the connection (a new TLS handshake) after this many requests; default: keep-alive. */
  readonly reconnectEvery?: number;
}

export interface LoadResult {
  readonly seconds: number;
  /** Batches answered 200. */
  readonly batches: number;
  readonly requestsPerSec: number;
  /** Lines the receiver reported `accepted` (verified, stored) per second. */
  readonly linesPerSec: number;
  readonly summary: { readonly accepted: number; readonly duplicates: number; readonly quarantined: number; readonly rejected: number };
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** Every status seen, with counts. Connection errors and timeouts as `error` / `timeout`. */
  readonly statusCodes: Readonly<Record<string, number>>;
  /** The body pool ran out before the duration (the run was cut short; rates stay right). */
  readonly exhausted: boolean;
}

const HEALTH_PATH = '/healthz';

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const path = new URL(options.url).pathname;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const summary = { accepted: 0, duplicates: 0, quarantined: 0, rejected: 0 };
  let batches = 0;
  let exhausted = false;
  let lastWasBatch = false;
  /**
   * The measured window: responses outside it (the paced load's ramp-up,
   * and the up to one second autocannon takes to stop after its duration)
   * count for statuses only.
   */
  let measureFrom = 0;
  let measureTo = Number.POSITIVE_INFINITY;
  const instances: autocannon.Instance[] = [];
  const stopAll = (): void => {
    for (const instance of instances) instance.stop();
  };

  const requests: autocannon.Request[] = [
    {
      setupRequest(request) {
        const body = options.bodies.take();
        if (body === undefined) {
          // Never resend a body: ask for something harmless until the stop takes effect.
          if (!exhausted) setImmediate(stopAll);
          exhausted = true;
          return { ...request, method: 'GET', path: HEALTH_PATH, body: Buffer.alloc(0) };
        }
        return { ...request, method: 'POST', path, body };
      },
      onResponse(status, body) {
        const isBatch = !body.startsWith('{"status"');
        const now = performance.now();
        lastWasBatch = isBatch && now >= measureFrom && now <= measureTo;
        if (!isBatch) return;
        const key = String(status);
        statusCodes[key] = (statusCodes[key] ?? 0) + 1;
        if (status !== 200 || !lastWasBatch) return;
        batches++;
        const answer = JSON.parse(body) as Partial<typeof summary>;
        summary.accepted += answer.accepted ?? 0;
        summary.duplicates += answer.duplicates ?? 0;
        summary.quarantined += answer.quarantined ?? 0;
        summary.rejected += answer.rejected ?? 0;
      },
    },
  ];

  const base: autocannon.Options = {
    url: options.url,
    method: 'POST',
    headers: { authorization: options.authorization, 'content-type': 'text/plain', 'content-encoding': 'application/gzip' },
    requests,
    // autocannon always connects with rejectUnauthorized: false (the bench's certificate is self-signed anyway).
    timeout: 30,
    ...(options.reconnectEvery === undefined ? {} : { reconnectRate: options.reconnectEvery }),
  };

  const runOne = (opts: autocannon.Options, delayMs: number): Promise<autocannon.Result> =>
    new Promise((resolve, reject) => {
      setTimeout(() => {
        let instance: autocannon.Instance;
        try {
          instance = autocannon(opts, (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)));
        } catch (error) {
          reject(error);
          return;
        }
        instances.push(instance);
        instance.on('response', (_client, _status, _bytes, responseTime) => {
          if (lastWasBatch) latencies.push(responseTime);
        });
        instance.on('reqError', (error: { message?: string }) => {
          const key = error.message === 'request timed out' ? 'timeout' : 'error';
          statusCodes[key] = (statusCodes[key] ?? 0) + 1;
        });
      }, delayMs);
    });

  const t0 = performance.now();
  measureFrom = t0;
  measureTo = t0 + options.durationMs;
  const shape = options.shape;
  if (shape.kind === 'closed') {
    await runOne({ ...base, connections: shape.connections, duration: options.durationMs / 1000 }, 0);
  } else {
    const runs: Promise<autocannon.Result>[] = [];
    const n = Math.max(1, Math.min(shape.instances, Math.floor(shape.requestsPerSec)));
    const total = Math.max(1, Math.round(shape.requestsPerSec));
    const spacingMs = 1000 / n;
    // Measured once every instance runs, and all stop together: the phase sees the whole target rate.
    const rampMs = spacingMs * (n - 1);
    measureFrom = t0 + rampMs;
    measureTo = measureFrom + options.durationMs;
    for (let i = 0; i < n; i++) {
      const rate = Math.floor(total / n) + (i < total % n ? 1 : 0);
      const delayMs = i * spacingMs;
      // Percentiles are computed here from every response time (module comment): no coordinated-omission correction.
      runs.push(runOne({ ...base, connections: 1, overallRate: rate, ignoreCoordinatedOmission: true, duration: (rampMs + options.durationMs - delayMs) / 1000 }, delayMs));
    }
    await Promise.all(runs);
  }
  const seconds = (Math.min(performance.now(), measureTo) - measureFrom) / 1000;

  const sorted = Float64Array.from(latencies).sort();
  const mean = latencies.length === 0 ? Number.NaN : latencies.reduce((a, b) => a + b, 0) / latencies.length;
  return {
    seconds,
    batches,
    requestsPerSec: batches / seconds,
    linesPerSec: summary.accepted / seconds,
    summary,
    latencyMs: { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? Number.NaN, mean },
    statusCodes,
    exhausted,
  };
}

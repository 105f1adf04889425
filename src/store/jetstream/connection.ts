/**
 * @module store/jetstream/connection
 * The receiver's connection to the NATS cluster and what /readyz and
 * /metrics say about it. "Ready" means a JetStream quorum answers: the
 * connection is up AND the events stream's leader answered a probe
 * recently (with a quorum lost, the stream has no leader and the probe times
 * out, and so would every publish: the load balancer should take the
 * receiver out rather than send it batches it must answer 500).
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type Authenticator, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Gauge, Histogram } from 'prom-client';
import { KarError } from '../../errors/index.js';
import type { Logger } from '../../observability/logger.js';
import { metricsRegistry } from '../../observability/metrics.js';
import { EVENTS_STREAM } from './names.js';

export interface NatsConnectionSettings {
  /** Client URLs (nats:// or tls://). */
  readonly servers: readonly string[];
  /** A .creds file (JWT + NKey seed) for NATS authentication. */
  readonly credsFile?: string;
  /** A PEM file of the CA that signed the servers' certificates (turns TLS on). */
  readonly caFile?: string;
  /** Time a JetStream request (a publish, an info) may take before it fails (default 5 s). */
  readonly requestTimeoutMs?: number;
  readonly logger: Logger;
}

// Registered when a cluster store opens (registerNatsMetrics): a receiver on the embedded store exports none of these.
const connectionState = new Gauge({ name: 'konnect_audit_nats_connected', help: '1 when the receiver is connected to NATS and a JetStream quorum answered its last probe, else 0.', registers: [] });
export const publishSeconds = new Histogram({
  name: 'konnect_audit_nats_publish_seconds',
  help: 'Time for JetStream to acknowledge a batch (dedup claims and event messages), by outcome.',
  labelNames: ['outcome'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [],
});
export const consumerLag = new Gauge({
  name: 'konnect_audit_nats_consumer_lag_messages',
  help: "Messages (batch chunks) of the events stream a sink's shared consumer has not delivered yet: pending plus awaiting acknowledgement.",
  labelNames: ['sink'],
  registers: [],
});

function registerNatsMetrics(): void {
  const metrics = [
    ['konnect_audit_nats_connected', connectionState],
    ['konnect_audit_nats_publish_seconds', publishSeconds],
    ['konnect_audit_nats_consumer_lag_messages', consumerLag],
  ] as const;
  for (const [name, metric] of metrics) {
    if (metricsRegistry.getSingleMetric(name) === undefined) metricsRegistry.registerMetric(metric);
  }
}

export interface ClusterConnection {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  health(): { ok: boolean; reason?: string };
  /** A publish or a read failed for a reason that says the quorum is gone: unready until the next good probe. */
  reportFailure(reason: string): void;
  close(): Promise<void>;
}

const PROBE_INTERVAL_MS = 1000;

/**
 * The authenticator for KONNECT_AUDIT_NATS_CREDS, checked before connecting:
 * nats.js reads a .creds file only during the handshake and then says
 * "unable to parse credentials" as if NATS were down. A file that cannot be
 * read or holds no user JWT and NKey seed is a configuration error naming
 * the file, never its contents (the seed is a secret).
 */
export function natsCredsAuthenticator(file: string): Authenticator {
  let creds: Uint8Array;
  try {
    creds = readFileSync(file);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new KarError('KAR_ERR_CONFIG_INVALID', `KONNECT_AUDIT_NATS_CREDS: cannot read ${file} (${why})`);
  }
  const authenticator = credsAuthenticator(creds);
  let jwt: unknown;
  try {
    // Without a nonce nothing is signed: this only parses the JWT and decodes the seed.
    jwt = (authenticator(undefined) as { jwt?: unknown }).jwt;
  } catch {
    jwt = undefined;
  }
  if (typeof jwt !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(jwt)) {
    throw new KarError('KAR_ERR_CONFIG_INVALID', `KONNECT_AUDIT_NATS_CREDS: ${file} is not a NATS .creds file (a user JWT and an NKey seed, as nsc writes them)`);
  }
  return authenticator;
}

export async function openClusterConnection(settings: NatsConnectionSettings): Promise<ClusterConnection> {
  const timeout = settings.requestTimeoutMs ?? 5000;
  registerNatsMetrics();
  const authenticator = settings.credsFile === undefined ? undefined : natsCredsAuthenticator(settings.credsFile);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: [...settings.servers],
      name: 'konnect-audit-receiver',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout,
      ...(authenticator === undefined ? {} : { authenticator }),
      ...(settings.caFile === undefined ? {} : { tls: { caFile: settings.caFile } }),
    });
  } catch (error) {
    throw new KarError('KAR_ERR_STORE_UNAVAILABLE', `cannot connect to NATS at ${settings.servers.join(',')}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const jsm = await jetstreamManager(nc, { timeout });
  const log = settings.logger;
  let ready = false;
  let reason = 'not probed yet';
  let closed = false;

  const setState = (ok: boolean, why: string): void => {
    if (ok !== ready) log[ok ? 'info' : 'warn']({ reason: why }, ok ? 'JetStream quorum reachable: ready' : 'JetStream quorum not reachable: /readyz answers 503');
    ready = ok;
    reason = why;
    connectionState.set(ok ? 1 : 0);
  };

  async function probe(): Promise<void> {
    if (nc.isClosed()) return setState(false, 'the NATS connection is closed');
    try {
      await jsm.streams.info(EVENTS_STREAM);
      setState(true, 'ok');
    } catch (error) {
      setState(false, `JetStream did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // The probe's timer keeps nothing alive: a probe in flight when close() starts is harmless.
  const loop = async (): Promise<void> => {
    while (!closed) {
      await probe();
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS).unref());
    }
  };
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') setState(false, 'disconnected from NATS');
      if (status.type === 'reconnect') void probe();
    }
  })().catch(() => undefined);

  return {
    nc,
    jsm,
    health: () => (ready ? { ok: true } : { ok: false, reason }),
    reportFailure(why) {
      setState(false, why);
    },
    start() {
      void loop();
    },
    async close() {
      closed = true;
      connectionState.set(0);
      await nc.drain().catch(() => nc.close());
    },
  } as ClusterConnection & { start(): void };
}

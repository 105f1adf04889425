/**
 * @module intake/run-receiver
 * Assembles and runs a receiver from a validated configuration: store,
 * sinks and their dispatcher, key set, pipeline, Hono app, HTTPS (or,
 * explicitly, plain HTTP) server. `serve`, `demo`, tests and benchmarks all
 * start one with `startReceiver`; `close()` is the graceful shutdown.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { ReceiverConfig } from '../config/index.js';
import { KarError } from '../errors/index.js';
import { createLineParser } from '../lines/parse-line.js';
import { createSilentLogger, type Logger } from '../observability/logger.js';
import { collectProcessMetrics } from '../observability/metrics.js';
import { processBatch, type PipelineDeps } from '../pipeline.js';
import { createDispatcher } from '../delivery/index.js';
import { createSink } from '../sinks/registry.js';
import { openReceiverStore } from '../store/open-store.js';
import { createKeySet, createLineVerifier, createSignatureVerifier, DEFAULT_MIN_REFRESH_INTERVAL_MS, type KeySet, type SodiumLoader } from '../verify/index.js';
import { createIntakeApp } from './app.js';
import { createAuthorizationCheck } from './authorize.js';
import { loadTlsMaterial } from './tls.js';

export interface StartReceiverOptions {
  readonly logger?: Logger;
  /** Key loading when the first load failed (tests shorten these; defaults suit production). */
  readonly keys?: { readonly retryIntervalMs?: number; readonly minRefreshIntervalMs?: number };
  /** Tests: a loader that throws forces the node:crypto fallback of the signature workers. */
  readonly loadSodium?: SodiumLoader;
}

export interface RunningReceiver {
  /** Where to post batches, e.g. `https://127.0.0.1:8443/audit-logs` (loopback when listening on every address). */
  readonly url: string;
  readonly port: number;
  /**
   * Reads the TLS certificate and key again (after a renewal) and uses them
   * for new connections; on any problem the current ones stay and it rejects
   * with KAR_ERR_CONFIG_TLS. Nothing to do with plain HTTP.
   */
  reloadTls(): Promise<void>;
  /** Stops accepting, finishes batches in flight, flushes sinks, closes the store. Idempotent. */
  close(): Promise<void>;
}

/** The key cache sits with the store: the last good JWKS survives restarts and outages of Konnect's endpoint. */
export const JWKS_CACHE_FILE = 'jwks-cache.json';
/** Node checks header/request timeouts on this period (default 30 s): short, so slow clients are cut off near their deadline. */
const CONNECTIONS_CHECK_MS = 1000;
/**
 * How long an idle keep-alive connection stays open (Node's default is 5 s).
 * A new TLS connection costs the receiver 2.5 to 4 ms of CPU (handshake,
 * with or without session resumption: bench/support/handshake-probe.ts),
 * about a tenth of what a 100-line batch costs; Konnect posting every few
 * seconds on a connection the server had already closed would pay it each
 * time. Idle connections hold only their sockets.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Certificates this close to expiry get a warning at start. */
const EXPIRY_WARNING_MS = 14 * 24 * 60 * 60 * 1000;

export async function startReceiver(config: ReceiverConfig, options: StartReceiverOptions = {}): Promise<RunningReceiver> {
  const logger = options.logger ?? createSilentLogger();
  collectProcessMetrics();
  const tls = config.tls === undefined ? undefined : await loadTlsMaterial(config.tls);
  if (tls !== undefined && tls.notAfter.getTime() - Date.now() < EXPIRY_WARNING_MS) {
    logger.warn({ subject: tls.subject, notAfter: tls.notAfter.toISOString() }, 'the TLS certificate expires soon (or has expired): Konnect will fail to deliver');
  }
  const authorize = createAuthorizationCheck({ accepted: config.authorization, allowUnauthenticated: config.allowUnauthenticated });

  const undo: (() => Promise<void>)[] = [];
  try {
    // Cluster mode (docs/CLUSTER.md): the durable record lives in JetStream; sqlite stays the default.
    const store = await openReceiverStore(config, logger);
    undo.push(() => store.close());

    const sinks = config.sinks.map((sink) => createSink(sink, { logger: logger.child({ sink: sink.name }) }));
    const dispatcher = createDispatcher({ store, sinks, logger });

    const keySet = createKeySet({
      source: config.jwks,
      refreshIntervalMs: config.jwksRefreshIntervalMs,
      ...(options.keys?.minRefreshIntervalMs === undefined ? {} : { minRefreshIntervalMs: options.keys.minRefreshIntervalMs }),
      cacheFile: join(config.dataDir, JWKS_CACHE_FILE),
      logger,
    });
    const keyLoading = await startKeySet(keySet, logger, options.keys?.retryIntervalMs ?? DEFAULT_MIN_REFRESH_INTERVAL_MS, config.jwksRefreshIntervalMs);
    undo.push(async () => {
      keyLoading.stop();
      await keySet.close();
    });

    // libsodium on worker threads (node:crypto when it cannot load, said once here); 0 threads: the libuv pool.
    const signatureWorkers = createSignatureVerifier(() => keySet.keys(), { threads: config.verifyThreads, logger, ...(options.loadSodium === undefined ? {} : { loadSodium: options.loadSodium }) });
    undo.push(() => signatureWorkers.close());
    const deps: PipelineDeps = {
      // One parser for the receiver: it is used synchronously within a batch, never across an await.
      lineParser: createLineParser({ maxLineBytes: config.maxLineBytes }),
      verifier: createLineVerifier({ keySet, logger, verifier: signatureWorkers }),
      store,
      policy: config.invalidSignaturePolicy,
      now: () => new Date(),
    };
    const intake = createIntakeApp({
      path: config.path,
      authorize,
      limits: {
        maxBodyBytes: config.maxBodyBytes,
        maxInflatedBytes: config.maxInflatedBytes,
        bodyReadTimeoutMs: config.requestTimeoutMs,
        maxBatchesInFlight: config.maxBatchesInFlight,
        memoryBudgetBytes: config.memoryBudgetBytes,
        admissionWaitMs: config.admissionWaitMs,
      },
      processBatch: (body) => processBatch(body, deps),
      keysReady: () => keySet.isReady(),
      keyIds: () => keySet.keys().map((key) => key.kid),
      storeHealth: () => store.health(),
      verifyBackend: signatureWorkers.backend,
      logger,
    });

    await dispatcher.start();
    undo.push(() => dispatcher.stop({ flushTimeoutMs: config.shutdownTimeoutMs }));

    const serverOptions = {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(CONNECTIONS_CHECK_MS, Math.floor(config.headersTimeoutMs / 2)),
    };
    const server = (
      tls === undefined
        ? createAdaptorServer({ fetch: intake.app.fetch, createServer: createHttpServer, serverOptions })
        : createAdaptorServer({ fetch: intake.app.fetch, createServer: createHttpsServer, serverOptions: { ...serverOptions, cert: tls.cert, key: tls.key } })
    ) as HttpServer | HttpsServer;
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.on('tlsClientError', (error: Error) => logger.debug({ err: error.message }, 'TLS handshake failed'));
    const port = await listen(server, config.host, config.port);

    const scheme = tls === undefined ? 'http' : 'https';
    const url = `${scheme}://${urlHost(config.host)}:${port}${config.path}`;
    logger.info({ url, listen: `${config.host}:${port}`, acceptedAuthorizationValues: config.authorization.length, config }, 'receiver listening');
    if (tls === undefined) logger.warn('plain HTTP (insecureHttp): only behind a proxy that terminates TLS; Konnect posts over HTTPS only');
    if (config.authorization.length === 0) logger.warn('UNAUTHENTICATED (allowUnauthenticated): anyone who can reach this port can post events');

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      async reloadTls() {
        if (config.tls === undefined || !('setSecureContext' in server)) return;
        const fresh = await loadTlsMaterial(config.tls);
        server.setSecureContext({ cert: fresh.cert, key: fresh.key });
        logger.info({ subject: fresh.subject, notAfter: fresh.notAfter.toISOString() }, 'TLS certificate reloaded');
      },
      close() {
        closing ??= shutdown();
        return closing;
      },
    };

    async function shutdown(): Promise<void> {
      logger.info('shutting down: no new batches, finishing those in flight');
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await withTimeout(intake.drain(), config.shutdownTimeoutMs);
      server.closeIdleConnections();
      const closedInTime = await withTimeout(serverClosed, 1000);
      if (!closedInTime) server.closeAllConnections();
      for (const step of undo.reverse()) await step();
      logger.info('receiver stopped');
    }
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

/**
 * Loads the key set. When neither the source nor the cache gives keys, the
 * receiver still starts (answering 500 so that Konnect retries) and keeps
 * trying in the background (SPEC 5.2: keys unavailable and none cached → 500).
 */
async function startKeySet(keySet: KeySet, logger: Logger, retryIntervalMs: number, refreshIntervalMs: number): Promise<{ stop(): void }> {
  try {
    await keySet.start();
    return { stop: () => undefined };
  } catch (error) {
    logger.error({ code: error instanceof KarError ? error.code : 'KAR_ERR_KEYS_FETCH_FAILED', err: (error as Error).message }, 'no JWKS key set could be loaded and none is cached: batches are answered 500 (Konnect retries) until one loads');
  }
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async (): Promise<void> => {
    await keySet.refresh();
    if (stopped) return;
    // The key set refreshes itself only after a successful start: keep refreshing it on its interval.
    timer = setTimeout(() => void tick(), keySet.isReady() ? refreshIntervalMs : retryIntervalMs);
    timer.unref();
  };
  timer = setTimeout(() => void tick(), retryIntervalMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

function listen(server: HttpServer | HttpsServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new KarError('KAR_ERR_CONFIG_INVALID', `cannot listen on ${host}:${port} (${error.code ?? error.message})${error.code === 'EADDRINUSE' ? ': the port is in use' : ''}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A URL host clients can use: loopback when listening on every address. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * @module intake/app
 * The Hono app Konnect posts to: `POST {path}` (a batch), `GET /healthz`,
 * `GET /readyz`, `GET /metrics`. It checks, in this order, what can be
 * refused without reading the body (Authorization, Content-Encoding,
 * Content-Length, shutdown, keys), waits for room in the memory budget
 * (admission.ts), then reads and decodes the body within its caps and hands
 * it to the pipeline. Every answer is built by `respond.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import type { ErrorCode } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import { metricsRegistry } from '../observability/metrics.js';
import type { BatchOutcome } from '../pipeline.js';
import { createAdmission, gzipInflatedSizeHint, type AdmissionLease } from './admission.js';
import type { AuthorizationCheck } from './authorize.js';
import { checkContentLength, decodeBody, isGzip, parseContentEncoding, readBodyCapped, readIncomingCapped, type BodyCoding, type DecodeLimits } from './decode-body.js';
import { countAnswer, countOutcome, intakeMetrics } from './metrics.js';
import { codeOfThrown, respondError, respondStored, retryAfterOfThrown } from './respond.js';

export interface IntakeLimits extends DecodeLimits {
  /** Batches processed at once; more wait their turn (at most `admissionWaitMs`). */
  readonly maxBatchesInFlight: number;
  /** Bytes (compressed + inflated) all batches in flight may hold together (admission.ts). */
  readonly memoryBudgetBytes: number;
  /** Longest a batch waits for room in the budget before it is answered 429. */
  readonly admissionWaitMs: number;
}

export interface IntakeAppOptions {
  /** Where Konnect posts (`/audit-logs`). */
  readonly path: string;
  readonly authorize: AuthorizationCheck;
  readonly limits: IntakeLimits;
  /** The data path for one decoded body: `processBatch(body, deps)` with everything bound. */
  readonly processBatch: (body: Uint8Array) => Promise<BatchOutcome>;
  /** A key set is loaded (fetched or from the cache): without one, batches are answered 500. */
  readonly keysReady: () => boolean;
  /** Key ids of the current set, for the verification-failure warning. */
  readonly keyIds?: () => readonly string[];
  readonly storeHealth: () => { readonly ok: boolean; readonly reason?: string };
  /** The Ed25519 implementation checking signatures (`libsodium`, or `node-crypto` as the fallback), shown in /readyz. */
  readonly verifyBackend?: string;
  readonly logger: Logger;
}

export interface IntakeApp {
  readonly app: Hono;
  inFlight(): number;
  /** Refuses new batches from now on (429, retried by Konnect) and resolves when none is in flight. */
  drain(): Promise<void>;
}

/** How many failed event ids a warning lists (ids are signatures: not secret, but long). */
const FAILED_IDS_LOGGED = 5;

/** Node's request under @hono/node-server; absent with `app.request()` (tests) and other adapters. */
function incomingOf(c: Context): (Readable & { socket?: { remoteAddress?: string } }) | undefined {
  return (c.env as { incoming?: Readable & { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
}

function remoteAddress(c: Context): string | undefined {
  return incomingOf(c)?.socket?.remoteAddress;
}

export function createIntakeApp(options: IntakeAppOptions): IntakeApp {
  const { limits, logger } = options;
  const app = new Hono();
  const admission = createAdmission({ budgetBytes: limits.memoryBudgetBytes, maxConcurrent: limits.maxBatchesInFlight, waitMs: limits.admissionWaitMs });
  intakeMetrics.budgetBytes.set(limits.memoryBudgetBytes);
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  const drainedPromise = new Promise<void>((resolve) => {
    drained = resolve;
  });

  const leave = (): void => {
    inFlight--;
    intakeMetrics.inFlight.set(inFlight);
    if (draining && inFlight === 0) drained?.();
  };

  app.get('/healthz', () => Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } }));

  // Konnect never calls /readyz: a 503 here is for load balancers and orchestrators only.
  app.get('/readyz', () => {
    const keys = options.keysReady();
    const store = options.storeHealth();
    const ready = keys && store.ok && !draining;
    const body = {
      ready,
      keys: keys ? 'loaded' : 'not loaded',
      store: store.reason ?? (store.ok ? 'writable' : 'not writable'),
      draining,
      ...(options.verifyBackend === undefined ? {} : { verifyBackend: options.verifyBackend }),
    };
    return Response.json(body, { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } });
  });

  app.get('/metrics', async () => new Response(await metricsRegistry.metrics(), { headers: { 'content-type': metricsRegistry.contentType } }));

  app.post(options.path, async (c) => {
    const started = performance.now();
    const remote = remoteAddress(c);
    const refuse = (code: ErrorCode, detail: string, thrown?: { readonly error: unknown; readonly retryAfterSeconds: number | undefined }): Response => {
      const retryAfterSeconds = thrown?.retryAfterSeconds;
      const response = respondError(code, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
      const seconds = (performance.now() - started) / 1000;
      countAnswer(response.status, code, seconds);
      // Never the Authorization header, never the body: the code, why, and who.
      const fields = { status: response.status, code, remote, durationMs: Math.round(seconds * 1000) };
      if (response.status === 500 && thrown !== undefined) logger.error({ ...fields, err: thrown.error }, `batch not stored: ${detail}`);
      else logger.warn(fields, `batch refused: ${detail}`);
      return response;
    };

    if (!options.authorize(c.req.header('authorization'))) return refuse('KAR_ERR_INTAKE_UNAUTHORIZED', 'Authorization missing or not accepted');
    const coding = parseContentEncoding(c.req.header('content-encoding'));
    if (!coding.ok) return refuse(coding.code, coding.detail);
    const tooLarge = checkContentLength(c.req.header('content-length'), limits.maxBodyBytes);
    if (tooLarge !== undefined) return refuse(tooLarge.code, tooLarge.detail);
    if (draining) return refuse('KAR_ERR_INTAKE_SHUTTING_DOWN', 'the receiver is shutting down');
    if (!options.keysReady()) return refuse('KAR_ERR_KEYS_UNAVAILABLE', 'no key set is loaded yet and none is cached');

    // Room for the body as it will arrive; the declared length when there is one.
    const declared = Number(c.req.header('content-length'));
    const noRoom = (): Response => {
      intakeMetrics.admissionTimeouts.inc();
      return refuse('KAR_ERR_INTAKE_OVERLOADED', `no room within ${limits.admissionWaitMs} ms in the ${limits.memoryBudgetBytes}-byte memory budget for batches in flight`);
    };
    const waitStarted = performance.now();
    const lease = await admission.admit(Number.isSafeInteger(declared) && declared >= 0 ? declared : limits.maxBodyBytes);
    intakeMetrics.admissionWaitSeconds.observe((performance.now() - waitStarted) / 1000);
    if (lease === undefined) return noRoom();
    inFlight++;
    intakeMetrics.inFlight.set(inFlight);
    intakeMetrics.budgetUsedBytes.set(admission.used());
    try {
      const incoming = incomingOf(c);
      const raw = incoming === undefined ? await readBodyCapped(c.req.raw.body, limits) : await readIncomingCapped(incoming, limits);
      if (!raw.ok) return refuse(raw.code, raw.detail);
      const decoded = await decodeWithinLease(raw.value, coding.value, lease, limits);
      if (decoded === 'no-room') return noRoom();
      if (!decoded.ok) return refuse(decoded.code, decoded.detail);
      intakeMetrics.budgetUsedBytes.set(admission.used());

      const outcome = await options.processBatch(decoded.value);
      const response = respondStored(outcome.summary);
      const seconds = (performance.now() - started) / 1000;
      countAnswer(200, undefined, seconds);
      countOutcome(outcome, decoded.value.length);
      logger.info(
        {
          status: 200,
          remote,
          lines: outcome.lines,
          ...outcome.summary,
          dropped: outcome.dropped,
          bytes: raw.value.length,
          inflatedBytes: decoded.value.length,
          durationMs: Math.round(seconds * 1000),
          errors: outcome.errors,
        },
        'batch stored',
      );
      if (outcome.failedIds.length > 0) {
        logger.warn(
          { failed: outcome.failedIds.length, eventIds: outcome.failedIds.slice(0, FAILED_IDS_LOGGED), kidsTried: options.keyIds?.() ?? [], signatures: outcome.signatures },
          'lines failed signature verification',
        );
      }
      return response;
    } catch (error) {
      const code = codeOfThrown(error);
      return refuse(code, code === 'KAR_ERR_INTERNAL' ? 'internal error' : 'the store or the key set cannot take it now', { error, retryAfterSeconds: retryAfterOfThrown(error) });
    } finally {
      lease.release();
      intakeMetrics.budgetUsedBytes.set(admission.used());
      leave();
    }
  });

  app.notFound(() => respondError('KAR_ERR_INTAKE_NOT_FOUND'));
  app.onError((error) => {
    logger.error({ err: error }, 'request failed');
    return respondError('KAR_ERR_INTERNAL');
  });

  return {
    app,
    inFlight: () => inFlight,
    drain() {
      draining = true;
      if (inFlight === 0) drained?.();
      return drainedPromise;
    },
  };
}

/**
 * Inflates the body within what its lease holds: first what the gzip
 * trailer says it will inflate to (exact for Konnect's single-member
 * bodies), growing to the full inflated cap only when inflating goes past
 * it (several members, or a deflate body, whose size nothing tells). The
 * lease ends up holding the compressed plus the inflated bytes.
 */
async function decodeWithinLease(
  raw: Buffer,
  coding: BodyCoding,
  lease: AdmissionLease,
  limits: IntakeLimits,
): Promise<Awaited<ReturnType<typeof decodeBody>> | 'no-room'> {
  const cap = limits.maxInflatedBytes;
  // identity: the body is its own inflated form (counted once).
  const plain = !isGzip(raw) && coding !== 'deflate';
  const first = plain ? 0 : Math.min(cap, isGzip(raw) ? (gzipInflatedSizeHint(raw) ?? cap) : Math.max(1024 * 1024, raw.length * 16));
  if (!(await lease.resize(raw.length + first))) return 'no-room';
  if (plain) return decodeBody(raw, coding, cap);
  let decoded = await decodeBody(raw, coding, Math.max(first, 1), first);
  if (!decoded.ok && decoded.code === 'KAR_ERR_INTAKE_INFLATED_TOO_LARGE' && first < cap) {
    if (!(await lease.resize(raw.length + cap))) return 'no-room';
    decoded = await decodeBody(raw, coding, cap);
  }
  if (decoded.ok) await lease.resize(raw.length + decoded.value.length);
  return decoded;
}

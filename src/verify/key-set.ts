/**
 * @module verify/key-set
 * The Konnect key set (SPEC 5.4): loaded at start (falling back to the last
 * good JWKS saved in a cache file when the source cannot be used), refreshed
 * periodically and on demand, the last good set kept when a refresh fails.
 * On-demand refreshes are single-flight and rate limited, so that a flood of
 * forged lines cannot become a flood of JWKS fetches.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { KarError, isKarError } from '../errors/index.js';
import { createSilentLogger, type Logger } from '../observability/logger.js';
import { inspectJwks, type JwksKey } from './jwks.js';
import {
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_JWKS_BYTES,
  describeJwksSource,
  readJwksText,
  resolveJwksSource,
  type JwksSource,
} from './jwks-source.js';
import { jwksKeys, jwksLastSuccessSeconds, jwksRefreshTotal, type JwksRefreshResult } from './metrics.js';
import type { KeySet, VerificationKey } from './types.js';

export interface KeySetOptions {
  /** An https URL, an http URL on loopback (tests), or a file path. */
  readonly source: string;
  /** Periodic refresh; default 1 h. */
  readonly refreshIntervalMs?: number;
  /** On-demand refreshes closer than this to the last attempt are refused; default 30 s. */
  readonly minRefreshIntervalMs?: number;
  /** Default 10 s. */
  readonly fetchTimeoutMs?: number;
  /** Default 256 KiB. */
  readonly maxJwksBytes?: number;
  /** The last good JWKS is written here, and read at start when the source cannot be used. */
  readonly cacheFile?: string;
  readonly logger?: Logger;
  /** Clock for the rate limit (tests); default `Date.now`. */
  readonly now?: () => number;
}

export const DEFAULT_REFRESH_INTERVAL_MS = 60 * 60 * 1000;
export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 30 * 1000;
/** Periodic retry delay after a failed load (bounded by the refresh interval). */
const FAILED_RETRY_MS = 60 * 1000;
/** setTimeout fires at once for longer delays. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Settings {
  readonly source: JwksSource;
  readonly refreshIntervalMs: number;
  readonly minRefreshIntervalMs: number;
  readonly fetchTimeoutMs: number;
  readonly maxJwksBytes: number;
  readonly cacheFile: string | undefined;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Validates options once; throws `KAR_ERR_CONFIG_INVALID` listing every problem. No I/O until `start()`. */
export function createKeySet(options: KeySetOptions): KeySet {
  const settings = settle(options);
  const { logger, now } = settings;
  const where = describeJwksSource(settings.source);
  const closing = new AbortController();

  let current: readonly JwksKey[] = Object.freeze([]);
  let identity = '';
  let version = 0;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<boolean> | undefined;
  let starting: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let cachedText: string | undefined;
  let closed = false;
  /** Whether the last attempt to read the source failed (then the next periodic one comes sooner). */
  let lastFailed = false;

  /** Reads and validates the source; throws a KarError. */
  async function load(): Promise<{ keys: readonly JwksKey[]; text: string }> {
    const text = await readJwksText(settings.source, { fetchTimeoutMs: settings.fetchTimeoutMs, maxJwksBytes: settings.maxJwksBytes, signal: closing.signal });
    return { keys: usableKeys(text, where), text };
  }

  /** Makes `keys` the current set; true when it differs from the previous one. */
  function install(keys: readonly JwksKey[], origin: 'source' | 'cache'): boolean {
    const next = keys
      .map((k) => `${k.kid}\u0000${k.x}`)
      .sort()
      .join('\n');
    jwksKeys.set(keys.length);
    jwksLastSuccessSeconds.set(now() / 1000);
    if (next === identity) return false;
    const added = keys.filter((k) => !current.some((c) => c.kid === k.kid && c.x === k.x)).map((k) => k.kid);
    const removed = current.filter((c) => !keys.some((k) => c.kid === k.kid && c.x === k.x)).map((c) => c.kid);
    current = Object.freeze([...keys]);
    identity = next;
    version++;
    logger.info({ source: where, origin, kids: keys.map((k) => k.kid), added, removed }, 'JWKS key set loaded');
    return true;
  }

  async function saveCache(text: string): Promise<void> {
    if (settings.cacheFile === undefined || text === cachedText) return;
    const tmp = `${settings.cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, text, { mode: 0o644 });
      await rename(tmp, settings.cacheFile);
      cachedText = text;
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      logger.warn({ cacheFile: settings.cacheFile, err: (error as Error).message }, 'JWKS cache file could not be written; the key set stays in use');
    }
  }

  async function loadCache(): Promise<readonly JwksKey[] | undefined> {
    if (settings.cacheFile === undefined) return undefined;
    try {
      const text = await readFile(settings.cacheFile, 'utf8');
      if (Buffer.byteLength(text) > settings.maxJwksBytes) return undefined;
      const keys = usableKeys(text, settings.cacheFile);
      cachedText = text;
      return keys;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger.warn({ cacheFile: settings.cacheFile, err: (error as Error).message }, 'JWKS cache file is unusable');
      }
      return undefined;
    }
  }

  async function attempt(reason: 'periodic' | 'on-demand'): Promise<boolean> {
    lastAttemptAt = now();
    try {
      const { keys, text } = await load();
      if (closed) return false;
      lastFailed = false;
      const changed = install(keys, 'source');
      count(changed ? 'updated' : 'unchanged');
      await saveCache(text);
      return changed;
    } catch (error) {
      if (closed) return false;
      lastFailed = true;
      count('failed');
      logger.warn({ source: where, reason, code: codeOf(error), err: (error as Error).message, kids: current.map((k) => k.kid) }, 'JWKS refresh failed; the last good key set stays in use');
      return false;
    }
  }

  function singleFlight(reason: 'periodic' | 'on-demand'): Promise<boolean> {
    inflight ??= attempt(reason).finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  function schedule(): void {
    if (closed) return;
    // After a failure, try again sooner than the normal interval (but never faster than the rate limit).
    const delay = lastFailed ? Math.min(settings.refreshIntervalMs, Math.max(settings.minRefreshIntervalMs, FAILED_RETRY_MS)) : settings.refreshIntervalMs;
    timer = setTimeout(() => {
      void singleFlight('periodic').then(schedule);
    }, delay);
    timer.unref();
  }

  async function initialLoad(): Promise<void> {
    lastAttemptAt = now();
    try {
      const { keys, text } = await load();
      install(keys, 'source');
      count('updated');
      await saveCache(text);
    } catch (error) {
      const cached = await loadCache();
      if (cached === undefined) {
        count('failed');
        throw error;
      }
      install(cached, 'cache');
      lastFailed = true;
      count('failed');
      logger.warn({ source: where, cacheFile: settings.cacheFile, code: codeOf(error), err: (error as Error).message }, 'JWKS source unusable at start; using the cached key set');
    }
    schedule();
  }

  return {
    start() {
      if (closed) return Promise.reject(new KarError('KAR_ERR_KEYS_UNAVAILABLE', 'the key set is closed'));
      starting ??= initialLoad();
      return starting;
    },
    keys: (): readonly VerificationKey[] => current,
    isReady: () => current.length > 0,
    version: () => version,
    refresh() {
      if (closed) return Promise.resolve(false);
      if (inflight !== undefined) return inflight;
      if (now() - lastAttemptAt < settings.minRefreshIntervalMs) {
        count('rate_limited');
        return Promise.resolve(false);
      }
      return singleFlight('on-demand');
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      closing.abort();
      await inflight;
    },
  };
}

function usableKeys(text: string, where: string): readonly JwksKey[] {
  const { keys, ignored } = inspectJwks(text);
  if (keys.length === 0) {
    const reasons = ignored.slice(0, 5).map((i) => `${i.kid ?? `#${i.index}`}: ${i.reason}`);
    throw new KarError('KAR_ERR_KEYS_NONE_USABLE', `the JWKS from ${where} holds no usable Ed25519 key${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`);
  }
  return keys;
}

function count(result: JwksRefreshResult): void {
  jwksRefreshTotal.inc({ result });
}

function codeOf(error: unknown): string {
  return isKarError(error) ? error.code : 'KAR_ERR_KEYS_FETCH_FAILED';
}

function settle(options: KeySetOptions): Settings {
  const problems: string[] = [];
  const duration = (name: keyof KeySetOptions, value: number | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > MAX_TIMER_MS) problems.push(`${name} must be an integer from ${min} to ${MAX_TIMER_MS} (got ${value})`);
    return value;
  };
  const refreshIntervalMs = duration('refreshIntervalMs', options.refreshIntervalMs, DEFAULT_REFRESH_INTERVAL_MS, 1000);
  const minRefreshIntervalMs = duration('minRefreshIntervalMs', options.minRefreshIntervalMs, DEFAULT_MIN_REFRESH_INTERVAL_MS, 0);
  const fetchTimeoutMs = duration('fetchTimeoutMs', options.fetchTimeoutMs, DEFAULT_FETCH_TIMEOUT_MS, 1);
  const maxJwksBytes = options.maxJwksBytes ?? DEFAULT_MAX_JWKS_BYTES;
  if (!Number.isInteger(maxJwksBytes) || maxJwksBytes < 1) problems.push(`maxJwksBytes must be a positive integer (got ${maxJwksBytes})`);
  let source: JwksSource | undefined;
  try {
    source = resolveJwksSource(options.source);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0 || source === undefined) {
    throw new KarError('KAR_ERR_CONFIG_INVALID', `invalid key set options: ${problems.join('; ')}`);
  }
  return {
    source,
    refreshIntervalMs,
    minRefreshIntervalMs,
    fetchTimeoutMs,
    maxJwksBytes,
    cacheFile: options.cacheFile,
    logger: options.logger ?? createSilentLogger(),
    now: options.now ?? Date.now,
  };
}

/**
 * @module verify/jwks-source
 * Where a JWKS comes from: an https URL (Konnect's regional endpoints), a
 * plain http URL on loopback only (tests, a local mirror), or a file.
 * Reading is bounded in time and size; every failure is a
 * `KAR_ERR_KEYS_FETCH_FAILED` KarError naming the source.
 */
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KarError } from '../errors/index.js';

export const konnectRegions = ['us', 'eu', 'au'] as const;
export type KonnectRegion = (typeof konnectRegions)[number];

/** Konnect publishes one key set per region (SPEC 2). */
export function jwksUrlForRegion(region: KonnectRegion): string {
  return `https://${region}.api.konghq.com/v2/audit-log-webhook/jwks.json`;
}

export function isKonnectRegion(value: string): value is KonnectRegion {
  return (konnectRegions as readonly string[]).includes(value);
}

export const DEFAULT_JWKS_URL = jwksUrlForRegion('us');

export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
/** A real JWKS is a few hundred bytes per key. */
export const DEFAULT_MAX_JWKS_BYTES = 256 * 1024;

export type JwksSource = { readonly kind: 'url'; readonly url: URL } | { readonly kind: 'file'; readonly path: string };

export interface ReadJwksOptions {
  readonly fetchTimeoutMs?: number;
  readonly maxJwksBytes?: number;
  /** Aborts the read (key set closed). */
  readonly signal?: AbortSignal;
}

/**
 * Classifies a `KONNECT_AUDIT_JWKS` value. Plain http is refused except on
 * loopback: the keys decide what is authentic, so they must not be
 * replaceable on the network path. Throws `KAR_ERR_CONFIG_INVALID`.
 */
export function resolveJwksSource(source: string): JwksSource {
  if (source.trim() === '') throw new KarError('KAR_ERR_CONFIG_INVALID', 'the JWKS source is empty: give an https URL or a file path');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'file', path: source };
  if (scheme === 'file') return { kind: 'file', path: fileURLToPath(source) };
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new KarError('KAR_ERR_CONFIG_INVALID', `the JWKS URL ${JSON.stringify(source)} is not a valid URL`);
  }
  if (url.protocol === 'https:') return { kind: 'url', url };
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return { kind: 'url', url };
  if (url.protocol === 'http:') throw new KarError('KAR_ERR_CONFIG_INVALID', `the JWKS URL must use https (plain http is allowed on loopback only): ${url.origin}`);
  throw new KarError('KAR_ERR_CONFIG_INVALID', `the JWKS source must be an https URL or a file path, not ${url.protocol}`);
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** A short, non-secret name of the source for messages and logs (no query string, no credentials). */
export function describeJwksSource(source: JwksSource): string {
  return source.kind === 'file' ? source.path : `${source.url.origin}${source.url.pathname}`;
}

/** Reads the JWKS text. Throws `KAR_ERR_KEYS_FETCH_FAILED`. */
export async function readJwksText(source: JwksSource, options: ReadJwksOptions = {}): Promise<string> {
  const maxBytes = options.maxJwksBytes ?? DEFAULT_MAX_JWKS_BYTES;
  const bytes = source.kind === 'file' ? await readFileCapped(source.path, maxBytes) : await fetchCapped(source.url, maxBytes, options);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fetchFailed(source, 'the JWKS is not UTF-8 text');
  }
}

async function fetchCapped(url: URL, maxBytes: number, options: ReadJwksOptions): Promise<Uint8Array> {
  const source: JwksSource = { kind: 'url', url };
  const timeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'application/jwk-set+json, application/json' } });
  } catch (error) {
    throw fetchFailed(source, timeout.aborted ? `no answer within ${timeoutMs} ms` : causeOf(error), error);
  }
  try {
    // A redirect must not downgrade us to plain http off loopback.
    const final = new URL(response.url || url.href);
    if (final.protocol !== 'https:' && !(final.protocol === 'http:' && isLoopbackHost(final.hostname))) {
      throw fetchFailed(source, `redirected to a non-https URL (${final.origin})`);
    }
    if (!response.ok) throw fetchFailed(source, `HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) throw fetchFailed(source, `the JWKS is ${declared} bytes, over the ${maxBytes}-byte limit`);
    return await readBodyCapped(response, maxBytes, source, timeout, timeoutMs);
  } finally {
    // Frees the connection whatever happened above (a no-op once the body was read).
    await response.body?.cancel().catch(() => undefined);
  }
}

async function readBodyCapped(response: Response, maxBytes: number, source: JwksSource, timeout: AbortSignal, timeoutMs: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw fetchFailed(source, `the JWKS is over the ${maxBytes}-byte limit`);
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof KarError) throw error;
    throw fetchFailed(source, timeout.aborted ? `no complete answer within ${timeoutMs} ms` : causeOf(error), error);
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}

async function readFileCapped(path: string, maxBytes: number): Promise<Uint8Array> {
  const source: JwksSource = { kind: 'file', path };
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fetchFailed(source, causeOf(error), error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw fetchFailed(source, 'not a regular file');
    if (stat.size > maxBytes) throw fetchFailed(source, `the JWKS is ${stat.size} bytes, over the ${maxBytes}-byte limit`);
    return await handle.readFile();
  } catch (error) {
    if (error instanceof KarError) throw error;
    throw fetchFailed(source, causeOf(error), error);
  } finally {
    await handle.close();
  }
}

function fetchFailed(source: JwksSource, reason: string, cause?: unknown): KarError {
  const what = source.kind === 'file' ? 'read' : 'fetched';
  return new KarError('KAR_ERR_KEYS_FETCH_FAILED', `the JWKS could not be ${what} from ${describeJwksSource(source)}: ${reason}`, {
    details: { source: describeJwksSource(source) },
    cause,
  });
}

/** The most specific message: undici wraps network errors in `TypeError: fetch failed` with the real one as cause. */
function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error.cause instanceof Error ? error.cause : error;
  const code = (inner as NodeJS.ErrnoException).code;
  return code === undefined || inner.message.includes(code) ? inner.message : `${code}: ${inner.message}`;
}

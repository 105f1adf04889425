/**
 * @module intake/decode-body
 * Reads a request body with a cap on its compressed size, then inflates it
 * with a cap on its inflated size enforced while inflating (a gzip bomb is
 * stopped at the cap, never inflated in full). Outcomes are values: the
 * status table in `respond.ts` turns a failure code into a status.
 */
import type { Readable } from 'node:stream';
import { createGunzip, createInflate, createInflateRaw, gunzipSync, inflateRawSync, inflateSync, type Gunzip, type Inflate, type InflateRaw } from 'node:zlib';
import type { ErrorCode } from '../errors/index.js';

/** The body codings Konnect and its proxies may label a batch with (SPEC 2). */
export type BodyCoding = 'gzip' | 'deflate' | 'identity';

export interface DecodeLimits {
  /** Cap on the body as received (compressed). */
  readonly maxBodyBytes: number;
  /** Cap on the body once inflated; enforced while inflating. */
  readonly maxInflatedBytes: number;
  /** The whole body must arrive within this time (slow clients). */
  readonly bodyReadTimeoutMs: number;
}

export type DecodeFailure = { readonly ok: false; readonly code: ErrorCode; readonly detail: string };
export type Decoded<T> = { readonly ok: true; readonly value: T } | DecodeFailure;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Konnect labels gzip bodies `Content-Encoding: application/gzip` (not the
 * registered `gzip`); `x-gzip` is the old alias (RFC 9110 §8.4.1.3). The
 * label only tells us what is allowed: gzip itself is recognised by its
 * magic bytes, whatever the label says.
 */
const codingByLabel: Readonly<Record<string, BodyCoding>> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  'application/gzip': 'gzip',
  deflate: 'deflate',
  identity: 'identity',
};

/** The coding named by a Content-Encoding header; `identity` when absent or empty. */
export function parseContentEncoding(header: string | undefined): Decoded<BodyCoding> {
  // A list (`gzip, identity`) is allowed as long as at most one real coding remains.
  const labels = (header ?? '')
    .split(',')
    .map((label) => label.trim().toLowerCase())
    .filter((label) => label !== '' && label !== 'identity');
  if (labels.length === 0) return { ok: true, value: 'identity' };
  const coding = labels.length === 1 ? codingByLabel[labels[0] as string] : undefined;
  if (coding === undefined) {
    return { ok: false, code: 'KAR_ERR_INTAKE_UNSUPPORTED_ENCODING', detail: `Content-Encoding ${JSON.stringify(header)} is not gzip, x-gzip, application/gzip, deflate or identity` };
  }
  return { ok: true, value: coding };
}

/** Refuses early on a declared Content-Length over the cap (before reading a byte). */
export function checkContentLength(header: string | undefined, maxBodyBytes: number): DecodeFailure | undefined {
  if (header === undefined) return undefined;
  const declared = Number(header);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    return { ok: false, code: 'KAR_ERR_INTAKE_BODY_TOO_LARGE', detail: `Content-Length ${declared} is over the ${maxBodyBytes}-byte limit` };
  }
  return undefined;
}

/** Reads the whole body, counting bytes as they arrive: over the cap, reading stops. */
export async function readBodyCapped(body: ReadableStream<Uint8Array> | null, limits: Pick<DecodeLimits, 'maxBodyBytes' | 'bodyReadTimeoutMs'>): Promise<Decoded<Buffer>> {
  if (body === null) return { ok: true, value: Buffer.alloc(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limits.bodyReadTimeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), timedOut]);
      if (next === 'timeout') {
        void reader.cancel().catch(() => undefined);
        return { ok: false, code: 'KAR_ERR_INTAKE_TIMEOUT', detail: `the body did not arrive within ${limits.bodyReadTimeoutMs} ms` };
      }
      if (next.done) break;
      total += next.value.byteLength;
      if (total > limits.maxBodyBytes) {
        void reader.cancel().catch(() => undefined);
        return { ok: false, code: 'KAR_ERR_INTAKE_BODY_TOO_LARGE', detail: `the body is over the ${limits.maxBodyBytes}-byte limit` };
      }
      chunks.push(next.value);
    }
  } catch {
    // The client went away mid-body: nothing was stored, Konnect sees a connection error and retries.
    return { ok: false, code: 'KAR_ERR_INTAKE_BODY_UNDECODABLE', detail: 'the connection failed while the body was being read' };
  } finally {
    clearTimeout(timer);
  }
  return { ok: true, value: Buffer.concat(chunks, total) };
}

/**
 * Reads the body straight from Node's request stream (what @hono/node-server
 * gives as `env.incoming`), with the same caps and outcomes as
 * `readBodyCapped`: the WHATWG stream `c.req.raw.body` costs a Request, a
 * ReadableStream and a promise per chunk on top (measured on the receiver
 * bench, see docs/BENCHMARKS.md). On a refusal the stream is paused and left
 * to the server adapter, which drains (bounded) or closes it after the answer.
 */
export function readIncomingCapped(incoming: Readable, limits: Pick<DecodeLimits, 'maxBodyBytes' | 'bodyReadTimeoutMs'>): Promise<Decoded<Buffer>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (outcome: Decoded<Buffer>): void => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onFailure);
      incoming.off('close', onClose);
      if (!outcome.ok) incoming.pause();
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limits.maxBodyBytes) {
        chunks.length = 0;
        finish({ ok: false, code: 'KAR_ERR_INTAKE_BODY_TOO_LARGE', detail: `the body is over the ${limits.maxBodyBytes}-byte limit` });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, value: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total) });
    // The client went away mid-body: nothing was stored, Konnect sees a connection error and retries.
    const onFailure = (): void => finish({ ok: false, code: 'KAR_ERR_INTAKE_BODY_UNDECODABLE', detail: 'the connection failed while the body was being read' });
    const onClose = (): void => (incoming.readableEnded ? onEnd() : onFailure());
    const timer = setTimeout(() => finish({ ok: false, code: 'KAR_ERR_INTAKE_TIMEOUT', detail: `the body did not arrive within ${limits.bodyReadTimeoutMs} ms` }), limits.bodyReadTimeoutMs);
    if (incoming.readableEnded) {
      onEnd();
      return;
    }
    if (incoming.destroyed) {
      onFailure();
      return;
    }
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onFailure);
    incoming.on('close', onClose);
  });
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/**
 * RFC 1950 §2.2: a zlib stream starts with CMF (method 8 = deflate in the low
 * nibble) and FLG such that CMF*256+FLG is a multiple of 31. `Content-Encoding:
 * deflate` means zlib-wrapped (RFC 9110 §8.4.1.2) but some senders send raw
 * deflate: both are accepted.
 */
function isZlibWrapped(bytes: Uint8Array): boolean {
  const cmf = bytes[0];
  const flg = bytes[1];
  return cmf !== undefined && flg !== undefined && (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
}

/**
 * Bodies that inflate to at most this are inflated in one synchronous call:
 * a 100-line batch (~45 KB inflated) takes a fraction of a millisecond, and
 * a third of the CPU of the streaming inflater with its thread-pool hops
 * (2-3 vs 5-14 µs per line, docs/BENCHMARKS.md). A bigger body (or a bomb)
 * is stopped at this budget and inflated again by the streaming path, which
 * enforces the real cap without holding the event loop.
 */
export const SYNC_INFLATE_BYTES = 1024 * 1024;

type Inflater = 'gunzip' | 'inflate' | 'inflateRaw';
const inflateSyncBy = { gunzip: gunzipSync, inflate: inflateSync, inflateRaw: inflateRawSync } as const;
const inflateStreamBy = { gunzip: createGunzip, inflate: createInflate, inflateRaw: createInflateRaw } as const;

async function inflate(raw: Buffer, kind: Inflater, maxInflatedBytes: number, expectedBytes: number | undefined): Promise<Decoded<Buffer>> {
  const budget = Math.min(maxInflatedBytes, SYNC_INFLATE_BYTES);
  try {
    return { ok: true, value: inflateSyncBy[kind](raw, { maxOutputLength: budget }) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') {
      return { ok: false, code: 'KAR_ERR_INTAKE_BODY_UNDECODABLE', detail: `the body cannot be inflated: ${(error as Error).message}` };
    }
    if (budget >= maxInflatedBytes) return { ok: false, code: 'KAR_ERR_INTAKE_INFLATED_TOO_LARGE', detail: `the body inflates past the ${maxInflatedBytes}-byte limit` };
    return inflateCapped(raw, inflateStreamBy[kind](), maxInflatedBytes, expectedBytes);
  }
}

/**
 * Decodes a body received with the given coding, within `maxInflatedBytes`.
 * `expectedBytes` (the gzip trailer's size, intake/admission.ts) lets a large
 * body inflate straight into one buffer of that size.
 */
export async function decodeBody(raw: Buffer, coding: BodyCoding, maxInflatedBytes: number, expectedBytes?: number): Promise<Decoded<Buffer>> {
  if (isGzip(raw)) return inflate(raw, 'gunzip', maxInflatedBytes, expectedBytes);
  if (coding === 'gzip') {
    return { ok: false, code: 'KAR_ERR_INTAKE_BODY_UNDECODABLE', detail: 'the body is labelled gzip but does not start with the gzip magic bytes 1f 8b' };
  }
  if (coding === 'deflate') return inflate(raw, isZlibWrapped(raw) ? 'inflate' : 'inflateRaw', maxInflatedBytes, undefined);
  if (raw.length > maxInflatedBytes) {
    return { ok: false, code: 'KAR_ERR_INTAKE_INFLATED_TOO_LARGE', detail: `the body is over the ${maxInflatedBytes}-byte limit` };
  }
  return { ok: true, value: raw };
}

/**
 * Streams `input` through zlib, counting output as it is produced; past the
 * cap the inflater is destroyed, so memory stays at about the cap whatever
 * the input claims. Gunzip also reads concatenated gzip members (RFC 1952 §2.2).
 *
 * With `expectedBytes`, output is copied into one buffer of that size as it
 * comes: collecting chunks and concatenating them at the end held the body
 * twice (256 MiB for a body at the 128 MiB cap). Output beyond the
 * expectation (several members, or a wrong hint) falls back to chunks.
 */
export function inflateCapped(input: Buffer, inflater: Gunzip | Inflate | InflateRaw, maxInflatedBytes: number, expectedBytes?: number): Promise<Decoded<Buffer>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let target = expectedBytes !== undefined && expectedBytes > 0 && expectedBytes <= maxInflatedBytes ? Buffer.allocUnsafe(expectedBytes) : undefined;
    let settled = false;
    const settle = (outcome: Decoded<Buffer>): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    inflater.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxInflatedBytes) {
        chunks.length = 0;
        target = undefined;
        inflater.destroy();
        settle({ ok: false, code: 'KAR_ERR_INTAKE_INFLATED_TOO_LARGE', detail: `the body inflates past the ${maxInflatedBytes}-byte limit` });
        return;
      }
      if (target !== undefined && total <= target.length) {
        chunk.copy(target, total - chunk.length);
        return;
      }
      if (target !== undefined) {
        chunks.push(target.subarray(0, total - chunk.length));
        target = undefined;
      }
      chunks.push(chunk);
    });
    inflater.on('error', (error: Error) => {
      settle({ ok: false, code: 'KAR_ERR_INTAKE_BODY_UNDECODABLE', detail: `the body cannot be inflated: ${error.message}` });
    });
    inflater.on('end', () => settle({ ok: true, value: target !== undefined ? target.subarray(0, total) : Buffer.concat(chunks, total) }));
    inflater.end(input);
  });
}

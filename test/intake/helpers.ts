/**
 * Test helpers for the intake: an app with every dependency faked unless
 * given, and a fake pipeline that counts lines the way the real one does.
 */
import { gzipSync } from 'node:zlib';
import { createSilentLogger, type Logger } from '../../src/observability/logger.js';
import type { BatchOutcome } from '../../src/pipeline.js';
import { createAuthorizationCheck } from '../../src/intake/authorize.js';
import { createIntakeApp, type IntakeApp, type IntakeAppOptions } from '../../src/intake/app.js';
import { Secret } from '../../src/sinks/secret.js';

export const TOKEN = 'Bearer test-token-0123456789abcdef0123456789abcdef';

export const defaultLimits = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxInflatedBytes: 128 * 1024 * 1024,
  bodyReadTimeoutMs: 30_000,
  maxBatchesInFlight: 8,
  memoryBudgetBytes: 192 * 1024 * 1024,
  admissionWaitMs: 10_000,
} as const;

/** An outcome where every non-empty line was accepted. */
export function acceptAll(body: Uint8Array): BatchOutcome {
  const lines = Buffer.from(body).toString('utf8').split('\n').filter((line) => line.trim() !== '').length;
  return {
    summary: { accepted: lines, duplicates: 0, quarantined: 0, rejected: 0 },
    lines,
    dropped: 0,
    signatures: { valid: lines, invalid: 0, missing: 0, malformed: 0, unverified: 0 },
    kids: lines > 0 ? { 'kid-1': lines } : {},
    errors: {},
    failedIds: [],
  };
}

export function makeApp(overrides: Partial<IntakeAppOptions> = {}): IntakeApp & { logger: Logger } {
  const logger = overrides.logger ?? createSilentLogger();
  const options: IntakeAppOptions = {
    path: '/audit-logs',
    authorize: createAuthorizationCheck({ accepted: [new Secret(TOKEN)] }),
    limits: defaultLimits,
    processBatch: async (body) => acceptAll(body),
    keysReady: () => true,
    keyIds: () => ['kid-1'],
    storeHealth: () => ({ ok: true }),
    ...overrides,
    logger,
  };
  return { ...createIntakeApp(options), logger };
}

export function gzipLines(lines: readonly string[]): Buffer {
  return gzipSync(Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8'));
}

/** Konnect's request: gzip body labelled `application/gzip`, `text/plain`. */
export function konnectRequest(body: Uint8Array, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { authorization: TOKEN, 'content-type': 'text/plain', 'content-encoding': 'application/gzip', ...headers },
    body,
  };
}

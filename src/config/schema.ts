/**
 * @module config/schema
 * The receiver's configuration as zod validates it: one flat object whose
 * keys are the config-file keys of `settings.ts`. Unknown keys are refused,
 * units are in the names, secrets come out wrapped in `Secret`.
 */
import { z } from 'zod';
import { invalidSignaturePolicies } from '../pipeline.js';
import { Secret } from '../sinks/secret.js';
import { defaults } from './settings.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

function integer(min: number, max: number) {
  const words = `must be a whole number from ${min} to ${max}`;
  return z.number({ error: words }).int({ error: words }).min(min, { error: words }).max(max, { error: words });
}

const bytes = (min: number, max: number) => integer(min, max);
const milliseconds = (min: number) => integer(min, MAX_TIMER_MS);
const flag = z.boolean({ error: 'must be true or false' });
const nonEmpty = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });

/**
 * An accepted Authorization value. HTTP strips leading and trailing
 * whitespace from header values (RFC 9110 §5.5) and a header cannot carry
 * control characters, so such a value could never match: refused here.
 */
const authorizationValue = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .refine((value) => value === value.trim(), { error: 'has leading or trailing whitespace, which HTTP strips: it could never match' })
  // eslint-disable-next-line no-control-regex
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { error: 'contains a control character, which an HTTP header cannot carry' })
  .transform((value) => new Secret(value));

const reservedPaths = new Set(['/healthz', '/readyz', '/metrics']);

export const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Validated fields; `sinks` is checked by the sink registry's own schema (see load.ts). */
export const receiverConfigSchema = z
  .object({
    host: nonEmpty.default(defaults.host),
    port: integer(0, 65_535).default(defaults.port),
    path: z
      .string({ error: 'must be a string' })
      .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$/, { error: 'must start with "/" and hold only URL path characters' })
      .refine((value) => !reservedPaths.has(value), { error: 'is taken by /healthz, /readyz or /metrics' })
      .default(defaults.path),
    // One value (environment) or a list (config file, for rotation).
    authorization: z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(authorizationValue, { error: 'must be a string or a list of strings' })).optional(),
    authorizationFile: nonEmpty.optional(),
    allowUnauthenticated: flag.default(defaults.allowUnauthenticated),
    tlsCert: nonEmpty.optional(),
    tlsKey: nonEmpty.optional(),
    insecureHttp: flag.default(defaults.insecureHttp),
    jwks: nonEmpty.default(defaults.jwks),
    jwksRefreshIntervalMs: milliseconds(1000).default(defaults.jwksRefreshIntervalMs),
    dataDir: nonEmpty.default(defaults.dataDir),
    sinks: z.array(z.unknown(), { error: 'must be a list of sink objects' }).optional(),
    invalidSignaturePolicy: z.enum(invalidSignaturePolicies, { error: 'must be quarantine, forward or drop' }).default(defaults.invalidSignaturePolicy),
    maxBodyBytes: bytes(1, 2 ** 31).default(defaults.maxBodyBytes),
    maxInflatedBytes: bytes(1, 2 ** 31).default(defaults.maxInflatedBytes),
    maxLineBytes: bytes(64, 2 ** 30).default(defaults.maxLineBytes),
    maxBatchesInFlight: integer(1, 1024).default(defaults.maxBatchesInFlight),
    memoryBudgetBytes: bytes(1024 * 1024, Number.MAX_SAFE_INTEGER).default(defaults.memoryBudgetBytes),
    admissionWaitMs: milliseconds(0).default(defaults.admissionWaitMs),
    verifyThreads: integer(0, 256).default(defaults.verifyThreads),
    headersTimeoutMs: milliseconds(100).default(defaults.headersTimeoutMs),
    requestTimeoutMs: milliseconds(100).default(defaults.requestTimeoutMs),
    storeMaxBytes: bytes(1024 * 1024, Number.MAX_SAFE_INTEGER).default(defaults.storeMaxBytes),
    dedupWindowMs: integer(60_000, Number.MAX_SAFE_INTEGER).default(defaults.dedupWindowMs),
    dedupMaxIds: integer(1000, 2 ** 31).default(defaults.dedupMaxIds),
    shutdownTimeoutMs: milliseconds(0).default(defaults.shutdownTimeoutMs),
    store: nonEmpty
      .refine((value) => value === 'sqlite' || value.split(',').every((url) => /^(nats|tls):\/\/[^\s,]+$/.test(url.trim())), { error: 'must be sqlite or comma-separated nats:// (or tls://) URLs' })
      .default(defaults.store),
    natsReplicas: integer(1, 5).optional(),
    natsCreds: nonEmpty.optional(),
    natsCa: nonEmpty.optional(),
    natsAckWaitMs: milliseconds(1000).default(defaults.natsAckWaitMs),
    logLevel: z.enum(levels, { error: `must be one of ${levels.join(', ')}` }).default(defaults.logLevel),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Node refuses a headers timeout longer than the request timeout (http.Server).
    if (config.headersTimeoutMs > config.requestTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['headersTimeoutMs'], message: `must not be longer than requestTimeoutMs (${config.requestTimeoutMs})` });
    }
    if (config.maxInflatedBytes < config.maxBodyBytes) {
      ctx.addIssue({ code: 'custom', path: ['maxInflatedBytes'], message: `must not be smaller than maxBodyBytes (${config.maxBodyBytes})` });
    }
    // A batch at both caps must fit on its own, or it could only ever be answered 429.
    if (config.memoryBudgetBytes < config.maxBodyBytes + config.maxInflatedBytes) {
      ctx.addIssue({ code: 'custom', path: ['memoryBudgetBytes'], message: `must be at least maxBodyBytes + maxInflatedBytes (${config.maxBodyBytes + config.maxInflatedBytes}): a batch at both limits must fit` });
    }
  });

export type ValidatedFields = z.output<typeof receiverConfigSchema>;

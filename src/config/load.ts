/**
 * @module config/load
 * Builds the receiver's configuration from, by precedence, flags >
 * environment > JSON config file (`KONNECT_AUDIT_CONFIG` / `--config`) >
 * defaults. Validated once, frozen; every problem is reported at once, each
 * naming where the value came from (`KONNECT_AUDIT_PORT`, `--port`, or the
 * file and key), in one KarError.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { KarError, isKarError } from '../errors/index.js';
import type { InvalidSignaturePolicy } from '../pipeline.js';
import { SINK_PAYLOAD_ENV, parseSinkSpec, sinkConfigSchema, type SinkConfig } from '../sinks/registry.js';
import { Secret } from '../sinks/secret.js';
import type { ParsedFlags } from './flags.js';
import { receiverConfigSchema, type levels, type ValidatedFields } from './schema.js';
import { CONFIG_FILE_ENV, FALSE_WORDS, otherKnownEnv, settings, TRUE_WORDS, type Setting } from './settings.js';

/** TLS material: a file to read at start, or the PEM text given inline. */
export type TlsSource = { readonly file: string } | { readonly pem: Secret };

export type StoreChoice =
  | { readonly kind: 'sqlite' }
  | { readonly kind: 'nats'; readonly servers: readonly string[]; readonly replicas: number; readonly credsFile?: string; readonly caFile?: string; readonly ackWaitMs: number };

/** The validated, frozen configuration of `serve` (and of `startReceiver`). */
export interface ReceiverConfig {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** Accepted Authorization header values (empty only with allowUnauthenticated). */
  readonly authorization: readonly Secret[];
  readonly allowUnauthenticated: boolean;
  /** Absent with insecureHttp. */
  readonly tls: { readonly cert: TlsSource; readonly key: TlsSource } | undefined;
  readonly insecureHttp: boolean;
  readonly jwks: string;
  readonly jwksRefreshIntervalMs: number;
  /** Absolute. */
  readonly dataDir: string;
  readonly sinks: readonly SinkConfig[];
  readonly invalidSignaturePolicy: InvalidSignaturePolicy;
  readonly maxBodyBytes: number;
  readonly maxInflatedBytes: number;
  readonly maxLineBytes: number;
  readonly maxBatchesInFlight: number;
  readonly memoryBudgetBytes: number;
  readonly admissionWaitMs: number;
  /** Worker threads checking signatures; 0: the libuv pool (callback form). */
  readonly verifyThreads: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly storeMaxBytes: number;
  readonly dedupWindowMs: number;
  readonly dedupMaxIds: number;
  readonly shutdownTimeoutMs: number;
  /** Where batches are stored: the embedded SQLite store in dataDir, or JetStream (cluster mode, docs/CLUSTER.md). */
  readonly store: StoreChoice;
  readonly logLevel: (typeof levels)[number];
  /** The config file read, if any (for the startup log). */
  readonly configFile: string | undefined;
}

export interface LoadConfigOptions {
  readonly flags: ParsedFlags;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface LoadedConfig {
  readonly config: ReceiverConfig;
  /** Things worth a warning log line at start (unknown KONNECT_AUDIT_* variables, short tokens). */
  readonly warnings: readonly string[];
}

/** Where a value came from, as a person reads it in an error message. */
type Origin = { readonly kind: 'file'; readonly file: string } | { readonly kind: 'env'; readonly name: string } | { readonly kind: 'flag'; readonly name: string } | { readonly kind: 'default' };

const PEM_START = '-----BEGIN';
/** 32 bytes of randomness, base64url-encoded, plus a scheme: shorter values are guessable or reused. */
const SHORT_AUTHORIZATION_CHARS = 32;

const byKey = new Map<string, Setting>(settings.map((s) => [s.key, s]));

export async function loadReceiverConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const { flags, env, cwd } = options;
  const problems: string[] = [];
  const warnings: string[] = [];
  const raw: Record<string, unknown> = {};
  const origins = new Map<string, Origin>();

  // 1. The config file (lowest precedence after the defaults).
  const configFile = flags.configFile ?? nonEmptyEnv(env, CONFIG_FILE_ENV);
  const configPath = configFile === undefined ? undefined : resolve(cwd, configFile);
  if (configPath !== undefined) {
    const fromFile = await readConfigFile(configPath, problems);
    for (const [key, value] of Object.entries(fromFile)) {
      raw[key] = value;
      origins.set(key, { kind: 'file', file: configPath });
    }
  }

  // 2. The environment, then 3. the flags.
  for (const setting of settings) {
    const value = setting.env === undefined ? undefined : nonEmptyEnv(env, setting.env);
    if (value === undefined) continue;
    raw[setting.key] = fromText(setting, [value], env, problems, { kind: 'env', name: setting.env as string });
    origins.set(setting.key, { kind: 'env', name: setting.env as string });
  }
  for (const [key, values] of flags.values) {
    const setting = byKey.get(key) as Setting;
    const origin: Origin = { kind: 'flag', name: setting.flag as string };
    raw[key] = fromText(setting, values, env, problems, origin);
    origins.set(key, origin);
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith('KONNECT_AUDIT_') && !settings.some((s) => s.env === name) && !otherKnownEnv.includes(name)) {
      warnings.push(`unknown environment variable ${name} is ignored (known: see docs/CONFIGURATION.md)`);
    }
  }

  // 4. Validate everything at once.
  const parsed = receiverConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(describeIssue(issue, raw, origins, configPath));
  }
  const sinks = validateSinks(raw['sinks'], origins.get('sinks'), problems, env);

  const fields = parsed.success ? parsed.data : undefined;
  const authorization = [...(fields?.authorization ?? [])];
  // Said even when other problems stop the parse, so that the whole list comes at once.
  const noAuthorization = raw['authorization'] === undefined && raw['authorizationFile'] === undefined && (fields?.allowUnauthenticated ?? raw['allowUnauthenticated'] === true) !== true;
  if (fields?.authorizationFile !== undefined) {
    authorization.push(...(await readAuthorizationFile(resolve(cwd, fields.authorizationFile), describeOrigin(origins.get('authorizationFile'), 'authorizationFile'), problems)));
  }

  let tls: ReceiverConfig['tls'];
  if (fields !== undefined) {
    const given = [fields.tlsCert, fields.tlsKey].filter((v) => v !== undefined).length;
    if (fields.insecureHttp && given > 0) {
      problems.push('KONNECT_AUDIT_INSECURE_HTTP is true and a TLS certificate or key is also given: choose HTTPS (remove insecureHttp) or plain HTTP behind a proxy (remove the TLS settings)');
    } else if (!fields.insecureHttp && given < 2) {
      problems.push(
        'HTTPS needs both KONNECT_AUDIT_TLS_CERT and KONNECT_AUDIT_TLS_KEY (a PEM file path or the PEM text); for plain HTTP behind a TLS-terminating proxy set KONNECT_AUDIT_INSECURE_HTTP=true',
      );
    } else if (fields.tlsCert !== undefined && fields.tlsKey !== undefined) {
      tls = { cert: tlsSource(fields.tlsCert, cwd), key: tlsSource(fields.tlsKey, cwd) };
    }
  }

  if (problems.length > 0 || fields === undefined) {
    if (noAuthorization) problems.push(noAuthorizationMessage);
    throw new KarError('KAR_ERR_CONFIG_INVALID', `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`, {
      details: { problems },
    });
  }
  if (noAuthorization) throw new KarError('KAR_ERR_CONFIG_NO_AUTHORIZATION', noAuthorizationMessage);
  if (authorization.some((value) => value.reveal().length < SHORT_AUTHORIZATION_CHARS)) {
    warnings.push(`an accepted Authorization value is shorter than ${SHORT_AUTHORIZATION_CHARS} characters: use \`Bearer \` followed by 32 or more random bytes (docs/KONNECT.md)`);
  }

  const config: ReceiverConfig = {
    host: fields.host,
    port: fields.port,
    path: fields.path,
    authorization,
    allowUnauthenticated: fields.allowUnauthenticated,
    tls,
    insecureHttp: fields.insecureHttp,
    jwks: fields.jwks,
    jwksRefreshIntervalMs: fields.jwksRefreshIntervalMs,
    dataDir: resolve(cwd, fields.dataDir),
    sinks,
    invalidSignaturePolicy: fields.invalidSignaturePolicy,
    maxBodyBytes: fields.maxBodyBytes,
    maxInflatedBytes: fields.maxInflatedBytes,
    maxLineBytes: fields.maxLineBytes,
    maxBatchesInFlight: fields.maxBatchesInFlight,
    memoryBudgetBytes: fields.memoryBudgetBytes,
    admissionWaitMs: fields.admissionWaitMs,
    verifyThreads: fields.verifyThreads,
    headersTimeoutMs: fields.headersTimeoutMs,
    requestTimeoutMs: fields.requestTimeoutMs,
    storeMaxBytes: fields.storeMaxBytes,
    dedupWindowMs: fields.dedupWindowMs,
    dedupMaxIds: fields.dedupMaxIds,
    shutdownTimeoutMs: fields.shutdownTimeoutMs,
    store: storeChoice(fields, cwd),
    logLevel: fields.logLevel,
    configFile: configPath,
  };
  return { config: deepFreeze(config), warnings };
}

function storeChoice(fields: ValidatedFields, cwd: string): StoreChoice {
  if (fields.store === 'sqlite') return { kind: 'sqlite' };
  const servers = fields.store.split(',').map((url) => url.trim());
  return {
    kind: 'nats',
    servers,
    replicas: fields.natsReplicas ?? (servers.length >= 3 ? 3 : 1),
    ackWaitMs: fields.natsAckWaitMs,
    ...(fields.natsCreds === undefined ? {} : { credsFile: resolve(cwd, fields.natsCreds) }),
    ...(fields.natsCa === undefined ? {} : { caFile: resolve(cwd, fields.natsCa) }),
  };
}

const noAuthorizationMessage =
  'no Authorization value is configured: set KONNECT_AUDIT_AUTHORIZATION to the exact value configured in Konnect (e.g. `Bearer <32+ random bytes>`), ' +
  'or KONNECT_AUDIT_AUTHORIZATION_FILE; only for tests, KONNECT_AUDIT_ALLOW_UNAUTHENTICATED=true';

function nonEmptyEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

async function readConfigFile(path: string, problems: string[]): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    problems.push(`config file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    problems.push(`config file ${path} is not valid JSON: ${(error as Error).message}`);
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`config file ${path} must hold one JSON object of settings`);
    return {};
  }
  return value as Record<string, unknown>;
}

const TRUE = new Set<string>(TRUE_WORDS);
const FALSE = new Set<string>(FALSE_WORDS);

/** Turns environment/flag text into the value the schema expects; leaves it as text when it does not fit (the schema then says why). */
function fromText(setting: Setting, values: readonly string[], env: NodeJS.ProcessEnv, problems: string[], origin: Origin): unknown {
  const last = values[values.length - 1] as string;
  switch (setting.kind) {
    case 'integer':
      return /^\d+$/.test(last.trim()) ? Number(last.trim()) : last;
    case 'boolean': {
      const word = last.trim().toLowerCase();
      return TRUE.has(word) ? true : FALSE.has(word) ? false : last;
    }
    case 'sinks':
      return values.flatMap((spec) => {
        try {
          return [parseSinkSpec(spec, env)];
        } catch (error) {
          problems.push(`${describeOrigin(origin, 'sinks')}: ${isKarError(error) ? error.message : String(error)}`);
          return [];
        }
      });
    case 'string':
    case 'secret':
      return last;
  }
}

function describeOrigin(origin: Origin | undefined, key: string): string {
  switch (origin?.kind) {
    case 'file':
      return `config file ${origin.file}: ${key}`;
    case 'env':
    case 'flag':
      return origin.name;
    default:
      return key;
  }
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>, origins: ReadonlyMap<string, Origin>, configPath: string | undefined): string {
  if (issue.code === 'unrecognized_keys') {
    const known = settings.map((s) => s.key).join(', ');
    return `config file ${configPath ?? ''}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (known keys: ${known})`;
  }
  const [key, ...rest] = issue.path.map(String);
  if (key === undefined) return issue.message;
  const setting = byKey.get(key);
  const where = describeOrigin(origins.get(key), [key, ...rest].join('.'));
  const value = raw[key];
  // Show what was given, so that a typo is visible — never for a secret.
  const shown = setting !== undefined && setting.kind !== 'secret' && setting.kind !== 'sinks' && value !== undefined && !String(value).startsWith(PEM_START) ? ` (got ${JSON.stringify(value)})` : '';
  return `${where}: ${issue.message}${shown}`;
}

function validateSinks(value: unknown, origin: Origin | undefined, problems: string[], env: NodeJS.ProcessEnv): readonly SinkConfig[] {
  if (value === undefined) return defaultSinks(env, problems);
  if (!Array.isArray(value)) return [];
  const sinks: SinkConfig[] = [];
  value.forEach((item, index) => {
    const result = sinkConfigSchema.safeParse(item);
    if (result.success) {
      sinks.push(result.data);
      return;
    }
    for (const issue of result.error.issues) {
      const path = [`sinks[${index}]`, ...issue.path.map(String)].join('.');
      problems.push(`${origin?.kind === 'file' ? `config file ${origin.file}: ${path}` : describeOrigin(origin, path)}: ${issue.message}`);
    }
  });
  if (value.length === 0) problems.push(`${describeOrigin(origin, 'sinks')}: must list at least one sink`);
  const seen = new Set<string>();
  for (const sink of sinks) {
    if (seen.has(sink.name)) problems.push(`${describeOrigin(origin, 'sinks')}: two sinks are named "${sink.name}"; give each a distinct "name"`);
    seen.add(sink.name);
  }
  return sinks;
}

/** No sink configured: stdout, sending the payload KONNECT_AUDIT_SINK_PAYLOAD names (if any). */
function defaultSinks(env: NodeJS.ProcessEnv, problems: string[]): readonly SinkConfig[] {
  try {
    return [parseSinkSpec('stdout', { [SINK_PAYLOAD_ENV]: env[SINK_PAYLOAD_ENV] })];
  } catch (error) {
    problems.push(isKarError(error) ? error.message : String(error));
    return [];
  }
}

async function readAuthorizationFile(path: string, where: string, problems: string[]): Promise<Secret[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    problems.push(`${where}: the file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return [];
  }
  const values: Secret[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const value = line.trim();
    if (value === '' || value.startsWith('#')) return;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) problems.push(`${where}: line ${index + 1} of ${path} contains a control character`);
    else values.push(new Secret(value));
  });
  if (values.length === 0) problems.push(`${where}: ${path} holds no Authorization value`);
  return values;
}

function tlsSource(value: string, cwd: string): TlsSource {
  if (value.trimStart().startsWith(PEM_START)) return { pem: new Secret(value) };
  return { file: isAbsolute(value) ? value : resolve(cwd, value) };
}


function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

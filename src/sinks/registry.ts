/**
 * @module sinks/registry
 * The only list to edit when adding a sink: its config schema joins
 * `sinkConfigSchema` and its factory joins `factories` (the type checker
 * refuses one without the other). Also the environment form of a sink,
 * `KONNECT_AUDIT_SINK=<kind>[:<target>]`.
 */
import { z } from 'zod';
import { KarError } from '../errors/index.js';
import { isPayloadSchema, payloadSchemas } from '../payload/index.js';
import { createBlackholeSink } from './blackhole/index.js';
import { blackholeConfigSchema } from './blackhole/config.js';
import type { SinkDeps } from './deps.js';
import { createFileSink } from './file/index.js';
import { fileConfigSchema } from './file/config.js';
import { createHttpSink } from './http/index.js';
import { httpConfigSchema } from './http/config.js';
import { createSplunkHecSink } from './splunk-hec/index.js';
import { splunkHecConfigSchema } from './splunk-hec/config.js';
import { createStdoutSink } from './stdout/index.js';
import { stdoutConfigSchema } from './stdout/config.js';
import { createSumoLogicSink } from './sumo-logic/index.js';
import { sumoLogicConfigSchema } from './sumo-logic/config.js';
import { createSyslogSink } from './syslog/index.js';
import { syslogConfigSchema } from './syslog/config.js';
import type { Sink } from './types.js';

export type { SinkDeps } from './deps.js';

/** Every sink's config, told apart by `type` (= folder name = registry key). */
export const sinkConfigSchema = z.discriminatedUnion('type', [
  stdoutConfigSchema,
  fileConfigSchema,
  blackholeConfigSchema,
  httpConfigSchema,
  splunkHecConfigSchema,
  sumoLogicConfigSchema,
  syslogConfigSchema,
]);

export type SinkConfig = z.infer<typeof sinkConfigSchema>;
/** What a config file may say (defaults not yet applied, secrets as strings). */
export type SinkConfigInput = z.input<typeof sinkConfigSchema>;
export type SinkType = SinkConfig['type'];

type SinkFactory<T extends SinkType> = (config: Extract<SinkConfig, { type: T }>, deps: SinkDeps) => Sink;

const factories: { readonly [T in SinkType]: SinkFactory<T> } = {
  stdout: createStdoutSink,
  file: createFileSink,
  blackhole: createBlackholeSink,
  http: createHttpSink,
  'splunk-hec': createSplunkHecSink,
  'sumo-logic': createSumoLogicSink,
  syslog: createSyslogSink,
};

export const sinkTypes = Object.keys(factories) as readonly SinkType[];

/** Builds a sink from a parsed config. Pure: no I/O until `start()`. */
export function createSink(config: SinkConfig, deps: SinkDeps): Sink {
  const factory = factories[config.type] as (config: SinkConfig, deps: SinkDeps) => Sink;
  return factory(config, deps);
}

export const SINK_ENV = 'KONNECT_AUDIT_SINK';
export const SINK_TOKEN_ENV = 'KONNECT_AUDIT_SINK_TOKEN';
export const SINK_CA_ENV = 'KONNECT_AUDIT_SINK_CA';
export const SINK_PAYLOAD_ENV = 'KONNECT_AUDIT_SINK_PAYLOAD';

const ENV_FORMS =
  'stdout, blackhole, file:PATH, http:URL, splunk-hec:URL, sumo-logic:URL, syslog:tcp://HOST:PORT or syslog:tls://HOST:PORT';

/**
 * The environment form of one sink: `KONNECT_AUDIT_SINK` (see ENV_FORMS),
 * the Splunk token in `KONNECT_AUDIT_SINK_TOKEN`, a CA bundle for a TLS sink
 * in `KONNECT_AUDIT_SINK_CA`, the payload (v1, ocsf, ecs, raw) in
 * `KONNECT_AUDIT_SINK_PAYLOAD`. Every other option, and several sinks, need the
 * configuration file. Messages name the variable and never echo a URL (it may
 * hold a credential: a Sumo Logic source URL is one).
 */
export function parseSinkSpec(spec: string, env: NodeJS.ProcessEnv): SinkConfig {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const kind = colon === -1 ? text : text.slice(0, colon);
  const target = colon === -1 ? undefined : text.slice(colon + 1).trim();
  const token = nonEmpty(env[SINK_TOKEN_ENV]);
  const ca = nonEmpty(env[SINK_CA_ENV]);
  const payload = nonEmpty(env[SINK_PAYLOAD_ENV]);
  const fail = (problem: string): never => {
    throw new KarError('KAR_ERR_CONFIG_INVALID', `${SINK_ENV}: ${problem}`, { details: { variable: SINK_ENV, kind } });
  };
  const needTarget = (what: string): string => target || fail(`"${kind}" needs ${what} after the colon (${kind}:${what})`);

  let raw: Record<string, unknown>;
  switch (kind) {
    case 'stdout':
    case 'blackhole':
      if (target !== undefined) fail(`"${kind}" takes no target (expected exactly "${kind}")`);
      raw = { type: kind };
      break;
    case 'file':
      raw = { type: 'file', path: needTarget('PATH') };
      break;
    case 'http':
      raw = { type: 'http', url: needTarget('URL') };
      break;
    case 'splunk-hec':
      raw = { type: 'splunk-hec', url: needTarget('URL'), token: token ?? fail(`a splunk-hec sink needs its HEC token in ${SINK_TOKEN_ENV}`) };
      break;
    case 'sumo-logic':
      raw = { type: 'sumo-logic', url: needTarget('URL') };
      break;
    case 'syslog':
      raw = { type: 'syslog', ...parseSyslogTarget(needTarget('tcp://HOST:PORT'), fail) };
      break;
    default:
      return fail(`unknown sink "${kind}"; expected one of: ${ENV_FORMS}`);
  }

  if (token !== undefined && kind !== 'splunk-hec') fail(`${SINK_TOKEN_ENV} is set but only a splunk-hec sink uses it`);
  if (ca !== undefined) {
    if (!usesTls(raw)) fail(`${SINK_CA_ENV} is set but the "${kind}" sink does not use TLS (an https:// URL or syslog:tls://)`);
    raw.caFile = ca;
  }
  if (payload !== undefined) {
    if (!isPayloadSchema(payload)) fail(`${SINK_PAYLOAD_ENV} must be one of ${payloadSchemas.join(', ')} (got "${payload}")`);
    raw.payload = payload;
  }

  const parsed = sinkConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
    return fail(`invalid "${kind}" sink: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function parseSyslogTarget(target: string, fail: (problem: string) => never): { protocol: 'tcp' | 'tls'; host: string; port: number } {
  const match = /^(tcp|tls):\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+):(\d{1,5})\/?$/.exec(target);
  if (match === null) return fail('a syslog sink is syslog:tcp://HOST:PORT or syslog:tls://HOST:PORT');
  const [, protocol, host, port] = match as unknown as [string, 'tcp' | 'tls', string, string];
  return { protocol, host: host.replace(/^\[(.*)\]$/, '$1'), port: Number(port) };
}

function usesTls(raw: Record<string, unknown>): boolean {
  if (raw.type === 'syslog') return raw.protocol === 'tls';
  return typeof raw.url === 'string' && raw.url.toLowerCase().startsWith('https://');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKarError } from '../../src/errors/index.js';
import { createSilentLogger } from '../../src/observability/logger.js';
import { createSink, parseSinkSpec, sinkConfigSchema, sinkTypes, type SinkConfig } from '../../src/sinks/registry.js';
import { Secret } from '../../src/sinks/secret.js';

const SUMO_URL = 'https://endpoint4.collection.sumologic.com/receiver/v1/http/ZaVnC4dhaV3_sEcReT==';

function specError(spec: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseSinkSpec(spec, env);
  } catch (error) {
    if (isKarError(error)) return `${error.code} ${error.message}`;
    throw error;
  }
  throw new Error(`no error for ${spec}`);
}

describe('KONNECT_AUDIT_SINK (environment form)', () => {
  it.each<[string, string, NodeJS.ProcessEnv, Partial<SinkConfig> & Record<string, unknown>]>([
    ['stdout', 'stdout', {}, { type: 'stdout', name: 'stdout' }],
    ['blackhole', 'blackhole', {}, { type: 'blackhole', name: 'blackhole' }],
    ['a file path', 'file:/var/lib/konnect-audit/events.ndjson', {}, { type: 'file', path: '/var/lib/konnect-audit/events.ndjson' }],
    ['a file path with a colon in it', 'file:/data/a:b.ndjson', {}, { type: 'file', path: '/data/a:b.ndjson' }],
    ['an http URL', 'http:https://collector.example/in', {}, { type: 'http', url: 'https://collector.example/in' }],
    ['an https http URL with a CA bundle', 'http:https://collector.example/in', { KONNECT_AUDIT_SINK_CA: '/etc/ca.pem' }, { type: 'http', caFile: '/etc/ca.pem' }],
    ['splunk-hec with the token from the environment', 'splunk-hec:https://splunk:8088', { KONNECT_AUDIT_SINK_TOKEN: 'tok' }, { type: 'splunk-hec', url: 'https://splunk:8088', payload: 'v1' }],
    ['the payload from KONNECT_AUDIT_SINK_PAYLOAD', 'file:/x.ndjson', { KONNECT_AUDIT_SINK_PAYLOAD: 'ocsf' }, { type: 'file', payload: 'ocsf' }],
    ['a raw payload for splunk-hec', 'splunk-hec:https://splunk:8088', { KONNECT_AUDIT_SINK_TOKEN: 'tok', KONNECT_AUDIT_SINK_PAYLOAD: 'raw' }, { payload: 'raw' }],
    ['the default payload: v1', 'stdout', {}, { payload: 'v1', rawData: false }],
    ['syslog keeps the original line by default (payload raw)', 'syslog:tcp://qradar.example:514', {}, { payload: 'raw' }],
    ['syslog with ECS JSON as the message', 'syslog:tcp://qradar.example:514', { KONNECT_AUDIT_SINK_PAYLOAD: 'ecs' }, { payload: 'ecs' }],
    ['sumo-logic', `sumo-logic:${SUMO_URL}`, {}, { type: 'sumo-logic' }],
    ['syslog over TCP', 'syslog:tcp://qradar.example:514', {}, { type: 'syslog', protocol: 'tcp', host: 'qradar.example', port: 514 }],
    ['syslog over TLS with a CA bundle', 'syslog:tls://10.0.0.5:6514', { KONNECT_AUDIT_SINK_CA: '/etc/pki/ca.pem' }, { type: 'syslog', protocol: 'tls', host: '10.0.0.5', port: 6514, caFile: '/etc/pki/ca.pem' }],
    ['syslog to an IPv6 address', 'syslog:tcp://[::1]:514', {}, { type: 'syslog', host: '::1', port: 514 }],
    ['surrounding whitespace', '  stdout \n', {}, { type: 'stdout' }],
  ])('%s', (_quirk, spec, env, expected) => {
    expect(parseSinkSpec(spec, env)).toMatchObject(expected);
  });

  it('wraps the secrets: the splunk token and the sumo URL print as [redacted]', () => {
    const splunk = parseSinkSpec('splunk-hec:https://splunk:8088', { KONNECT_AUDIT_SINK_TOKEN: 'tok-123' });
    const sumo = parseSinkSpec(`sumo-logic:${SUMO_URL}`, {});
    expect(JSON.stringify([splunk, sumo])).not.toMatch(/tok-123|ZaVnC4dhaV3/);
    expect(splunk.type === 'splunk-hec' && splunk.token.reveal()).toBe('tok-123');
    expect(sumo.type === 'sumo-logic' && sumo.url.reveal()).toBe(SUMO_URL);
  });

  it.each<[string, string, NodeJS.ProcessEnv, RegExp]>([
    ['an unknown kind lists the valid forms', 'kafka:broker:9092', {}, /unknown sink "kafka".*syslog:tcp:\/\/HOST:PORT/],
    ['an empty value', '', {}, /unknown sink ""/],
    ['stdout with a target', 'stdout:x', {}, /"stdout" takes no target/],
    ['file without a path', 'file:', {}, /"file" needs PATH/],
    ['splunk-hec without KONNECT_AUDIT_SINK_TOKEN', 'splunk-hec:https://splunk:8088', {}, /needs its HEC token in KONNECT_AUDIT_SINK_TOKEN/],
    ['a token for a sink that does not use one', 'stdout', { KONNECT_AUDIT_SINK_TOKEN: 't' }, /KONNECT_AUDIT_SINK_TOKEN is set but only a splunk-hec sink uses it/],
    ['a CA bundle for plain TCP syslog', 'syslog:tcp://h:514', { KONNECT_AUDIT_SINK_CA: '/ca.pem' }, /KONNECT_AUDIT_SINK_CA is set but the "syslog" sink does not use TLS/],
    ['an unknown payload', 'stdout', { KONNECT_AUDIT_SINK_PAYLOAD: 'cef' }, /KONNECT_AUDIT_SINK_PAYLOAD must be one of v1, ocsf, ecs, raw \(got "cef"\)/],
    ['a CA bundle for an http:// URL', 'http:http://h/in', { KONNECT_AUDIT_SINK_CA: '/ca.pem' }, /does not use TLS/],
    ['syslog over UDP', 'syslog:udp://h:514', {}, /syslog:tcp:\/\/HOST:PORT or syslog:tls:\/\/HOST:PORT/],
    ['syslog without a port', 'syslog:tcp://h', {}, /syslog:tcp:\/\/HOST:PORT/],
    ['syslog with port 0', 'syslog:tcp://h:0', {}, /invalid "syslog" sink: port/],
    ['an http URL that is not a URL', 'http:collector.example', {}, /invalid "http" sink: url: must be an http:\/\/ or https:\/\/ URL/],
  ])('refuses %s with KAR_ERR_CONFIG_INVALID naming the variable', (_quirk, spec, env, message) => {
    const text = specError(spec, env);
    expect(text.startsWith('KAR_ERR_CONFIG_INVALID KONNECT_AUDIT_SINK')).toBe(true);
    expect(text).toMatch(message);
  });

  it('never echoes a URL (it may be a credential) in an error', () => {
    const text = specError('sumo-logic:ftp://collectors.example/receiver/v1/http/SeCrEtCoDe');
    expect(text).not.toContain('SeCrEtCoDe');
    expect(specError('http:ftp://user:pa55@host/x')).not.toContain('pa55');
  });
});

describe('sinkConfigSchema (the config file form)', () => {
  it.each([
    ['an unknown key is refused', { type: 'stdout', colour: 'blue' }],
    ['an unknown type is refused', { type: 'kafka' }],
    ['a name with a space is refused', { type: 'stdout', name: 'my sink' }],
    ['a zero batch size is refused', { type: 'file', path: '/x', maxBatchBytes: 0 }],
    ['an unknown key inside splunk ack is refused', { type: 'splunk-hec', url: 'https://s:8088', token: 't', ack: { enabled: true, retries: 3 } }],
    ['a non-GUID splunk channel is refused', { type: 'splunk-hec', url: 'https://s:8088', token: 't', channel: 'abc' }],
    ['an empty splunk token is refused', { type: 'splunk-hec', url: 'https://s:8088', token: '' }],
  ])('%s', (_quirk, input) => {
    expect(sinkConfigSchema.safeParse(input).success).toBe(false);
  });

  it('reports every problem at once', () => {
    const result = sinkConfigSchema.safeParse({ type: 'syslog', protocol: 'udp', host: '', port: 70000, extra: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.') || i.code).sort()).toEqual(['host', 'port', 'protocol', 'unrecognized_keys']);
  });

  it('takes an existing Secret for a token (programmatic use)', () => {
    const token = new Secret('t');
    const config = sinkConfigSchema.parse({ type: 'splunk-hec', url: 'https://s:8088', token });
    expect(config.type === 'splunk-hec' && config.token).toBe(token);
  });
});

describe('createSink', () => {
  const dir = join(tmpdir(), `kar-registry-never-created-${process.pid}`);
  const configs: Record<(typeof sinkTypes)[number], unknown> = {
    stdout: { type: 'stdout' },
    file: { type: 'file', path: join(dir, 'events.ndjson') },
    blackhole: { type: 'blackhole' },
    http: { type: 'http', url: 'http://127.0.0.1:9/in' },
    'splunk-hec': { type: 'splunk-hec', url: 'http://127.0.0.1:9', token: 't' },
    'sumo-logic': { type: 'sumo-logic', url: SUMO_URL },
    syslog: { type: 'syslog', protocol: 'tcp', host: '127.0.0.1', port: 9 },
  };

  it.each(sinkTypes.map((type) => [type]))('builds a %s sink whose type and default name are its kind, with no I/O before start()', (type) => {
    const sink = createSink(sinkConfigSchema.parse(configs[type]), { logger: createSilentLogger() });
    expect([sink.type, sink.name]).toEqual([type, type]);
    expect(sink.maxBatchBytes).toBeGreaterThan(0);
    expect(sink.health().ok).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('uses the configured name', () => {
    expect(createSink(sinkConfigSchema.parse({ type: 'stdout', name: 'debug-out' }), { logger: createSilentLogger() }).name).toBe('debug-out');
  });
});

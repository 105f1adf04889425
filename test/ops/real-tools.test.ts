/**
 * The kit against real tools. promtool (Debian's `prometheus` package; this
 * is the one file that needs it, so a machine without it says so on one
 * line, and CI fails instead): the rules load and their unit tests pass,
 * every dashboard query parses, and `promtool check metrics` passes on the
 * live /metrics of a receiver. That receiver is started in-process on
 * loopback (real TLS, the fixture JWKS, a SQLite store in a temp dir, a file
 * sink and a sink that cannot deliver) and takes traffic like Konnect's:
 * signed batches, a tampered line, an unparseable line, a wrong token. Its
 * /metrics must hold every metric name the alert rules and the dashboard
 * use: renaming a metric in src/ without the kit fails here, naming the
 * metric and where the kit uses it (this part needs no promtool).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tamperLine } from '../../src/sender/tamper.js';
import { loadTestKey, makeKonnectLines, makeSignedKonnectLines } from '../../src/testing/index.js';
import { getText, postLikeKonnect, startTestReceiver, waitForLines, type TestReceiver } from '../intake/support.js';
import { externalDaemon, findExecutable } from '../support/external-daemon.js';
import { alertRules, dashboardExpressions, kitFiles, runPromtool, usedMetricNames } from './support/kit.js';
import { freePort, startPrometheus, type RunningPrometheus } from './support/prometheus-server.js';
import { exposedNames, SCRAPE_SERIES } from './support/promql.js';

const promtool = externalDaemon('promtool', 'prometheus');
const primary = loadTestKey('primary');
const used = usedMetricNames();

let receiver: TestReceiver | undefined;
let configDir: string | undefined;
let exposition = '';
const answers: Record<string, unknown> = {};

beforeAll(async () => {
  // Two sinks need the config file: the test receiver's file sink, and one
  // that cannot deliver (nothing listens on its port: retried forever).
  const dir = await mkdtemp(join(tmpdir(), 'kar-ops-'));
  configDir = dir;
  const config = join(dir, 'config.json');
  const sinkFile = join(dir, 'events.ndjson');
  await writeFile(config, JSON.stringify({ sinks: [{ type: 'file', path: sinkFile }, { type: 'http', name: 'stuck', url: `http://127.0.0.1:${await freePort()}/ingest` }] }));
  receiver = await startTestReceiver({ KONNECT_AUDIT_CONFIG: config, KONNECT_AUDIT_SINK: '', KONNECT_AUDIT_SHUTDOWN_TIMEOUT_MS: '500' });
  const ca = receiver.cert.cert;
  const signed = [...makeSignedKonnectLines({ format: 'cef', count: 3, seed: 131, key: primary.privateKey }), ...makeSignedKonnectLines({ format: 'json', count: 2, seed: 132, key: primary.privateKey })];
  const [toTamper] = makeSignedKonnectLines({ format: 'json', count: 1, seed: 133, key: primary.privateKey });
  answers.signed = JSON.parse((await postLikeKonnect(receiver.url, ca, signed)).body);
  answers.tampered = JSON.parse((await postLikeKonnect(receiver.url, ca, [tamperLine(toTamper as string), 'not an audit line at all'])).body);
  answers.unauthorized = (await postLikeKonnect(receiver.url, ca, signed, { authorization: 'Bearer an-old-token' })).status;
  // Delivered by the file sink (the lines are in the file a moment before
  // the write is counted), and a first failed write of the stuck one.
  await waitForLines(sinkFile, signed.length);
  const metricsUrl = receiver.url.replace(/\/audit-logs$/, '/metrics');
  for (;;) {
    exposition = (await getText(metricsUrl, ca)).body;
    const delivered = exposition.includes(`konnect_audit_sink_delivered_events_total{sink="file"} ${signed.length}`);
    if (delivered && exposition.includes('konnect_audit_sink_retries_total{sink="stuck"')) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});

afterAll(async () => {
  if (receiver !== undefined) {
    await receiver.close();
    await rm(receiver.dir, { recursive: true, force: true });
  }
  if (configDir !== undefined) await rm(configDir, { recursive: true, force: true });
});

describe('a receiver that has taken traffic', () => {
  it('answered the traffic as Konnect would see it (the failure series below come from it)', () => {
    expect(answers).toEqual({
      signed: { accepted: 5, duplicates: 0, quarantined: 0, rejected: 0 },
      tampered: { accepted: 0, duplicates: 0, quarantined: 1, rejected: 1 },
      unauthorized: 401,
    });
  });

  it.each([
    ['the tampered line, as an invalid signature without key id', /^konnect_audit_intake_signatures_total\{status="invalid",kid=""\} 1$/m],
    ['the valid lines, with the key id that verified', new RegExp(`^konnect_audit_intake_signatures_total\\{status="valid",kid="${primary.kid}"\\} 5$`, 'm')],
    ['the wrong token', /^konnect_audit_intake_batches_total\{status="401",code="KAR_ERR_INTAKE_UNAUTHORIZED"\} 1$/m],
    ['the unparseable line', /^konnect_audit_store_lines_total\{outcome="rejected"\} 1$/m],
    ['the time of the last stored batch', /^konnect_audit_intake_last_batch_timestamp_seconds \d{10}(\.\d+)?$/m],
    ['the store budget', /^konnect_audit_store_max_bytes [1-9]\d*$/m],
    ['no lag for the sink that delivered everything', /^konnect_audit_sink_oldest_pending_age_seconds\{sink="file"\} 0$/m],
    ['a lag for the sink that cannot deliver (what KonnectAuditDeliveryLagging watches)', /^konnect_audit_sink_oldest_pending_age_seconds\{sink="stuck"\} (0\.\d*[1-9]\d*|[1-9][\d.]*)(e-?\d+)?$/m],
    ['the retries of the sink that cannot deliver', /^konnect_audit_sink_retries_total\{sink="stuck",code="KAR_ERR_SINK_UNREACHABLE"\} [1-9]\d*$/m],
    ['the file sink deliveries', /^konnect_audit_sink_delivered_events_total\{sink="file"\} 5$/m],
    ['a 429 series at 0 before any 429 (increase() sees the first)', /^konnect_audit_intake_batches_total\{status="429",code="KAR_ERR_STORE_FULL"\} 0$/m],
    ['a 413 series at 0 before any 413', /^konnect_audit_intake_batches_total\{status="413",code="KAR_ERR_INTAKE_BODY_TOO_LARGE"\} 0$/m],
    ['the malformed and missing signature series at 0', /^konnect_audit_intake_signatures_total\{status="malformed",kid=""\} 0\n(.*\n)*konnect_audit_intake_signatures_total\{status="missing",kid=""\} 0$/m],
    ['the dropped-lines series at 0', /^konnect_audit_store_lines_total\{outcome="dropped"\} 0$/m],
  ])('exposes %s', (_what, line) => {
    expect(exposition).toMatch(line);
  });
});

describe('every metric the alert rules and the dashboard use is in the live /metrics', () => {
  const names = [...used.keys()].filter((name) => !SCRAPE_SERIES.has(name)).sort();

  it('reads a plausible number of names from the kit (the reader works)', () => {
    expect(names.length).toBeGreaterThan(25);
    expect([...used.keys()]).toContain('up');
  });

  it.each(names)('%s', (name) => {
    const exposed = exposedNames(exposition);
    expect(exposed.has(name), `${name} is used by ${(used.get(name) ?? []).join('; ')} but the receiver does not expose it`).toBe(true);
  });

  it('a renamed metric is caught: the check misses exactly the old name', () => {
    const renamed = exposition.replaceAll('konnect_audit_store_pending_bytes', 'konnect_audit_store_undelivered_bytes');
    const exposed = exposedNames(renamed);
    expect(names.filter((name) => !exposed.has(name))).toEqual(['konnect_audit_store_pending_bytes']);
  });
});

describe.runIf(promtool.path !== undefined)('promtool (a real process)', () => {
  const run = (args: readonly string[], input?: string): ReturnType<typeof runPromtool> => runPromtool(promtool.path as string, args, input);

  it('check rules: alerts.yml is valid and holds exactly the rules the other tests read', () => {
    const result = run(['check', 'rules', 'ops/prometheus/alerts.yml']);
    expect(result.output).toContain(`SUCCESS: ${alertRules().length} rules found`);
    expect(result.status).toBe(0);
  });

  it('test rules: every unit test of alerts.test.yml passes', () => {
    const result = run(['test', 'rules', 'ops/prometheus/alerts.test.yml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('every dashboard query and variable selector, with Grafana variables filled in, parses (as recording rules in check rules)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kar-dashboard-'));
    try {
      const queries = dashboardExpressions().map(({ expr }) =>
        expr
          .replace(/^label_values\(([\s\S]*),\s*\w+\)$/, '$1')
          .replaceAll('$__rate_interval', '5m')
          .replace(/\$\{?\w+\}?/g, '.*'),
      );
      const rules = queries.map((expr, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(expr)}`).join('\n');
      const file = join(dir, 'dashboard-rules.yml');
      await writeFile(file, `groups:\n  - name: dashboard\n    rules:\n${rules}\n`);
      const result = run(['check', 'rules', file]);
      expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`);
      expect(result.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('check metrics passes on the live /metrics', () => {
    const result = run(['check', 'metrics'], exposition);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});

/**
 * A real Prometheus server (the same Debian package) scrapes the receiver
 * every second and evaluates alerts.yml every second. Konnect-like traffic
 * sent after its first scrape must fire the alerts that need no long wait:
 * a line without signature (its series was at 0 before: the first failure
 * after a start is seen) and repeated 401s.
 */
describe.runIf(promtool.path !== undefined)('Prometheus (a real server) scraping the receiver with alerts.yml', () => {
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    if (promtool.path === undefined || receiver === undefined) return;
    const binary = findExecutable('prometheus');
    if (binary === undefined) throw new Error('promtool is installed but not prometheus: apt-get install -y prometheus');
    const target = new URL(receiver.url);
    prometheus = await startPrometheus({ binary, rules: kitFiles.alerts, target: target.host, caFile: receiver.cert.certFile });
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  it('fires KonnectAuditLineFailedVerification{status="missing"} and KonnectAuditRepeatedUnauthorized', async () => {
    const running = prometheus as RunningPrometheus;
    const live = receiver as TestReceiver;
    await running.waitForQuery('konnect_audit_intake_signatures_total{job="konnect-audit", status="missing"} == 0');
    const [unsigned] = makeKonnectLines({ format: 'cef', count: 1, seed: 134 });
    expect(JSON.parse((await postLikeKonnect(live.url, live.cert.cert, [unsigned as string])).body)).toMatchObject({ quarantined: 1 });
    for (let i = 0; i < 3; i++) expect((await postLikeKonnect(live.url, live.cert.cert, ['x'], { authorization: 'Bearer an-old-token' })).status).toBe(401);

    const firing = await running.waitForAlerts(['KonnectAuditLineFailedVerification', 'KonnectAuditRepeatedUnauthorized']);
    expect(firing.find((alert) => alert.labels.alertname === 'KonnectAuditLineFailedVerification')?.labels).toMatchObject({ status: 'missing', severity: 'critical', category: 'security', job: 'konnect-audit' });
    expect(firing.find((alert) => alert.labels.alertname === 'KonnectAuditRepeatedUnauthorized')?.labels).toMatchObject({ severity: 'critical', instance: new URL(live.url).host });
  });

  it('keeps the alerts of a healthy receiver silent (down, dead letters, store budget, key set)', async () => {
    const running = prometheus as RunningPrometheus;
    await running.waitForQuery('ALERTS{alertname="KonnectAuditRepeatedUnauthorized", alertstate="firing"}');
    const names = (await running.alerts()).map((alert) => alert.labels.alertname);
    for (const quiet of ['KonnectAuditReceiverDown', 'KonnectAuditDeadLetters', 'KonnectAuditStoreNearBudget', 'KonnectAuditKeySetStale', 'KonnectAuditBatchesThrottled']) {
      expect(names).not.toContain(quiet);
    }
  });
});

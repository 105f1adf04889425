/**
 * The syslog sink against a real rsyslogd (see support/rsyslog.ts): what
 * arrives must be the exact original lines, whatever their length or bytes.
 * No rsyslogd: skipped with one line naming the package on a developer's
 * machine; under CI (.ci/run) a missing rsyslogd fails the run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.js';
import { createSink, sinkConfigSchema, type SinkConfigInput } from '../../../src/sinks/registry.js';
import type { Sink, SinkRecord } from '../../../src/sinks/types.js';
import { makeEvent, toRecord } from '../support/records.js';
import { rsyslogd, startRsyslog, type ReceivedSyslog, type Rsyslog } from '../support/rsyslog.js';
import { createTestPki, type TestPki } from '../support/tls.js';

const HOSTNAME = 'kar-receiver-01.example';

let dir: string;
let pki: TestPki;
let rsyslog: Rsyslog;
let otherPkiDir: string | undefined;

beforeAll(async () => {
  if (rsyslogd.path === undefined) return;
  dir = await mkdtemp(join(tmpdir(), 'kar-rsyslog-'));
  pki = await createTestPki();
  rsyslog = await startRsyslog(dir, pki);
});

afterAll(async () => {
  await rsyslog?.stop();
  for (const path of [dir, pki?.dir, otherPkiDir]) if (path !== undefined) await rm(path, { recursive: true, force: true });
});

function syslogSink(extra: Partial<SinkConfigInput & { type: 'syslog' }> & { protocol: 'tcp' | 'tls' }): Sink {
  const port = extra.protocol === 'tls' ? rsyslog.tlsPort : rsyslog.tcpPort;
  const config = sinkConfigSchema.parse({ type: 'syslog', host: '127.0.0.1', port, hostname: HOSTNAME, ...extra });
  return createSink(config, { logger: createSilentLogger() });
}

/** Sends a batch and returns what rsyslog wrote for it. */
async function deliver(sink: Sink, batch: SinkRecord[]): Promise<ReceivedSyslog[]> {
  const before = (await rsyslog.received()).length;
  expect(await sink.write(batch)).toEqual({ kind: 'delivered' });
  return (await rsyslog.waitForMessages(before + batch.length)).slice(before);
}

let serial = 0;
/** Distinct lines with the quirks a syslog path tends to break. */
function quirkyBatch(): SinkRecord[] {
  const n = (serial += 10);
  const long = `2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=${n} request=/${'a'.repeat(12_000)} sig=${'S'.repeat(86)}`;
  return [
    makeEvent(n),
    makeEvent(n + 1, { raw: `${long}` }),
    makeEvent(n + 2, { raw: `{"action":"read","name":"Authz.identity-provider","rt":${n},"trace_id":6891110586028963295,"user_agent":"grpc-go/1.54.0 (ünï ✓)","sig":"Jm73"}` }),
    makeEvent(n + 3, { raw: `Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=${n}\tsrc=127.0.0.6 user_agent=a\\=b "quoted" [x] sig=abc  ` }),
  ].map(toRecord);
}

describe.runIf(rsyslogd.path !== undefined)('syslog sink → real rsyslog', () => {
  it('TCP, octet counting, defaults: each message is the exact raw line (a 12 KB one untruncated, tabs, UTF-8, trailing spaces), its verdict as structured data, the stable hostname', async () => {
    const sink = syslogSink({ protocol: 'tcp' });
    await sink.start();
    const batch = quirkyBatch();
    const got = await deliver(sink, batch);
    await sink.close();
    expect(got.map((m) => m.msg)).toEqual(batch.map((r) => r.event.raw));
    const verdict = '[konnect@32473 status="valid" kid="key-2025"]';
    expect(got.every((m) => m.host === HOSTNAME && m.app === 'konnect-audit' && m.procid === '-' && m.msgid === 'authentication' && m.sd === verdict)).toBe(true);
    expect(got[1]?.msg.length).toBeGreaterThan(12_000);
    expect(got.map((m) => m.pri)).toEqual(['13', '13', '13', '13']);
  });

  it('TLS with a private CA (caFile): delivered after the handshake, lines exact', async () => {
    const sink = syslogSink({ protocol: 'tls', caFile: pki.caFile });
    await sink.start();
    expect(sink.health().ok).toBe(true);
    const batch = quirkyBatch();
    const got = await deliver(sink, batch);
    await sink.close();
    expect(got.map((m) => m.msg)).toEqual(batch.map((r) => r.event.raw));
    expect(got.every((m) => m.host === HOSTNAME)).toBe(true);
  });

  it('TLS, by host name: the certificate is verified against "localhost"', async () => {
    const config = sinkConfigSchema.parse({ type: 'syslog', protocol: 'tls', host: 'localhost', port: rsyslog.tlsPort, hostname: HOSTNAME, caFile: pki.caFile });
    const sink = createSink(config, { logger: createSilentLogger() });
    await sink.start();
    const batch = quirkyBatch().slice(0, 1);
    const got = await deliver(sink, batch);
    await sink.close();
    expect(got.map((m) => m.msg)).toEqual([batch[0]?.event.raw]);
  });

  it('TLS against a server whose certificate another CA signed: retryable, nothing written', async () => {
    const otherCa = await createTestPki('some other CA');
    otherPkiDir = otherCa.dir;
    const sink = syslogSink({ protocol: 'tls', caFile: otherCa.caFile });
    await sink.start();
    expect(sink.health().ok).toBe(false);
    const before = (await rsyslog.received()).length;
    const outcome = await sink.write(quirkyBatch());
    await sink.close();
    expect(outcome).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE' });
    expect((await rsyslog.received()).length).toBe(before);
  });

  it('newline framing (RFC 6587 §3.4.2) also arrives exact; structuredData: false sends no structured data', async () => {
    const sink = syslogSink({ protocol: 'tcp', framing: 'newline', structuredData: false });
    await sink.start();
    const batch = quirkyBatch();
    const got = await deliver(sink, batch);
    await sink.close();
    expect(got.map((m) => m.msg)).toEqual(batch.map((r) => r.event.raw));
    expect(got.map((m) => m.sd)).toEqual(batch.map(() => '-'));
  });

  it('structured data, facility and severity: [konnect@32473 status kid], local0, an invalid signature raised to warning', async () => {
    const sink = syslogSink({ protocol: 'tcp', structuredData: true, facility: 'local0' });
    await sink.start();
    const batch = [makeEvent(900), makeEvent(901, { signature: { status: 'invalid' }, category: 'authorization' })].map(toRecord);
    const got = await deliver(sink, batch);
    await sink.close();
    expect(got.map((m) => [m.pri, m.msgid, m.sd])).toEqual([
      ['133', 'authentication', '[konnect@32473 status="valid" kid="key-2025"]'],
      ['132', 'authorization', '[konnect@32473 status="invalid"]'],
    ]);
    expect(got.map((m) => m.msg)).toEqual(batch.map((r) => r.event.raw));
  });

  it('keeps one connection across writes, reports the collector going away as retryable, and reconnects when it is back', async () => {
    const sink = syslogSink({ protocol: 'tcp' });
    await sink.start();
    const first = quirkyBatch().slice(0, 1);
    expect((await deliver(sink, first)).map((m) => m.msg)).toEqual([first[0]?.event.raw]);

    await rsyslog.stop();
    // The dead peer is noticed on the first write or the one after it (TCP learns of the reset late).
    const outcomes = [];
    for (let i = 0; i < 20; i++) {
      const outcome = await sink.write(quirkyBatch().slice(0, 1));
      outcomes.push(outcome.kind);
      if (outcome.kind === 'retryable') {
        expect(outcome.code).toBe('KAR_ERR_SINK_UNREACHABLE');
        break;
      }
    }
    expect(outcomes).toContain('retryable');
    expect(sink.health().ok).toBe(false);

    await rsyslog.restart();
    const again = quirkyBatch().slice(0, 2);
    const before = (await rsyslog.received()).length;
    expect(await sink.write(again)).toEqual({ kind: 'delivered' });
    const got = (await rsyslog.waitForMessages(before + 2)).slice(before);
    await sink.close();
    expect(got.map((m) => m.msg)).toEqual(again.map((r) => r.event.raw));
    expect(sink.health().ok).toBe(true);
  });
});

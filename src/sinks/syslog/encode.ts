/**
 * @module sinks/syslog/encode
 * RFC 5424 messages carrying the original line, framed per RFC 6587:
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
 *
 * - PRI = facility × 8 + severity (RFC 5424 §6.2.1), severity from the CEF
 *   severity (below).
 * - TIMESTAMP: the event's time (else when it was received), RFC 3339 as
 *   §6.2.3 restricts it.
 * - PROCID `-`: a process id says nothing about an audit event and would
 *   change on every restart.
 * - MSGID: the event category (authentication, authorization, access, unknown).
 * - SD: `-`, or `[konnect@32473 status="valid" kid="..."]` when enabled.
 * - MSG: the record's payload, by default (`raw`) `event.raw`, the exact line
 *   Konnect signed, never truncated, with no BOM (MSG-ANY, §6.4): CEF parsers
 *   in SIEMs expect the line to start with its own text, and a downstream
 *   verifier needs its exact bytes. `v1`, `ocsf` or `ecs` put that JSON there.
 */
import type { NormalizedEvent } from '../../normalize/event.js';
import type { RecordFormatter } from '../payload.js';
import type { SinkRecord } from '../types.js';

export interface SyslogFormat {
  readonly facility: number;
  readonly hostname: string;
  readonly appName: string;
  readonly framing: 'octet-counting' | 'newline';
  /** SD-ID when structured data is on; undefined: NILVALUE. */
  readonly structuredDataId?: string | undefined;
}

export const SEVERITY = { emergency: 0, alert: 1, critical: 2, error: 3, warning: 4, notice: 5, informational: 6, debug: 7 } as const;

/**
 * CEF severity (0–10, or Low/Medium/High/Very-High per the CEF spec's bands)
 * → syslog severity: Low 0–3 → notice, Medium 4–6 → warning, High 7–8 →
 * error, Very-High 9–10 → critical; anything else → notice. A forwarded line
 * whose signature did not verify is at least a warning: an unverifiable
 * audit record is itself worth attention.
 */
export function syslogSeverity(cefSeverity: string, signatureStatus: NormalizedEvent['signature']['status']): number {
  const severity = cefToSyslog(cefSeverity.trim());
  const suspicious = signatureStatus === 'invalid' || signatureStatus === 'malformed' || signatureStatus === 'missing';
  return suspicious ? Math.min(severity, SEVERITY.warning) : severity;
}

function cefToSyslog(value: string): number {
  const band = /^\d+$/.test(value) ? Number(value) : { low: 0, medium: 4, high: 7, 'very-high': 9 }[value.toLowerCase()];
  if (band === undefined || band > 10) return SEVERITY.notice;
  if (band >= 9) return SEVERITY.critical;
  if (band >= 7) return SEVERITY.error;
  if (band >= 4) return SEVERITY.warning;
  return SEVERITY.notice;
}

/** RFC 5424 §6.2.3: full-date "T" full-time, at most 6 fraction digits. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

export function syslogTimestamp(event: NormalizedEvent): string {
  if (event.time !== undefined && TIMESTAMP.test(event.time)) return event.time;
  if (TIMESTAMP.test(event.received_at)) return event.received_at;
  return '-';
}

/** RFC 5424 §6.3.3: inside PARAM-VALUE, `"`, `\` and `]` are escaped with `\`. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

export function structuredData(event: NormalizedEvent, sdId: string | undefined): string {
  if (sdId === undefined) return '-';
  let element = `[${sdId} status="${escapeParamValue(event.signature.status)}"`;
  if (event.signature.kid !== undefined) element += ` kid="${escapeParamValue(event.signature.kid)}"`;
  return `${element}]`;
}

/** One SYSLOG-MSG, unframed; MSG is `message` (default: the original line). */
export function formatSyslogMessage(event: NormalizedEvent, format: SyslogFormat, message: string = event.raw): string {
  const pri = format.facility * 8 + syslogSeverity(event.header.severity, event.signature.status);
  const sd = structuredData(event, format.structuredDataId);
  return `<${pri}>1 ${syslogTimestamp(event)} ${format.hostname} ${format.appName} - ${event.category} ${sd} ${message}`;
}

/** RFC 6587 §3.4.1 `MSG-LEN SP SYSLOG-MSG` (length in octets) or §3.4.2 `SYSLOG-MSG LF`. */
export function frameSyslogMessage(message: string, framing: SyslogFormat['framing']): Buffer {
  if (framing === 'newline') return Buffer.from(`${message}\n`, 'utf8');
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export function encodeSyslogBatch(batch: readonly SinkRecord[], format: SyslogFormat, payload?: RecordFormatter): Buffer {
  return Buffer.concat(
    batch.map((record) => frameSyslogMessage(formatSyslogMessage(record.event, format, payload === undefined ? record.event.raw : payload(record)), format.framing)),
  );
}

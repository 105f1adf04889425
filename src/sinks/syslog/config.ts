/**
 * @module sinks/syslog/config
 */
import { z } from 'zod';
import { MIB, bytesField, caFileField, defaultHostname, msField, nameField } from '../config-common.js';
import { payloadField, rawDataField } from '../payload.js';

/** RFC 5424 §6.2.1 Table 1 (keywords as in syslog.conf / rsyslog). */
export const facilities = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  ntp: 12, audit: 13, alert: 14, clock: 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const;

export type FacilityName = keyof typeof facilities;

const facilitySchema = z
  .union([z.number().int().min(0).max(23), z.enum(Object.keys(facilities) as [FacilityName, ...FacilityName[]])])
  .transform((value) => (typeof value === 'number' ? value : facilities[value]));

/** PRINTUSASCII (%d33-126), RFC 5424 §6. */
const printUsAscii = (max: number) => z.string().regex(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`), `1 to ${max} printable ASCII characters, no spaces`);

/**
 * SD-ID for the optional structured data, RFC 5424 §6.3.2: `name@<private
 * enterprise number>`, at most 32 characters, no `=`, space, `]` or `"`.
 * The default uses 32473, the enterprise number RFC 5612 reserves for
 * documentation: this project has no IANA number of its own; an organization
 * with one should set its own.
 */
export const DEFAULT_SD_ID = 'konnect@32473';
const sdIdSchema = z.string().regex(/^[\x21-\x7e]{1,32}$/, 'at most 32 printable ASCII characters').regex(/^[^=\]" @]+@\d+(\.\d+)*$/, 'name@<enterprise number>, e.g. konnect@32473');

export const syslogConfigSchema = z
  .strictObject({
    type: z.literal('syslog'),
    name: nameField('syslog'),
    /** What is sent per event: v1 (the normalized event), ocsf, ecs or raw (the signed line); see docs/SIEM.md. */
    payload: payloadField('raw'),
    /** ocsf/ecs: add the original line (`raw_data` / `event.original`). */
    rawData: rawDataField,
    /** tcp (RFC 6587) or tls (RFC 5425). */
    protocol: z.enum(['tcp', 'tls']),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    /** RFC 6587 §3.4.1 octet counting (`<len> <msg>`, default) or §3.4.2 newline framing. */
    framing: z.enum(['octet-counting', 'newline']).default('octet-counting'),
    /** HOSTNAME of every message: stable across restarts (default: this machine's host name). */
    hostname: printUsAscii(255).default(defaultHostname),
    appName: printUsAscii(48).default('konnect-audit'),
    /** Facility by keyword or number (default `user`, so Konnect's low-severity events are PRI 13, user.notice). */
    facility: facilitySchema.default(facilities.user),
    /**
     * Add `[<structuredDataId> status="..." kid="..."]` (the signature verdict)
     * to every message. Default: on with the `raw` payload, whose line alone
     * does not say whether it verified; off with a JSON payload, which carries
     * the verdict itself (withStructuredData()).
     */
    structuredData: z.boolean().optional(),
    structuredDataId: sdIdSchema.default(DEFAULT_SD_ID),
    /** TLS only: PEM CA bundle for a private CA (replaces the system trust store). */
    caFile: caFileField,
    /** TLS only: the name to verify the certificate against (default: host). */
    servername: z.string().min(1).optional(),
    connectTimeoutMs: msField(10_000),
    writeTimeoutMs: msField(30_000),
    maxBatchBytes: bytesField(MIB),
  })
  .superRefine((config, ctx) => {
    if (config.protocol === 'tcp' && config.caFile !== undefined) ctx.addIssue({ code: 'custom', path: ['caFile'], message: 'only for protocol "tls"' });
    if (config.protocol === 'tcp' && config.servername !== undefined) ctx.addIssue({ code: 'custom', path: ['servername'], message: 'only for protocol "tls"' });
  });

export type SyslogConfig = z.infer<typeof syslogConfigSchema>;

/** Whether messages carry the verdict as structured data: as configured, else only with the `raw` payload. */
export function withStructuredData(config: Pick<SyslogConfig, 'structuredData' | 'payload'>): boolean {
  return config.structuredData ?? config.payload === 'raw';
}

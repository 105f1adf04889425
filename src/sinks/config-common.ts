/**
 * @module sinks/config-common
 * Schema pieces every sink's config shares, so that names, units and limits
 * read the same in every sink (STYLE 6: units in names, unknown keys rejected).
 */
import { hostname } from 'node:os';
import { z } from 'zod';

export const KIB = 1024;
export const MIB = 1024 * 1024;

/** The sink's name (metrics label, log field); defaults to its type so that one sink of a kind needs none. */
export function nameField<T extends string>(type: T) {
  return z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i, 'letters, digits, "-", "_" or "." (at most 63), starting with a letter or digit')
    .default(type);
}

export function bytesField(defaultBytes: number, maxBytes = 64 * MIB) {
  return z.number().int().min(1).max(maxBytes).default(defaultBytes);
}

export function msField(defaultMs: number, maxMs = 10 * 60_000) {
  return z.number().int().min(1).max(maxMs).default(defaultMs);
}

/** A PEM CA bundle file (a private CA); it replaces the system trust store for this sink. */
export const caFileField = z.string().min(1).optional();

export function httpUrlField(what: string) {
  return z
    .string()
    .refine((value) => isHttpUrl(value), `must be an http:// or https:// URL (${what})`);
}

export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/** The name the sinks report as their host: the OS host name, made printable ASCII (RFC 5424 §6.2.4). */
export function defaultHostname(): string {
  const name = hostname().replace(/[^\x21-\x7e]/g, '-').slice(0, 255);
  return name.length > 0 ? name : 'localhost';
}

/** What of a URL may appear in a log line: scheme and host only (user info, a path or a query may carry a credential). */
export function describeUrl(value: string): string {
  if (!URL.canParse(value)) return '[unparsable url]';
  const url = new URL(value);
  return `${url.protocol}//${url.host}`;
}

/**
 * @module payload/common
 * Reading a `konnect-audit/v1` event the way every SIEM mapping needs it:
 * epoch times, the source address, the verb of the call, the resource of a
 * permission check, and the members no schema has a place for.
 */
import { isIP } from 'node:net';
import type { NormalizedEvent } from '../normalize/event.js';
import type { JsonObject } from './types.js';

/** Event time in ms since the epoch; `received_at` when the line gave none (a garbled `rt`). */
export function eventEpochMs(event: NormalizedEvent): number {
  const time = event.time === undefined ? Number.NaN : Date.parse(event.time);
  return Number.isFinite(time) ? time : Date.parse(event.received_at);
}

/**
 * `src` when it is an IP address as the schemas define one (OCSF: at most 40
 * characters, no IPv6 zone); anything else is an address of another kind.
 */
export function sourceIp(event: NormalizedEvent): string | undefined {
  const src = event.src;
  if (src === undefined || src.length > 40 || src.includes('%')) return undefined;
  return isIP(src) === 0 ? undefined : src;
}

/** A value worth sending: absent and empty (`user_agent=`) both mean "none". */
export function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** CRUD verb of a call: the HTTP method of an access event, Konnect's `action` of a permission check. */
export const verbs = { create: 'create', read: 'read', update: 'update', delete: 'delete', other: 'other' } as const;
export type Verb = (typeof verbs)[keyof typeof verbs];

const verbByWord: Readonly<Record<string, Verb>> = {
  post: 'create',
  create: 'create',
  get: 'read',
  head: 'read',
  options: 'read',
  read: 'read',
  retrieve: 'read',
  list: 'read',
  view: 'read',
  put: 'update',
  patch: 'update',
  edit: 'update',
  update: 'update',
  delete: 'delete',
  remove: 'delete',
};

export function verbOf(word: string | undefined): Verb | undefined {
  if (!present(word)) return undefined;
  return verbByWord[word.toLowerCase()] ?? 'other';
}

/** The word the event uses for what was done: `act` (HTTP method) or `action`. */
export function operationOf(event: NormalizedEvent): string | undefined {
  if (present(event.act)) return event.act;
  if (present(event.action)) return event.action;
  return undefined;
}

const AUTHZ_PREFIX = 'Authz.';

/** `Authz.control-planes/7f9c` → the checked resource `{ type: 'control-planes', uid: '7f9c', name: 'control-planes/7f9c' }`. */
export function authzResource(event: NormalizedEvent): { type: string; uid?: string; name: string } | undefined {
  const { name } = event.header;
  if (!name.startsWith(AUTHZ_PREFIX) || name.length === AUTHZ_PREFIX.length) return undefined;
  const resource = name.slice(AUTHZ_PREFIX.length);
  const slash = resource.indexOf('/');
  if (slash <= 0) return { type: resource, name: resource };
  const uid = resource.slice(slash + 1);
  return uid === '' ? { type: resource.slice(0, slash), name: resource } : { type: resource.slice(0, slash), uid, name: resource };
}

/** Outcome of the event in the terms every schema shares. */
export type Outcome = 'success' | 'failure' | 'unknown';

const AUTH_SUCCESS = 'AUTHENTICATION_OUTCOME_SUCCESS';
const AUTH_OUTCOME_PREFIX = 'AUTHENTICATION_OUTCOME_';

export function outcomeOf(event: NormalizedEvent): Outcome {
  switch (event.category) {
    case 'authentication':
      if (event.success !== undefined) return event.success ? 'success' : 'failure';
      if (event.header.name === AUTH_SUCCESS) return 'success';
      return event.header.name.startsWith(AUTH_OUTCOME_PREFIX) ? 'failure' : 'unknown';
    case 'authorization':
      return event.granted === undefined ? 'unknown' : event.granted ? 'success' : 'failure';
    case 'access':
      return event.status === undefined ? 'unknown' : event.status < 400 ? 'success' : 'failure';
    default:
      return 'unknown';
  }
}

/** `AUTHENTICATION_TYPE_BASIC` → `BASIC`. */
export function authenticationMethod(event: NormalizedEvent): string | undefined {
  const id = event.header.event_class_id;
  const prefix = 'AUTHENTICATION_TYPE_';
  return id.startsWith(prefix) && id.length > prefix.length ? id.slice(prefix.length) : undefined;
}

/** CEF severity as a number 0–10 (digits, or the CEF names Low/Medium/High/Very-High), else undefined. */
export function cefSeverity(event: NormalizedEvent): number | undefined {
  const text = event.header.severity.trim();
  if (/^\d{1,2}$/.test(text)) {
    const value = Number(text);
    return value <= 10 ? value : undefined;
  }
  return ({ low: 0, medium: 4, high: 7, 'very-high': 9 } as Readonly<Record<string, number>>)[text.toLowerCase()];
}

/**
 * Members the typed keys, the header or the time already carry (every mapping
 * places them); the rest of `fields` is what no schema knows.
 */
const MAPPED_MEMBERS = new Set([
  'rt', 'src', 'org_id', 'portal_id', 'principal_id', 'actor_id', 'trace_id', 'user_agent', 'request', 'query', 'action',
  'act', 'success', 'granted', 'kong_initiated', 'status',
  // JSON lines carry the CEF header as members (SPEC 6) and `event_ts` (a time source).
  'cef_version', 'event_vendor', 'event_product', 'event_version', 'event_class_id', 'name', 'severity', 'event_ts',
]);

/** Extension / JSON members no mapping places (`msg`, `note`, ...), as the exact strings of `fields`; undefined when none. */
export function otherFields(event: NormalizedEvent): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const key of Object.keys(event.fields)) {
    if (MAPPED_MEMBERS.has(key)) continue;
    out ??= {};
    out[key] = event.fields[key] as string;
  }
  return out;
}

/** The signature verdict, so that a SIEM can alert on forged or unsigned lines. */
export function signatureOf(event: NormalizedEvent): JsonObject {
  return event.signature.kid === undefined ? { status: event.signature.status } : { status: event.signature.status, kid: event.signature.kid };
}

/**
 * The URL of the call: `request` is a path that may carry its own query
 * (`/v2/portals/x/applications?page[size]=100`); Konnect sends `query`
 * separately on other lines. Undefined without `request`.
 */
export function urlParts(event: NormalizedEvent): { original: string; path: string; query?: string } | undefined {
  if (!present(event.request)) return undefined;
  const mark = event.request.indexOf('?');
  const path = mark === -1 ? event.request : event.request.slice(0, mark);
  const inline = mark === -1 ? '' : event.request.slice(mark + 1);
  const query = present(event.query) ? (inline === '' ? event.query : `${inline}&${event.query}`) : inline;
  const original = present(event.query) ? `${event.request}${mark === -1 ? '?' : '&'}${event.query}` : event.request;
  return query === '' ? { original, path } : { original, path, query };
}

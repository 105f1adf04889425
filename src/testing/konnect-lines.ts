/**
 * @module testing/konnect-lines
 * Realistic Konnect-shaped audit lines (unsigned), deterministic from a seed,
 * for `send`, `demo`, benchmarks and tests. Shapes follow Kong's audit log
 * reference: the three families (authentication — org and Dev Portal —,
 * authorization `Authz.*`, access `Ingress`), the CEF extension order and
 * JSON member types of its examples (`rt`/`status`/`severity`/`trace_id`
 * numbers, `success`/`granted` booleans, members in alphabetical order),
 * 64-bit trace ids, both CEF prefixes (ISO-8601 and RFC 3164), values with
 * spaces, `(`, `;`, `=`, `&` and base64 padding, and empty values.
 * Like Konnect, values are not CEF-escaped.
 */
import { signCefLine, signJsonLine, type SigningKey, type SigPosition } from './sign-lines.js';

export interface KonnectLinesOptions {
  readonly format: 'cef' | 'json';
  readonly count: number;
  /** Same seed, same lines. */
  readonly seed?: number;
  /** `rt` of the first line (ms since epoch); later lines are a little later. Default 2025-06-23T14:28:47.556Z. */
  readonly startMs?: number;
}

export interface SignedKonnectLinesOptions extends KonnectLinesOptions {
  readonly key: SigningKey;
  /** JSON only: where the `sig` member goes (default `last`, as Konnect does). */
  readonly sigPosition?: SigPosition;
}

const DEFAULT_START_MS = 1750688927556;

export function makeKonnectLines(options: KonnectLinesOptions): string[] {
  const random = mulberry32(options.seed ?? 1);
  const lines: string[] = [];
  let rt = options.startMs ?? DEFAULT_START_MS;
  const orgId = uuid(random);
  const portalId = uuid(random);
  const principals = [uuid(random), uuid(random), uuid(random)];
  for (let i = 0; i < options.count; i++) {
    const event = makeEvent(random, { rt, orgId, portalId, principals });
    lines.push(options.format === 'cef' ? toCef(event, i % 4 === 3 ? 'rfc3164' : 'iso8601') : toJson(event));
    rt += 1 + Math.floor(random() * 900);
  }
  return lines;
}

export function makeSignedKonnectLines(options: SignedKonnectLinesOptions): string[] {
  const position = options.sigPosition ?? 'last';
  return makeKonnectLines(options).map((line) => (options.format === 'cef' ? signCefLine(line, options.key) : signJsonLine(line, options.key, position)));
}

/** One event: the header and the extensions in Kong's order, with their JSON types. */
export interface KonnectEvent {
  readonly product: 'Konnect' | 'Dev-Portal';
  readonly eventClassId: string;
  readonly name: string;
  readonly severity: number;
  readonly rt: number;
  readonly extensions: ReadonlyArray<readonly [key: string, value: string, jsonType: 'string' | 'number' | 'boolean']>;
}

interface Context {
  readonly rt: number;
  readonly orgId: string;
  readonly portalId: string;
  readonly principals: readonly string[];
}

const userAgents = [
  'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36',
  'grpc-go/1.54.0',
  'grpc-node-js/1.8.10',
  'kongctl/0.3.1 (linux; amd64)',
  '',
];
const authTypes = ['AUTHENTICATION_TYPE_BASIC', 'AUTHENTICATION_TYPE_PAT', 'AUTHENTICATION_TYPE_SSO', 'AUTHENTICATION_TYPE_SPAT'];
const authOutcomes: ReadonlyArray<readonly [name: string, severity: number]> = [
  ['AUTHENTICATION_OUTCOME_SUCCESS', 0],
  ['AUTHENTICATION_OUTCOME_SUCCESS', 0],
  ['AUTHENTICATION_OUTCOME_SUCCESS', 0],
  ['AUTHENTICATION_OUTCOME_INVALID_PASSWORD', 1],
  ['AUTHENTICATION_OUTCOME_LOCKED', 6],
];
const authzServices = ['konnect', 'identity', 'portals', 'control-planes'];
const authzActions = ['retrieve', 'list', 'edit', 'create', 'delete'];
const methods: ReadonlyArray<readonly [method: string, status: number, severity: number]> = [
  ['POST', 201, 1],
  ['PATCH', 200, 1],
  ['PUT', 200, 1],
  ['DELETE', 204, 1],
  ['POST', 403, 6],
  ['POST', 500, 10],
];
const queries = ['{}', '{"end":"1684270800","start":"1684098000"}', 'cursor=eyJvZmZzZXQiOjEwMH0=', 'page[size]=100&filter[name][contains]=billing', ''];

function makeEvent(random: () => number, ctx: Context): KonnectEvent {
  const roll = random();
  const src = `${10 + Math.floor(random() * 200)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
  const principal = pick(random, ctx.principals);
  const traceId = traceId64(random);
  const userAgent = pick(random, userAgents);
  if (roll < 0.4) {
    const devPortal = roll < 0.15;
    const [name, severity] = pick(random, authOutcomes);
    const extensions: Array<readonly [string, string, 'string' | 'number' | 'boolean']> = [
      ['rt', String(ctx.rt), 'number'],
      ['src', src, 'string'],
      ['request', devPortal ? '/api/v2/developer/authenticate' : '/api/v1/authenticate', 'string'],
      ['success', String(severity === 0), 'boolean'],
      ['org_id', ctx.orgId, 'string'],
    ];
    if (devPortal) extensions.push(['portal_id', ctx.portalId, 'string']);
    extensions.push(['principal_id', principal, 'string'], ['trace_id', traceId, 'number'], ['user_agent', userAgent, 'string']);
    return { product: devPortal ? 'Dev-Portal' : 'Konnect', eventClassId: devPortal ? 'AUTHENTICATION_TYPE_BASIC' : pick(random, authTypes), name, severity, rt: ctx.rt, extensions };
  }
  if (roll < 0.8) {
    const granted = random() < 0.85;
    const resource = random() < 0.5 ? `control-planes/${uuid(random)}` : pick(random, ['organization', 'portals', 'usage', 'identity-provider', 'control-planes/*']);
    const extensions: Array<readonly [string, string, 'string' | 'number' | 'boolean']> = [
      ['rt', String(ctx.rt), 'number'],
      ['src', src, 'string'],
      ['action', pick(random, authzActions), 'string'],
      ['granted', String(granted), 'boolean'],
      ['org_id', ctx.orgId, 'string'],
      ['principal_id', principal, 'string'],
      ['actor_id', random() < 0.7 ? '' : uuid(random), 'string'],
    ];
    if (random() < 0.2) extensions.push(['kong_initiated', 'true', 'boolean']);
    extensions.push(['trace_id', traceId, 'number'], ['user_agent', userAgent, 'string']);
    return { product: 'Konnect', eventClassId: pick(random, authzServices), name: `Authz.${resource}`, severity: granted ? 1 : 6, rt: ctx.rt, extensions };
  }
  const [method, status, severity] = pick(random, methods);
  const extensions: Array<readonly [string, string, 'string' | 'number' | 'boolean']> = [
    ['rt', String(ctx.rt), 'number'],
    ['src', src, 'string'],
    ['request', `/konnect-api/api/control_planes/${uuid(random)}/services`, 'string'],
    ['act', method, 'string'],
    ['status', String(status), 'number'],
    ['org_id', ctx.orgId, 'string'],
    ['principal_id', principal, 'string'],
  ];
  if (random() < 0.2) extensions.push(['kong_initiated', 'true', 'boolean']);
  extensions.push(['user_agent', userAgent, 'string'], ['trace_id', traceId, 'number'], ['query', pick(random, queries), 'string']);
  return { product: 'Konnect', eventClassId: 'KongGateway', name: 'Ingress', severity, rt: ctx.rt, extensions };
}

/** `<prefix>CEF:0|KongInc|<product>|1.0|<class>|<name>|<severity>|k=v k=v...`, unsigned. */
export function toCef(event: KonnectEvent, prefix: 'iso8601' | 'rfc3164'): string {
  const stamp = prefix === 'iso8601' ? `${new Date(event.rt).toISOString().slice(0, 19)}Z` : rfc3164Stamp(event.rt);
  const extension = event.extensions.map(([key, value]) => `${key}=${value}`).join(' ');
  return `${stamp} konghq.com CEF:0|KongInc|${event.product}|1.0|${event.eventClassId}|${event.name}|${event.severity}|${extension}`;
}

/** A compact JSON object line, members in alphabetical order (as in Kong's examples), unsigned. */
export function toJson(event: KonnectEvent): string {
  const members: Array<readonly [string, string]> = [
    ['cef_version', '0'],
    ['event_class_id', JSON.stringify(event.eventClassId)],
    ['event_product', JSON.stringify(event.product)],
    ['event_ts', JSON.stringify(`${new Date(event.rt).toISOString().slice(0, 19)}Z`)],
    ['event_vendor', '"KongInc"'],
    ['event_version', '"1.0"'],
    ['name', JSON.stringify(event.name)],
    ['severity', String(event.severity)],
    // Numbers and booleans are written as their digits / literal, never through a JS number (trace_id is 64-bit).
    ...event.extensions.map(([key, value, type]) => [key, type === 'string' ? JSON.stringify(value) : value] as const),
  ];
  members.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `{${members.map(([key, text]) => `${JSON.stringify(key)}:${text}`).join(',')}}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Apr 14 05:39:08` (RFC 3164 §4.1.2: day space-padded). */
function rfc3164Stamp(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${MONTHS[d.getUTCMonth()] as string} ${day} ${d.toISOString().slice(11, 19)}`;
}

/** A positive int64 as decimal digits, usually beyond 2^53 (where JSON.parse corrupts it). */
function traceId64(random: () => number): string {
  const high = BigInt(Math.floor(random() * 0x80000000));
  const low = BigInt(Math.floor(random() * 0x100000000));
  return ((high << 32n) | low).toString();
}

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16] as string, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A small, fast, seedable PRNG (public domain, Tommy Ettinger): deterministic lines, not security. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

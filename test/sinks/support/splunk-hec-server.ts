/**
 * A stand-in for Splunk's HTTP Event Collector on loopback, following the
 * documented protocol strictly (Splunk "HTTP Event Collector REST API
 * endpoints", "Format events for HTTP Event Collector", the HEC status code
 * table, "About HTTP Event Collector Indexer Acknowledgment"):
 *
 * - POST /services/collector/event (also /services/collector and
 *   /services/collector/event/1.0); `Authorization: Splunk <token>`:
 *   missing → 401 code 2 "Token is required"; not `Splunk <x>` → 401 code 3
 *   "Invalid authorization"; unknown token → 403 code 4 "Invalid token";
 *   disabled token → 403 code 1 "Token disabled".
 * - Body: gzip when `Content-Encoding: gzip`; JSON event objects concatenated
 *   (whitespace between them allowed). Empty → 400 code 5 "No data". Events
 *   are read in order; the first bad one stops the request with
 *   `invalid-event-number` (zero-based) and the events before it are indexed:
 *   broken JSON or a poisoned event → code 6 "Invalid data format", no
 *   `event` → code 12, blank `event` → code 13, a non-numeric `time` →
 *   code 15, an index the token may not use → code 7 "Incorrect index".
 * - Channel (`X-Splunk-Request-Channel` header or `channel` query
 *   parameter): required when the token has acknowledgement on (400 code 10
 *   "Data channel is missing"), must be a GUID (400 code 11 "Invalid data
 *   channel"). Success: `{"text":"Success","code":0}`, plus `"ackId":n` (per
 *   channel, from 0) when the token has acknowledgement on.
 * - POST /services/collector/ack with `{"acks":[ids]}` on the channel:
 *   `{"acks":{"<id>":bool}}`; token without acknowledgement → 400 code 14
 *   "ACK is disabled".
 * - Forced answers (`failNext`) simulate overload (503 code 9 "Server is
 *   busy"), 429, 5xx and timeouts.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface HecToken {
  readonly ack?: boolean;
  readonly disabled?: boolean;
  /** Allowed indexes; an event naming another → code 7. Absent: any. */
  readonly indexes?: readonly string[];
}

export interface HecForcedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HecRequestLog {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Decoded (gunzipped) body. */
  readonly body: string;
  readonly compressedBytes: number;
}

export interface HecServerOptions {
  readonly tokens: Readonly<Record<string, HecToken>>;
  readonly tls?: { readonly key: string; readonly cert: string };
  /** An event the "indexer" refuses as invalid data (code 6), e.g. one carrying a marker. */
  readonly isPoison?: (event: Record<string, unknown>) => boolean;
  /** Polls answered `false` for an ackId before it turns `true`; Infinity: never acknowledged. */
  readonly pollsBeforeAck?: number;
}

export interface HecServer {
  readonly url: string;
  /** Events indexed, in order (the parsed event objects). */
  readonly indexed: Record<string, unknown>[];
  readonly requests: HecRequestLog[];
  readonly ackPolls: { readonly channel: string; readonly acks: readonly number[] }[];
  /** Answer the next event request(s) with these instead of processing them. */
  failNext(...answers: HecForcedAnswer[]): void;
  /** Answer the n-th event request (1-based, counted from the start) with this instead of processing it. */
  failRequest(n: number, answer: HecForcedAnswer): void;
  close(): Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_PATHS = new Set(['/services/collector', '/services/collector/event', '/services/collector/event/1.0']);

class HecError {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly text: string,
    readonly invalidEventNumber?: number,
  ) {}

  body(): Record<string, unknown> {
    const body: Record<string, unknown> = { text: this.text, code: this.code };
    if (this.invalidEventNumber !== undefined) body['invalid-event-number'] = this.invalidEventNumber;
    return body;
  }
}

export async function startHecServer(options: HecServerOptions): Promise<HecServer> {
  const indexed: Record<string, unknown>[] = [];
  const requests: HecRequestLog[] = [];
  const ackPolls: { channel: string; acks: number[] }[] = [];
  const forced: HecForcedAnswer[] = [];
  const forcedAt = new Map<number, HecForcedAnswer>();
  let eventRequests = 0;
  const nextAckId = new Map<string, number>();
  const pollCount = new Map<string, number>();
  const issued = new Set<string>();
  const pollsBeforeAck = options.pollsBeforeAck ?? 0;

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const compressed = Buffer.concat(chunks);
    const send = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method !== 'POST' || (!EVENT_PATHS.has(url.pathname) && url.pathname !== '/services/collector/ack')) {
        send(404, { text: 'The requested URL was not found on this server.', code: 404 });
        return;
      }
      const token = authenticate(req.headers.authorization, options.tokens);
      const channel = req.headers['x-splunk-request-channel'] ?? url.searchParams.get('channel') ?? undefined;
      if (typeof channel === 'string' && !GUID.test(channel)) throw new HecError(400, 11, 'Invalid data channel');
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(compressed).toString('utf8') : compressed.toString('utf8');
      requests.push({ path: url.pathname, headers: req.headers, body, compressedBytes: compressed.length });

      if (url.pathname === '/services/collector/ack') {
        if (token.ack !== true) throw new HecError(400, 14, 'ACK is disabled');
        if (typeof channel !== 'string') throw new HecError(400, 10, 'Data channel is missing');
        const ids = parseAckRequest(body);
        ackPolls.push({ channel, acks: ids });
        const acks: Record<string, boolean> = {};
        for (const id of ids) {
          const key = `${channel}/${id}`;
          const polls = (pollCount.get(key) ?? 0) + 1;
          pollCount.set(key, polls);
          acks[String(id)] = issued.has(key) && polls > pollsBeforeAck;
        }
        send(200, { acks });
        return;
      }

      if (token.ack === true && typeof channel !== 'string') throw new HecError(400, 10, 'Data channel is missing');
      eventRequests += 1;
      const force = forcedAt.get(eventRequests) ?? forced.shift();
      if (force !== undefined) {
        send(force.status, force.body ?? {}, force.headers);
        return;
      }
      const events = readEvents(body, token, options.isPoison);
      indexed.push(...events);
      if (token.ack === true && typeof channel === 'string') {
        const ackId = nextAckId.get(channel) ?? 0;
        nextAckId.set(channel, ackId + 1);
        issued.add(`${channel}/${ackId}`);
        send(200, { text: 'Success', code: 0, ackId });
        return;
      }
      send(200, { text: 'Success', code: 0 });
    } catch (error) {
      if (!(error instanceof PartialIndex)) {
        if (error instanceof HecError) send(error.status, error.body());
        else send(400, { text: 'Invalid data format', code: 6 });
        return;
      }
      indexed.push(...error.before);
      send(error.error.status, error.error.body());
    }
  };

  const server = options.tls === undefined ? http.createServer(handler) : https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    indexed,
    requests,
    ackPolls,
    failNext: (...answers) => forced.push(...answers),
    failRequest: (n, answer) => forcedAt.set(n, answer),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function authenticate(header: string | undefined, tokens: Readonly<Record<string, HecToken>>): HecToken {
  if (header === undefined || header === '') throw new HecError(401, 2, 'Token is required');
  const match = /^Splunk (\S+)$/.exec(header);
  if (match === null) throw new HecError(401, 3, 'Invalid authorization');
  const token = tokens[match[1] as string];
  if (token === undefined) throw new HecError(403, 4, 'Invalid token');
  if (token.disabled === true) throw new HecError(403, 1, 'Token disabled');
  return token;
}

/** The events before the bad one were indexed: HEC reads in order. */
class PartialIndex {
  constructor(
    readonly before: Record<string, unknown>[],
    readonly error: HecError,
  ) {}
}

function readEvents(body: string, token: HecToken, isPoison: HecServerOptions['isPoison']): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  let offset = skipSpace(body, 0);
  if (offset === body.length) throw new HecError(400, 5, 'No data');
  while (offset < body.length) {
    const end = objectEnd(body, offset);
    let event: unknown;
    try {
      if (end === -1) throw new Error('unterminated');
      event = JSON.parse(body.slice(offset, end));
    } catch {
      throw new PartialIndex(events, new HecError(400, 6, 'Invalid data format', events.length));
    }
    const problem = validate(event as Record<string, unknown>, token, isPoison);
    if (problem !== undefined) throw new PartialIndex(events, new HecError(400, problem[0], problem[1], events.length));
    events.push(event as Record<string, unknown>);
    offset = skipSpace(body, end);
  }
  return events;
}

function validate(event: Record<string, unknown>, token: HecToken, isPoison: HecServerOptions['isPoison']): [number, string] | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return [6, 'Invalid data format'];
  if (!('event' in event)) return [12, 'Event field is required'];
  const value = event.event;
  if (value === null || value === '' || (typeof value === 'object' && Object.keys(value).length === 0)) return [13, 'Event field cannot be blank'];
  if ('time' in event && (typeof event.time !== 'number' || !Number.isFinite(event.time))) return [15, 'Error in handling indexed fields'];
  if (typeof event.index === 'string' && token.indexes !== undefined && !token.indexes.includes(event.index)) return [7, 'Incorrect index'];
  if (isPoison?.(event) === true) return [6, 'Invalid data format'];
  return undefined;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
}

/** End (exclusive) of the JSON object starting at `start`, tracking strings and nesting; -1 if unterminated. */
function objectEnd(text: string, start: number): number {
  if (text[start] !== '{') return -1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function parseAckRequest(body: string): number[] {
  const parsed = JSON.parse(body) as { acks?: unknown };
  if (!Array.isArray(parsed.acks) || !parsed.acks.every((id) => Number.isInteger(id))) throw new HecError(400, 6, 'Invalid data format');
  return parsed.acks as number[];
}

/**
 * @module store/jetstream/delivery
 * The dispatcher's DeliveryStore on JetStream. Each sink has one durable
 * pull consumer shared by every receiver of the cluster; each receiver pulls
 * a few messages (batch chunks) at a time into a small local window, hands
 * their events to the unchanged sink worker (retry, backoff, Retry-After,
 * dead letters: delivery/sink-worker.ts) and acknowledges a message once
 * the worker settled all of its events. While a message is in the window,
 * the receiver tells JetStream it is still working on it; when the receiver
 * dies, that stops and after the consumer's ack wait JetStream hands the
 * message to another receiver (at least once: a message delivered but not yet
 * acknowledged is sent again).
 *
 * Positions: the worker wants increasing `seq`s per event. Each message
 * held gets a local record number, its events the positions of that record
 * (store/record-codec.ts); they are this receiver's own.
 */
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../../observability/logger.js';
import type { DeadLetterInput, DeliveryStore, PendingEvent } from '../types.js';
import { createRecordReader, recordEndPosition } from '../record-codec.js';
import { SINK_HEADER } from './admin.js';
import { SKIP_HEADER } from './commit.js';
import { consumerLag } from './connection.js';
import { DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT_PREFIX, EVENTS_STREAM, QUARANTINE_STREAM, sinkConsumerName } from './names.js';

export interface SinkWindowSettings {
  readonly ackWaitMs: number;
  /** Messages one receiver holds per sink at most (default 8). */
  readonly windowMessages?: number;
}

interface Held {
  msg: JsMsg;
  readonly streamSeq: number;
  readonly events: PendingEvent[];
  readonly lastSeq: number;
}

interface SinkWindow {
  readonly sink: string;
  readonly held: Held[];
  cursor: number;
  consumer: Consumer | undefined;
}

/** What the streams hold, refreshed every 2 s (store gauges: store/metrics.ts). */
export interface StreamGauges {
  /** Records (up to 1,000 lines each) not yet acknowledged by every sink. */
  readonly records: number;
  readonly bytes: number;
  readonly oldestAgeSeconds: number;
  readonly quarantine: number;
  readonly deadLetters: number;
}

export interface JetStreamDelivery extends DeliveryStore {
  start(): void;
  gauges(): { readonly streams: StreamGauges; readonly sinkOldestPendingAgeSeconds: Readonly<Record<string, number>> };
  /** Messages not yet acknowledged by every sink (from the last consumer info): for metrics. */
  depth(): number;
  stop(): Promise<void>;
}

const encoder = new TextEncoder();

export interface DeliveryDeps {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly sinks: readonly string[];
  readonly logger: Logger;
}

export function createJetStreamDelivery(deps: DeliveryDeps, settings: SinkWindowSettings): JetStreamDelivery {
  const windowMessages = settings.windowMessages ?? 8;
  const windows = new Map<string, SinkWindow>(deps.sinks.map((sink) => [sink, { sink, held: [], cursor: 0, consumer: undefined }]));
  const listeners = new Set<() => void>();
  const lag = new Map<string, number>();
  const oldestBySink = new Map<string, number>();
  let streamState: StreamGauges = { records: 0, bytes: 0, oldestAgeSeconds: 0, quarantine: 0, deadLetters: 0 };
  let nextRecord = 1;
  const reader = createRecordReader();
  let stopped = false;
  const loops: Promise<void>[] = [];
  const log = deps.logger;

  function decode(msg: JsMsg): { events: PendingEvent[]; lastSeq: number } {
    const seq = nextRecord++;
    const storedAtMs = Math.floor(msg.info.timestampNanos / 1e6);
    const skipText = msg.headers?.get(SKIP_HEADER) ?? '';
    const skip = skipText === '' ? [] : skipText.split(',').map(Number);
    return { events: reader.eventsOf({ seq, payload: msg.data, skip, storedAtMs }, -1), lastSeq: recordEndPosition(seq) };
  }

  function take(window: SinkWindow, msg: JsMsg): void {
    if (stopped) {
      msg.nak();
      return;
    }
    const known = window.held.find((h) => h.streamSeq === msg.seq);
    if (known !== undefined) {
      // Redelivered while still held here (a working() lost in a reconnect): answer on the new delivery.
      known.msg = msg;
      return;
    }
    const onlyFor = msg.headers?.get(SINK_HEADER) ?? '';
    if (onlyFor !== '' && onlyFor !== window.sink) {
      // Re-queued for another sink (dead-letter retry): not this one's.
      msg.ack();
      return;
    }
    let decoded: { events: PendingEvent[]; lastSeq: number };
    try {
      decoded = decode(msg);
    } catch (error) {
      // Never silently dropped: kept as a dead letter (base64), then acknowledged.
      const reason = `a stored record cannot be read: ${error instanceof Error ? error.message : String(error)}`;
      log.error({ sink: window.sink, streamSeq: msg.seq }, reason);
      void deadLetter(window.sink, [{ seq: 0, id: `stream-seq-${msg.seq}`, json: JSON.stringify({ record_base64: Buffer.from(msg.data).toString('base64') }), code: 'KAR_ERR_INTERNAL', reason }]).then(() => msg.ackAck());
      return;
    }
    if (decoded.events.length === 0) {
      msg.ack();
      return;
    }
    window.held.push({ msg, streamSeq: msg.seq, events: decoded.events, lastSeq: decoded.lastSeq });
    for (const listener of listeners) listener();
  }

  async function pull(window: SinkWindow): Promise<void> {
    let failures = 0;
    while (!stopped) {
      try {
        window.consumer ??= await deps.js.consumers.get(EVENTS_STREAM, sinkConsumerName(window.sink));
        const room = windowMessages - window.held.length;
        if (room <= 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        const messages = await window.consumer.fetch({ max_messages: room, expires: 2000 });
        for await (const msg of messages) take(window, msg);
        failures = 0;
      } catch (error) {
        failures++;
        if (failures === 1 || failures % 30 === 0) log.warn({ sink: window.sink, err: error instanceof Error ? error.message : String(error) }, 'cannot pull events from JetStream; retrying');
        window.consumer = undefined;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * failures)));
      }
    }
  }

  /** Keeps held messages from being redelivered to another receiver while this one works on them. */
  async function keepAlive(): Promise<void> {
    const period = Math.max(200, Math.floor(settings.ackWaitMs / 3));
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, period));
      for (const window of windows.values()) for (const held of window.held) held.msg.working();
    }
  }

  async function watchLag(): Promise<void> {
    while (!stopped) {
      for (const window of windows.values()) {
        try {
          const info = await deps.jsm.consumers.info(EVENTS_STREAM, sinkConsumerName(window.sink));
          const value = info.num_pending + info.num_ack_pending;
          lag.set(window.sink, value);
          consumerLag.set({ sink: window.sink }, value);
          // The oldest record this sink has not acknowledged is the one after its ack floor (still in the stream: interest retention).
          const oldest = value === 0 ? undefined : await deps.jsm.streams.getMessage(EVENTS_STREAM, { seq: info.ack_floor.stream_seq + 1 }).catch(() => null);
          oldestBySink.set(window.sink, oldest === undefined || oldest === null ? 0 : Math.max(0, (Date.now() - oldest.time.getTime()) / 1000));
        } catch {
          // Unreachable now: keep the last value; readiness says the rest.
        }
      }
      await refreshStreams().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  async function refreshStreams(): Promise<void> {
    const [events, quarantine, dead] = await Promise.all([EVENTS_STREAM, QUARANTINE_STREAM, DEAD_LETTER_STREAM].map((name) => deps.jsm.streams.info(name)));
    if (events === undefined || quarantine === undefined || dead === undefined) return;
    const first = events.state.messages === 0 ? undefined : Date.parse(events.state.first_ts);
    streamState = {
      records: events.state.messages,
      bytes: events.state.bytes,
      oldestAgeSeconds: first === undefined || Number.isNaN(first) ? 0 : Math.max(0, (Date.now() - first) / 1000),
      quarantine: quarantine.state.messages,
      deadLetters: dead.state.messages,
    };
  }

  async function deadLetter(sink: string, deadLetters: readonly DeadLetterInput[]): Promise<void> {
    await Promise.all(
      deadLetters.map((dead) =>
        deps.js.publish(`${DEAD_LETTER_SUBJECT_PREFIX}${sinkConsumerName(sink)}`, encoder.encode(JSON.stringify({ sink, id: dead.id, json: dead.json, code: dead.code, reason: dead.reason, at: new Date().toISOString() }))),
      ),
    );
  }

  async function settle(window: SinkWindow, done: Held[], deadLetters: readonly DeadLetterInput[]): Promise<void> {
    try {
      // Dead letters first: a message is acknowledged only once its refused events are kept.
      await deadLetter(window.sink, deadLetters);
      await Promise.all(done.map((held) => held.msg.ackAck()));
    } catch (error) {
      // Not acknowledged: JetStream sends the messages again after the ack wait (a duplicate, never a loss).
      log.warn({ sink: window.sink, err: error instanceof Error ? error.message : String(error) }, 'cannot acknowledge delivered events to JetStream; they will be delivered again');
    }
  }

  return {
    readPending(sink, limits) {
      const window = windows.get(sink);
      if (window === undefined) return [];
      const out: PendingEvent[] = [];
      let bytes = 0;
      for (const held of window.held) {
        for (const event of held.events) {
          if (event.seq <= window.cursor) continue;
          if (out.length > 0 && (bytes + event.bytes > limits.maxBytes || out.length >= limits.maxEvents)) return out;
          out.push(event);
          bytes += event.bytes;
        }
      }
      return out;
    },
    completeDelivery(sink, uptoSeq, deadLetters) {
      const window = windows.get(sink);
      if (window === undefined) return;
      window.cursor = Math.max(window.cursor, uptoSeq);
      const done: Held[] = [];
      while (window.held[0] !== undefined && window.held[0].lastSeq <= window.cursor) done.push(window.held.shift() as Held);
      void settle(window, done, deadLetters);
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      for (const window of windows.values()) loops.push(pull(window));
      loops.push(keepAlive(), watchLag());
    },
    gauges() {
      return { streams: streamState, sinkOldestPendingAgeSeconds: Object.fromEntries(oldestBySink) };
    },
    depth() {
      let max = 0;
      for (const value of lag.values()) max = Math.max(max, value);
      return max;
    },
    async stop() {
      stopped = true;
      // Held but unsettled messages go back to JetStream at once: another receiver delivers them without waiting for the ack wait.
      for (const window of windows.values()) for (const held of window.held.splice(0)) held.msg.nak();
      await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 3000))]);
    },
  };
}

/**
 * @module delivery/sink-worker
 * One sink's loop: read the events after its cursor, batch them by bytes
 * and age, write, and record the outcome durably. Each sink has its own
 * worker, so a sink that is down never holds the others back.
 *
 * A batch is held in memory until it is settled (delivered or dead-lettered),
 * across retries: records a failed write settled anyway (`settled`) are not
 * sent again. Only then does the cursor move. A crash before that resends the
 * batch: at least once, never lost.
 */
import type { ErrorCode } from '../errors/index.js';
import type { NormalizedEvent } from '../normalize/event.js';
import type { Logger } from '../observability/logger.js';
import type { Sink, SinkRecord, WriteOutcome } from '../sinks/types.js';
import type { DeadLetterInput, DeliveryStore, PendingEvent } from '../store/types.js';
import { retryDelayMs, type BackoffOptions } from './backoff.js';
import { deliveryMetrics } from './metrics.js';
import { createWakeable, sleep } from './waits.js';

export interface WorkerSettings {
  readonly store: DeliveryStore;
  readonly logger: Logger;
  readonly batchMaxAgeMs: number;
  readonly pollIntervalMs: number;
  readonly maxBatchEvents: number;
  readonly backoff: BackoffOptions;
  readonly maxRetryAfterMs: number;
  readonly random: () => number;
  readonly now: () => number;
  /** Aborted when stop() begins: no more waiting for batches to fill, no more retries. */
  readonly draining: AbortSignal;
  /** Aborted when the flush time is up: finish the write in flight, then stop. */
  readonly halted: AbortSignal;
}

export type WorkerState = 'starting' | 'idle' | 'batching' | 'writing' | 'backoff' | 'stopped';

export interface SinkWorkerStats {
  readonly name: string;
  readonly type: string;
  readonly state: WorkerState;
  readonly delivered: number;
  readonly deadLettered: number;
  readonly retries: number;
  readonly consecutiveFailures: number;
  readonly lastError?: { readonly code: ErrorCode; readonly reason: string; readonly atMs: number };
}

export interface SinkWorker {
  run(): Promise<void>;
  /** New events were committed. */
  wake(): void;
  stats(): SinkWorkerStats;
}

/** Reasons come from sinks and must hold no event data or secrets; bound them anyway. */
function short(reason: string): string {
  return reason.length > 300 ? `${reason.slice(0, 300)}...` : reason;
}

type Parsed = { readonly ok: true; readonly record: SinkRecord } | { readonly ok: false; readonly reason: string };

/** A sink that formats fields itself gets the event parsed now, so that a corrupt stored event is dead-lettered, not retried forever. */
function parsedRecord(event: PendingEvent): Parsed {
  if (event.event !== undefined) return { ok: true, record: { id: event.id, json: event.json, event: event.event } };
  try {
    return { ok: true, record: { id: event.id, json: event.json, event: JSON.parse(event.json) as NormalizedEvent } };
  } catch (error) {
    return { ok: false, reason: `the stored event is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The others send `json` as stored: parsing 1.6 KB per event for nothing was
 * 6% of the receiver's event loop (docs/BENCHMARKS.md). `event` stays
 * available, parsed on first access.
 */
class LazyRecord implements SinkRecord {
  #event: NormalizedEvent | undefined;
  constructor(
    readonly id: string,
    readonly json: string,
    event?: NormalizedEvent,
  ) {
    this.#event = event;
  }
  get event(): NormalizedEvent {
    this.#event ??= JSON.parse(this.json) as NormalizedEvent;
    return this.#event;
  }
}

export function createSinkWorker(sink: Sink, settings: WorkerSettings): SinkWorker {
  const { store, logger, draining, halted } = settings;
  const log = logger.child({ sink: sink.name, sinkType: sink.type });
  const wakeable = createWakeable();
  const labels = { sink: sink.name };
  let state: WorkerState = 'starting';
  let started = false;
  let delivered = 0;
  let deadLettered = 0;
  let retries = 0;
  let failures = 0;
  let lastError: SinkWorkerStats['lastError'];

  draining.addEventListener('abort', () => wakeable.wake(), { once: true });

  function fail(code: ErrorCode, reason: string, retryAfterMs?: number): number {
    failures++;
    retries++;
    lastError = { code, reason: short(reason), atMs: settings.now() };
    deliveryMetrics.retries.inc({ ...labels, code });
    deliveryMetrics.consecutiveFailures.set(labels, failures);
    return retryDelayMs(failures, settings.backoff, settings.random, retryAfterMs, settings.maxRetryAfterMs);
  }

  async function safeWrite(records: readonly SinkRecord[]): Promise<WriteOutcome> {
    const timer = deliveryMetrics.writeSeconds.startTimer({ sink: sink.name });
    let outcome: WriteOutcome;
    try {
      outcome = await sink.write(records);
    } catch (error) {
      // A sink must answer with an outcome; a throw is a bug in it. Retrying
      // is the choice that loses nothing.
      log.error({ err: error }, 'sink write threw instead of answering an outcome');
      outcome = { kind: 'retryable', code: 'KAR_ERR_INTERNAL', reason: error instanceof Error ? error.message : String(error) };
    }
    timer({ outcome: outcome.kind });
    return outcome;
  }

  /** Records the settled batch; store errors are retried (resending would only duplicate). */
  async function complete(uptoSeq: number, deadLetters: readonly DeadLetterInput[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        store.completeDelivery(sink.name, uptoSeq, deadLetters);
        return true;
      } catch (error) {
        const delay = retryDelayMs(attempt, settings.backoff, settings.random);
        log.error({ err: error, attempt, delayMs: delay }, 'cannot record delivery progress in the store; retrying');
        if (halted.aborted) return false;
        await sleep(delay, halted);
      }
    }
  }

  /** Writes one batch until it is settled; false when stopped first (the batch stays stored). */
  async function deliverBatch(events: readonly PendingEvent[]): Promise<boolean> {
    const deadLetters: DeadLetterInput[] = [];
    const records: SinkRecord[] = [];
    const sources: PendingEvent[] = [];
    for (const event of events) {
      const parsed: Parsed = sink.usesEvent === true ? parsedRecord(event) : { ok: true, record: new LazyRecord(event.id, event.json, event.event) };
      if (parsed.ok) {
        records.push(parsed.record);
        sources.push(event);
      } else {
        deadLetters.push({ seq: event.seq, id: event.id, json: event.json, code: 'KAR_ERR_INTERNAL', reason: parsed.reason });
        deliveryMetrics.deadLettered.inc({ ...labels, code: 'KAR_ERR_INTERNAL' });
      }
    }
    let remaining = records.map((_, i) => i);
    const deadLetter = (batchIndex: number, code: ErrorCode, reason: string): void => {
      const i = remaining[batchIndex];
      const source = i === undefined ? undefined : sources[i];
      if (i === undefined || source === undefined) return;
      deadLetters.push({ seq: source.seq, id: source.id, json: source.json, code, reason: short(reason) });
      deliveryMetrics.deadLettered.inc({ ...labels, code });
      deadLettered++;
    };

    while (remaining.length > 0) {
      state = 'writing';
      const outcome = await safeWrite(remaining.map((i) => records[i] as SinkRecord));
      if (outcome.kind === 'delivered') {
        const refused = uniqueIndices(outcome.rejected ?? [], remaining.length);
        for (const r of refused) deadLetter(r.index, 'KAR_ERR_SINK_REJECTED', r.reason);
        if (refused.length > 0) deliveryMetrics.rejected.inc({ ...labels, code: 'KAR_ERR_SINK_REJECTED' });
        delivered += remaining.length - refused.length;
        deliveryMetrics.delivered.inc(labels, remaining.length - refused.length);
        remaining = [];
        break;
      }
      if (outcome.kind === 'rejected') {
        log.error({ code: outcome.code, events: remaining.length }, `sink rejected the batch for good, dead-lettering it: ${short(outcome.reason)}`);
        deliveryMetrics.rejected.inc({ ...labels, code: outcome.code });
        remaining.forEach((_, batchIndex) => deadLetter(batchIndex, outcome.code, outcome.reason));
        remaining = [];
        break;
      }
      remaining = settle(outcome, remaining, deadLetter);
      if (remaining.length === 0) break;
      const delay = fail(outcome.code, outcome.reason, outcome.retryAfterMs);
      if (draining.aborted) {
        log.warn({ code: outcome.code, events: remaining.length }, `sink write failed while stopping; the events stay stored for the next start: ${short(outcome.reason)}`);
        return false;
      }
      log.warn({ code: outcome.code, attempt: failures, delayMs: delay, events: remaining.length }, `sink write failed, retrying: ${short(outcome.reason)}`);
      state = 'backoff';
      await sleep(delay, draining);
      if (halted.aborted) return false;
    }
    const last = events.at(-1);
    if (last === undefined || !(await complete(last.seq, deadLetters))) return false;
    if (failures > 0) log.info({ afterFailures: failures }, 'sink delivering again');
    failures = 0;
    deliveryMetrics.consecutiveFailures.set(labels, 0);
    return true;
  }

  function settle(outcome: Extract<WriteOutcome, { kind: 'retryable' }>, remaining: number[], deadLetter: (batchIndex: number, code: ErrorCode, reason: string) => void): number[] {
    if (outcome.settled === undefined) return remaining;
    const done = new Set<number>();
    for (const index of outcome.settled.delivered) {
      if (Number.isInteger(index) && index >= 0 && index < remaining.length && !done.has(index)) {
        done.add(index);
        delivered++;
        deliveryMetrics.delivered.inc(labels);
      }
    }
    const refused = uniqueIndices(outcome.settled.rejected, remaining.length).filter((r) => !done.has(r.index));
    for (const r of refused) {
      deadLetter(r.index, 'KAR_ERR_SINK_REJECTED', r.reason);
      done.add(r.index);
    }
    if (refused.length > 0) deliveryMetrics.rejected.inc({ ...labels, code: 'KAR_ERR_SINK_REJECTED' });
    return remaining.filter((_, batchIndex) => !done.has(batchIndex));
  }

  async function startSink(): Promise<void> {
    try {
      await sink.start();
      started = true;
      log.info('sink started');
    } catch (error) {
      const delay = fail('KAR_ERR_SINK_UNREACHABLE', error instanceof Error ? error.message : String(error));
      log.warn({ code: 'KAR_ERR_SINK_UNREACHABLE', attempt: failures, delayMs: delay }, `sink failed to start, retrying: ${lastError?.reason ?? ''}`);
      state = 'backoff';
      await sleep(delay, draining);
    }
  }

  async function step(): Promise<'continue' | 'done'> {
    if (!started) {
      if (draining.aborted) return 'done';
      await startSink();
      return 'continue';
    }
    let events: PendingEvent[];
    try {
      events = store.readPending(sink.name, { maxBytes: sink.maxBatchBytes, maxEvents: settings.maxBatchEvents });
    } catch (error) {
      log.error({ err: error }, 'cannot read pending events from the store');
      if (draining.aborted) return 'done';
      await sleep(retryDelayMs(failures + 1, settings.backoff, settings.random), draining);
      return 'continue';
    }
    const first = events[0];
    if (first === undefined) {
      if (draining.aborted) return 'done';
      state = 'idle';
      await wakeable.wait(settings.pollIntervalMs);
      return 'continue';
    }
    const bytes = events.reduce((sum, e) => sum + e.bytes, 0);
    const age = settings.now() - first.storedAtMs;
    const full = bytes >= sink.maxBatchBytes || events.length >= settings.maxBatchEvents;
    if (!full && age < settings.batchMaxAgeMs && !draining.aborted) {
      // Wait for the batch to fill up to its age limit. New commits do not
      // cut this short: re-reading on every commit would cost more than it
      // saves, and a backlog is always old enough to go at once.
      state = 'batching';
      await sleep(settings.batchMaxAgeMs - age, draining);
      return 'continue';
    }
    return (await deliverBatch(events)) ? 'continue' : 'done';
  }

  return {
    async run() {
      try {
        while (!halted.aborted && (await step()) === 'continue');
      } finally {
        state = 'stopped';
      }
    },
    wake: () => wakeable.wake(),
    stats() {
      const base = { name: sink.name, type: sink.type, state, delivered, deadLettered, retries, consecutiveFailures: failures };
      return lastError === undefined ? base : { ...base, lastError };
    },
  };
}

/** Valid, distinct indices of a batch of `length` records (a sink's list is not trusted blindly). */
function uniqueIndices(list: readonly { readonly index: number; readonly reason: string }[], length: number): { index: number; reason: string }[] {
  const seen = new Set<number>();
  const out: { index: number; reason: string }[] = [];
  for (const r of list) {
    if (!Number.isInteger(r.index) || r.index < 0 || r.index >= length || seen.has(r.index)) continue;
    seen.add(r.index);
    out.push({ index: r.index, reason: r.reason });
  }
  return out;
}

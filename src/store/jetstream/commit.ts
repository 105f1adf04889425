/**
 * @module store/jetstream/commit
 * `commitBatch` on JetStream (SPEC 10): claim each line's dedup key in the
 * shared index, then publish each record (store/types.ts: the lines as
 * received plus verdicts, opaque here) with the indices of its duplicate
 * lines, and the batch's quarantine; resolve only when JetStream acknowledged
 * every message: that acknowledgement, by a quorum of the stream's replicas,
 * is what the receiver's 200 means in cluster mode.
 *
 * A claim is a message on the key's own subject whose body is the claiming
 * batch's key; the stream keeps one message per subject and refuses a second
 * (discard new per subject), so the first receiver to claim a key wins,
 * whichever receiver it is. A claim refused because the key is taken is a
 * duplicate, except when the taker is this very batch (the same batch
 * retried after a failure between claims and publish, or stored by two
 * receivers at once): then the line is stored again under the same message
 * id, which the events stream's duplicate window turns into one copy.
 */
import { headers } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { KarError, isKarError } from '../../errors/index.js';
import { DEDUP_KEY_BYTES, type BatchSummary, type IncomingBatch, type QuarantineRecord, type RecordToStore } from '../types.js';
import type { Claimer } from './claimer.js';
import { publishSeconds } from './connection.js';
import { batchKey, EVENTS_SUBJECT, IDS_STREAM, keySubject, QUARANTINE_SUBJECT } from './names.js';
import { splitRecord } from './split-record.js';

/** The header listing a stored record's duplicate lines (comma-separated indices). */
export const SKIP_HEADER = 'Kar-Skip';

export interface CommitDeps {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** The server's max_payload: a record larger than this cannot be stored. */
  readonly maxPayload: number;
  /** The cheap publish path for claims (claimer.ts); `js.publish` without it. */
  readonly claimer?: Claimer;
  readonly onFailure: (reason: string) => void;
}

const encoder = new TextEncoder();

/** JetStream's error code for "maximum messages per subject exceeded" (the key is already claimed). */
const PER_SUBJECT_LIMIT = 10077;
/** Stream full (max_bytes with discard new), or the server's storage limits. */
const FULL_CODES = new Set([10047, 10054, 10028]);

export function apiCode(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof (error as { code: unknown }).code === 'number') return (error as { code: number }).code;
  return undefined;
}

function toStoreError(error: unknown, action: string): KarError {
  if (isKarError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = apiCode(error);
  if ((code !== undefined && FULL_CODES.has(code)) || /maximum bytes|insufficient resources/i.test(message)) {
    return new KarError('KAR_ERR_STORE_FULL', `cannot ${action}: the JetStream stream is full (${message})`, { cause: error });
  }
  return new KarError('KAR_ERR_STORE_UNAVAILABLE', `cannot ${action}: ${message}`, { cause: error });
}

/** A line's claim: fresh (this call made it: `seq` in the ids stream), this batch's own earlier claim, or another batch's. */
type Claim = { readonly fresh: true; readonly seq: number } | { readonly fresh: false; readonly own: boolean };

async function claim(deps: CommitDeps, subject: string, key: Uint8Array, keyText: string): Promise<Claim> {
  try {
    const seq = deps.claimer === undefined ? (await deps.js.publish(subject, key)).seq : await deps.claimer.publish(subject, key);
    return { fresh: true, seq };
  } catch (error) {
    if (apiCode(error) !== PER_SUBJECT_LIMIT) throw error;
  }
  // Taken: by this batch (keep the line; the events stream dedups the copy) or by another (a duplicate).
  const existing = await deps.jsm.streams.getMessage(IDS_STREAM, { last_by_subj: subject });
  return { fresh: false, own: existing !== null && existing.string() === keyText };
}

/**
 * The batch could not be stored after its claims were made: take them back,
 * so that a later copy of these lines in another batch (a replay) is not
 * counted as a duplicate of events that were never stored. Best effort: a
 * failure here (no quorum) leaves the claims to the same batch's retry,
 * which finds them its own.
 */
async function releaseClaims(deps: CommitDeps, claims: readonly (readonly Claim[])[]): Promise<void> {
  const seqs = claims.flat().flatMap((c) => (c.fresh ? [c.seq] : []));
  await Promise.allSettled(seqs.map((seq) => deps.jsm.streams.deleteMessage(IDS_STREAM, seq, false)));
}

export async function commitBatch(deps: CommitDeps, batch: IncomingBatch): Promise<BatchSummary> {
  const timer = publishSeconds.startTimer();
  try {
    const summary = await publishBatch(deps, batch);
    timer({ outcome: 'stored' });
    return summary;
  } catch (error) {
    timer({ outcome: 'failed' });
    const storeError = toStoreError(error, 'store the batch in JetStream');
    if (storeError.code === 'KAR_ERR_STORE_UNAVAILABLE') deps.onFailure(storeError.message);
    throw storeError;
  }
}

function lineCount(record: RecordToStore): number {
  return Math.floor(record.keys.length / DEDUP_KEY_BYTES);
}

async function publishBatch(deps: CommitDeps, batch: IncomingBatch): Promise<BatchSummary> {
  // Headers and protocol overhead take part of a message: keep 4 KiB for them.
  const records = batch.records.flatMap((record) => splitRecord(record, deps.maxPayload - 4096));
  const keyText = batchKey(records.map((record) => record.keys));
  const key = encoder.encode(keyText);
  const settled = await Promise.all(
    records.map((record) => Promise.allSettled(Array.from({ length: lineCount(record) }, (_, line) => claim(deps, keySubject(record.keys, line), key, keyText)))),
  );
  const made = settled.map((lines) => lines.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  const failed = settled.flat().find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await releaseClaims(deps, made);
    throw failed.reason;
  }
  const claims = made.map((lines) => lines.map((c) => c.fresh || c.own));
  let accepted = 0;
  let duplicates = batch.duplicates;
  const publishes: Promise<unknown>[] = [];
  for (const [n, record] of records.entries()) {
    const owned = claims[n] ?? [];
    const skip = owned.flatMap((fresh, line) => (fresh ? [] : [line]));
    accepted += owned.length - skip.length;
    duplicates += skip.length;
    if (skip.length === owned.length) continue;
    const h = headers();
    if (skip.length > 0) h.set(SKIP_HEADER, skip.join(','));
    publishes.push(deps.js.publish(EVENTS_SUBJECT, record.payload, { msgID: `${keyText}-${n}`, headers: h }));
  }
  for (const [n, record] of batch.quarantine.entries()) {
    publishes.push(deps.js.publish(QUARANTINE_SUBJECT, encoder.encode(JSON.stringify({ ...(record satisfies QuarantineRecord), receivedAt: batch.receivedAt })), { msgID: `${keyText}-q${n}-${record.id.slice(0, 24)}` }));
  }
  try {
    await Promise.all(publishes);
  } catch (error) {
    await releaseClaims(deps, made);
    throw error;
  }
  const rejected = batch.quarantine.filter((record) => record.kind === 'rejected').length;
  return { accepted, duplicates, quarantined: batch.quarantine.length - rejected, rejected };
}

/**
 * @module demo/run-demo
 * The whole path on loopback, offline: a receiver started in-process (TLS,
 * the generated JWKS, a file sink, a data dir in the demo directory), then
 * Konnect played with the sender core: CEF and JSON batches, gzip labelled
 * `application/gzip`, a few tampered lines, one replayed batch. Resolves once
 * the file sink holds every accepted event and the receiver has shut down.
 */
import { loadReceiverConfig, parseServeFlags } from '../config/index.js';
import { KarError } from '../errors/index.js';
import { startReceiver } from '../intake/run-receiver.js';
import { createSilentLogger, type Logger } from '../observability/logger.js';
import { buildBatches, createTarget, generateSignedLines, postBatch, totalsOf, type Batch, type BatchResult, type SendTotals } from '../sender/index.js';
import { prepareDemo, type DemoPaths } from './prepare.js';
import { waitForLines } from './wait-for-lines.js';

/** What the demo plays: enough to show every outcome, small enough to finish in a second or two. */
export const demoPlays = [
  { format: 'cef', count: 60, batchSize: 20, tamper: 2, seed: 1 },
  { format: 'json', count: 40, batchSize: 20, tamper: 1, seed: 2 },
] as const;

/** How long delivery to the file sink may take before the demo calls it a failure. */
const DELIVERY_TIMEOUT_MS = 15_000;

export interface DemoSend {
  readonly format: 'cef' | 'json';
  /** A replay of an earlier batch (a Konnect replay job re-sends what it sent). */
  readonly replay: boolean;
  /** For a replay: the index of the batch it re-sends. */
  readonly replayOf?: number;
  readonly result: BatchResult;
}

export interface DemoReport {
  readonly url: string;
  readonly kid: string;
  readonly paths: DemoPaths;
  readonly sends: readonly DemoSend[];
  readonly totals: SendTotals;
  /** The NDJSON lines the file sink wrote. */
  readonly events: readonly string[];
}

export interface RunDemoOptions {
  readonly dir: string;
  readonly logger?: Logger;
}

export async function runDemo(options: RunDemoOptions): Promise<DemoReport> {
  const logger = options.logger ?? createSilentLogger();
  const material = await prepareDemo(options.dir);
  const { paths } = material;
  const flags = parseServeFlags([
    '--host', '127.0.0.1',
    '--port', '0',
    '--tls-cert', paths.cert,
    '--tls-key', paths.certKey,
    '--jwks', paths.jwks,
    '--data-dir', paths.dataDir,
    '--sink', `file:${paths.events}`,
  ]);
  // An environment of its own: the demo must not pick up a KONNECT_AUDIT_* of the user's shell.
  const { config } = await loadReceiverConfig({ flags, env: { KONNECT_AUDIT_AUTHORIZATION: material.authorization }, cwd: paths.dir });
  const receiver = await startReceiver(config, { logger });
  const target = createTarget({ url: receiver.url, authorization: material.authorization, ca: material.certificate.cert });
  try {
    const sends: DemoSend[] = [];
    let firstBatch: { format: 'cef' | 'json'; batch: Batch; index: number } | undefined;
    for (const play of demoPlays) {
      // Lines are at most 900 ms apart (testing/konnect-lines): starting this far back keeps every event in the past.
      const startMs = Date.now() - play.count * 900;
      const lines = generateSignedLines({ format: play.format, count: play.count, seed: play.seed, key: material.keyPair.privateKey, startMs });
      for (const batch of buildBatches({ lines, batchSize: play.batchSize, tamper: play.tamper })) {
        firstBatch ??= { format: play.format, batch, index: sends.length };
        sends.push({ format: play.format, replay: false, result: await postBatch(withIndex(batch, sends.length), target) });
      }
    }
    if (firstBatch !== undefined) {
      sends.push({ format: firstBatch.format, replay: true, replayOf: firstBatch.index, result: await postBatch(withIndex(firstBatch.batch, sends.length), target) });
    }
    const refused = sends.find((send) => !send.result.accepted);
    if (refused !== undefined) {
      const r = refused.result;
      throw new KarError('KAR_ERR_INTERNAL', `the receiver did not accept batch ${r.index + 1}: ${r.status ?? r.error ?? 'no answer'}${r.answer ? ` ${r.answer}` : ''}`);
    }
    const totals = totalsOf(sends.map((send) => send.result));
    const events = await waitForLines(paths.events, totals.accepted, DELIVERY_TIMEOUT_MS);
    if (events === undefined) {
      throw new KarError('KAR_ERR_INTERNAL', `the file sink did not receive the ${totals.accepted} accepted events within ${DELIVERY_TIMEOUT_MS / 1000} s (${paths.events})`);
    }
    return { url: receiver.url, kid: material.keyPair.kid, paths, sends, totals, events };
  } finally {
    target.close();
    await receiver.close();
  }
}

/** The same body under its position in the demo's run (for the per-batch lines). */
function withIndex(batch: Batch, index: number): Batch {
  return { ...batch, index };
}

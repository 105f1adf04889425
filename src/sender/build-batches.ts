/**
 * @module sender/build-batches
 * Lines → the request bodies Konnect would send: `batchSize` lines per batch,
 * one per `\n`-terminated line, gzip-compressed (Konnect compresses every
 * batch and labels it `Content-Encoding: application/gzip`, SPEC 2). All
 * bodies are built up front so that a benchmark measures the receiver, not
 * gzip on the sending side.
 */
import { gzipSync } from 'node:zlib';
import { KarError } from '../errors/index.js';
import { tamperIndexes, tamperLine } from './tamper.js';

export interface Batch {
  /** 0-based position in the run. */
  readonly index: number;
  /** The lines, as sent (tampered ones included), without `\n`. */
  readonly lines: readonly string[];
  /** How many of `lines` were tampered with after signing. */
  readonly tampered: number;
  /** The gzip body, ready to POST. */
  readonly body: Buffer;
  /** Size of the body before compression. */
  readonly inflatedBytes: number;
}

export interface BuildBatchesOptions {
  readonly lines: readonly string[];
  readonly batchSize: number;
  /** Lines (spread over the whole run) to alter so they fail verification. */
  readonly tamper?: number;
}

export function buildBatches(options: BuildBatchesOptions): Batch[] {
  const { lines, batchSize } = options;
  const tamper = options.tamper ?? 0;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new KarError('KAR_ERR_USAGE', `the batch size must be an integer >= 1 (got ${batchSize})`);
  if (!Number.isInteger(tamper) || tamper < 0 || tamper > lines.length) {
    throw new KarError('KAR_ERR_USAGE', `--tamper must be an integer between 0 and the number of lines (${lines.length}), got ${tamper}`);
  }
  const toTamper = new Set(tamperIndexes(lines.length, tamper));
  const batches: Batch[] = [];
  for (let from = 0; from < lines.length; from += batchSize) {
    const chunk: string[] = [];
    let tampered = 0;
    for (let i = from; i < Math.min(from + batchSize, lines.length); i++) {
      const line = lines[i] as string;
      if (toTamper.has(i)) {
        chunk.push(tamperLine(line));
        tampered++;
      } else {
        chunk.push(line);
      }
    }
    batches.push(encodeBatch(batches.length, chunk, tampered));
  }
  return batches;
}

/** One batch body: the lines, each `\n`-terminated, gzip-compressed. */
export function encodeBatch(index: number, lines: readonly string[], tampered = 0): Batch {
  const text = Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
  return { index, lines, tampered, body: gzipSync(text), inflatedBytes: text.length };
}

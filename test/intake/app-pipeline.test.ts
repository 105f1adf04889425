/**
 * The app with the real pipeline (parser, verifier over the fixture JWKS,
 * normalizer) and an in-memory store: what line-level quirks do to a batch.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLineParser } from '../../src/lines/parse-line.js';
import { processBatch, type PipelineDeps } from '../../src/pipeline.js';
import { eventsOfRecords } from '../../src/store/record-codec.js';
import type { BatchSummary, IncomingBatch } from '../../src/store/types.js';
import { fixtureKeyFiles, loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { createKeySet, createLineVerifier, type KeySet } from '../../src/verify/index.js';
import { konnectRequest, makeApp } from './helpers.js';

/** Counts like the real store (no dedup needed here: every line is distinct). */
function memoryStore(): { commitBatch(batch: IncomingBatch): Promise<BatchSummary>; batches: IncomingBatch[] } {
  const batches: IncomingBatch[] = [];
  return {
    batches,
    async commitBatch(batch) {
      batches.push(batch);
      return {
        accepted: eventsOfRecords(batch.records).length,
        duplicates: batch.duplicates,
        quarantined: batch.quarantine.filter((q) => q.kind === 'quarantined').length,
        rejected: batch.quarantine.filter((q) => q.kind === 'rejected').length,
      };
    },
  };
}

const primary = loadTestKey('primary');
const [a, b, c] = makeSignedKonnectLines({ format: 'cef', count: 3, seed: 5, key: primary.privateKey }) as [string, string, string];

describe('POST with the real pipeline', () => {
  let keySet: KeySet;
  beforeAll(async () => {
    keySet = createKeySet({ source: fixtureKeyFiles.jwks });
    await keySet.start();
  });
  afterAll(async () => {
    await keySet.close();
  });

  function appWith(store = memoryStore(), maxLineBytes = 256 * 1024) {
    const deps: PipelineDeps = {
      lineParser: createLineParser({ maxLineBytes }),
      verifier: createLineVerifier({ keySet }),
      store,
      policy: 'quarantine',
      now: () => new Date('2025-06-23T15:00:00Z'),
    };
    return { ...makeApp({ processBatch: (body) => processBatch(body, deps), keysReady: () => keySet.isReady() }), store };
  }

  it.each([
    ['\\n lines', `${a}\n${b}\n${c}\n`],
    ['\\r\\n lines', `${a}\r\n${b}\r\n${c}\r\n`],
    ['no final newline', `${a}\n${b}\n${c}`],
    ['blank lines between and around', `\n${a}\n\n${b}\n   \n${c}\n\n`],
  ])('%s: three accepted, signatures valid', async (_quirk, text) => {
    const { app, store } = appWith();
    const res = await app.request('/audit-logs', konnectRequest(gzipSync(Buffer.from(text))));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, quarantined: 0, rejected: 0 });
    expect(eventsOfRecords(store.batches[0]?.records ?? []).map((e) => e.event?.signature.status)).toEqual(['valid', 'valid', 'valid']);
  });

  it.each([
    ['garbage line', 'hello world', 'rejected'],
    ['truncated CEF header', 'CEF:0|KongInc|Konnect', 'rejected'],
    ['broken JSON', '{"rt":1,', 'rejected'],
    ['not UTF-8', '\u0000\u00ff', 'rejected'],
    ['tampered signed line', a.replace('rt=', 'rt=9'), 'quarantined'],
  ])('one bad line (%s) does not fail the batch', async (_quirk, bad, kind) => {
    const { app } = appWith();
    const body = Buffer.concat([Buffer.from(`${b}\n`), bad === '\u0000\u00ff' ? Buffer.from([0xff, 0xfe, 0x0a]) : Buffer.from(`${bad}\n`), Buffer.from(`${c}\n`)]);
    const res = await app.request('/audit-logs', konnectRequest(gzipSync(body)));
    expect(res.status).toBe(200);
    const summary = (await res.json()) as BatchSummary;
    expect(summary.accepted).toBe(2);
    expect(kind === 'rejected' ? summary.rejected : summary.quarantined).toBe(1);
  });

  it('a line over the line-length cap is rejected, the rest of the batch stored', async () => {
    const { app, store } = appWith(memoryStore(), 1024);
    const long = `CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|msg=${'x'.repeat(2000)}`;
    const res = await app.request('/audit-logs', konnectRequest(gzipSync(Buffer.from(`${a}\n${long}\n${b}\n`))));
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, quarantined: 0, rejected: 1 });
    expect(store.batches[0]?.quarantine[0]?.code).toBe('KAR_ERR_LINE_TOO_LONG');
  });

  it('an empty body is an empty batch, stored as such', async () => {
    const { app } = appWith();
    const res = await app.request('/audit-logs', konnectRequest(gzipSync(Buffer.alloc(0))));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 0, quarantined: 0, rejected: 0 });
  });
});

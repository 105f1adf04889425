/**
 * The bench harness works (nothing here is timed): signed bodies are right
 * and never repeat, the ceiling verifies what the receiver verifies, the
 * receiver process starts and the load driver counts what it answers.
 * Spawns `dist/cli/bin.js`: run `npx tsc -p tsconfig.build.json` first
 * (`npm test` does).
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureCryptoVerifyBaseline, measureVerifyCeiling, verifyItemsOf } from '../../bench/support/ceiling.js';
import { createBodyCursor, runLoad } from '../../bench/support/load.js';
import { parsePerfScript, perfAreaOf, summarizePerf } from '../../bench/support/perf-profile.js';
import { areaOf, summarizeProfile } from '../../bench/support/profile-summary.js';
import { createBenchEnvironment, parseMetrics, startReceiverProcess, type BenchEnvironment } from '../../bench/support/receiver-process.js';
import { buildBodyPool, createLineSource, signCefLinesAsync } from '../../bench/support/signed-bodies.js';
import { percentile, round } from '../../bench/support/stats.js';
import { makeKonnectLines, signCefLine } from '../../src/testing/index.js';
import { generateKeyPair } from '../../src/verify/index.js';

const pair = generateKeyPair();

describe('signed bodies', () => {
  it('signs on the pool exactly as testing/signCefLine does', async () => {
    const unsigned = makeKonnectLines({ format: 'cef', count: 40, seed: 7 });
    expect(await signCefLinesAsync(unsigned, pair.privateKey)).toEqual(unsigned.map((line) => signCefLine(line, pair.privateKey)));
  });

  it('never repeats a line across calls of one source', async () => {
    const source = createLineSource(pair.privateKey);
    const lines = [...(await source.next(300)), ...(await source.next(300))];
    expect(new Set(lines).size).toBe(600);
    expect(source.issued).toBe(600);
  });

  it('builds gzip bodies of batchSize lines, all distinct', async () => {
    const pool = await buildBodyPool(createLineSource(pair.privateKey), 5, 10);
    const texts = pool.bodies.map((body) => gunzipSync(body).toString('utf8'));
    expect(texts.map((t) => t.split('\n').filter((l) => l !== '').length)).toEqual([10, 10, 10, 10, 10]);
    expect(texts.every((t) => t.endsWith('\n'))).toBe(true);
    expect(new Set(texts).size).toBe(5);
  });
});

describe.each([
  ['the libsodium ceiling (one worker per core)', measureVerifyCeiling],
  ['the crypto.verify baseline (libuv pool)', measureCryptoVerifyBaseline],
])('verify ceiling: %s', (_name, measure) => {
  it('verifies every line of the pool with the public key', async () => {
    const lines = await createLineSource(pair.privateKey).next(50);
    const result = await measure(verifyItemsOf(lines), pair.publicKey, 50);
    expect(result.failures).toBe(0);
    expect(result.lines).toBeGreaterThanOrEqual(64);
  });

  it('counts lines signed by another key as failures', async () => {
    const other = generateKeyPair();
    const lines = await createLineSource(other.privateKey).next(10);
    const result = await measure(verifyItemsOf(lines), pair.publicKey, 10);
    expect(result.lines).toBeGreaterThan(0);
    expect(result.failures).toBe(result.lines);
  });
});

describe('stats', () => {
  it.each([
    ['median of odd count', [1, 2, 3], 0.5, 2],
    ['p99 of 100 values is the 99th', Array.from({ length: 100 }, (_, i) => i + 1), 0.99, 99],
    ['max', [1, 5, 9], 1, 9],
    ['empty', [], 0.5, Number.NaN],
  ])('percentile: %s', (_quirk, values, q, expected) => {
    expect(percentile(values, q)).toEqual(expected);
  });

  it.each([
    [12345.6, 12346],
    [3.14159, 3.14],
    [0.000123456, 0.000123],
  ])('round(%d)', (value, expected) => {
    expect(round(value)).toBe(expected);
  });
});

describe('parseMetrics', () => {
  it('reads counters with and without labels, skipping comments', () => {
    const text = '# HELP x y\n# TYPE x counter\nx_total 3\ny_total{result="committed"} 5\n\n';
    expect([...parseMetrics(text)]).toEqual([
      ['x_total', 3],
      ['y_total{result="committed"}', 5],
    ]);
  });
});

describe('profile summary', () => {
  it.each([
    ['/opt/konnect-audit/dist/store/dedup.js', 'claim', 'src/store'],
    ['file:///x/node_modules/better-sqlite3/lib/methods/transaction.js', 'f', 'node_modules/better-sqlite3'],
    ['file:///x/node_modules/@hono/node-server/dist/index.mjs', 'f', 'node_modules/@hono/node-server'],
    ['node:internal/crypto/sig', 'verifyOneShot', 'node:internal/crypto/sig'],
    ['', '(garbage collector)', '(garbage collector)'],
  ])('area of %s', (url, fn, area) => {
    expect(areaOf(url, fn)).toBe(area);
  });

  it('adds self time by function and area', () => {
    const node = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 0 } });
    const summary = summarizeProfile({ nodes: [node(1, '(root)', ''), node(2, 'claim', '/a/dist/store/dedup.js'), node(3, '(idle)', '')], samples: [2, 2, 3], timeDeltas: [1000, 1000, 3000] });
    expect(summary.totalMs).toBe(5);
    expect(summary.byArea).toEqual([
      { area: '(idle)', ms: 3, share: 0.6 },
      { area: 'src/store', ms: 2, share: 0.4 },
    ]);
  });
});

describe('receiver process and load driver', () => {
  let env: BenchEnvironment;
  beforeAll(async () => {
    env = await createBenchEnvironment();
  });
  afterAll(async () => {
    await env.remove();
  });

  it('posts every body once, counts the summaries and stops when the pool runs out', async () => {
    const receiver = await startReceiverProcess(env, { name: 'smoke' });
    try {
      const pool = await buildBodyPool(createLineSource(env.keyPair.privateKey), 6, 20);
      const result = await runLoad({
        url: receiver.url,
        authorization: env.authorization,
        bodies: createBodyCursor(pool.bodies),
        shape: { kind: 'closed', connections: 2 },
        durationMs: 60_000,
      });
      expect(result.exhausted).toBe(true);
      expect(result.statusCodes).toEqual({ 200: 6 });
      expect(result.summary).toEqual({ accepted: 120, duplicates: 0, quarantined: 0, rejected: 0 });
      expect(await receiver.peakRssBytes()).toBeGreaterThan(0);
      expect(await receiver.cpuSeconds()).toBeGreaterThan(0);
      const metrics = await receiver.metrics();
      expect(metrics.get('konnect_audit_store_commit_batches_total{result="committed"}')).toBe(6);
      expect(metrics.get('konnect_audit_store_commit_transactions_total')).toBeLessThanOrEqual(6);
    } finally {
      expect(await receiver.stop()).toBe(0);
    }
  });
});

describe('perf profile', () => {
  it.each([
    [['sqlite3VdbeExec (/x/better_sqlite3.node)', 'JS:*claim file:///w/dist/store/dedup.js:28:9 (/tmp/perf-1.map)'], 'src/store'],
    [['Builtins_LoadIC (/usr/bin/node)', 'JS:*fetch file:///w/node_modules/@hono/node-server/dist/index.mjs:1:2 (/tmp/perf-1.map)'], 'node_modules/@hono/node-server'],
    [['JS:*emit node:events:471:1 (/tmp/perf-1.map)'], 'node:events'],
    [['_int_malloc (/usr/lib/libc.so.6)', 'start_thread (/usr/lib/libc.so.6)'], '(_int_malloc)'],
  ])('area of a stack: %j', (frames, area) => {
    expect(perfAreaOf(frames)).toBe(area);
  });

  it('splits samples by thread and area', () => {
    const text = '10 \n\t  1 JS:*a file:///w/dist/store/x.js:1:1 (/tmp/m)\n\n10 \n\t  2 JS:*b file:///w/dist/cef/y.js:1:1 (/tmp/m)\n\n11 \n\t  3 verify (/usr/bin/node)\n';
    const summary = summarizePerf(parsePerfScript(text), 10);
    expect(summary.eventLoopShare).toBeCloseTo(2 / 3);
    expect(summary.byArea).toEqual([
      { area: 'src/store', share: 0.5 },
      { area: 'src/cef', share: 0.5 },
    ]);
  });
});

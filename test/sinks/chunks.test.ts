import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chunkBySize, sendChunks } from '../../src/sinks/chunks.js';
import type { WriteOutcome } from '../../src/sinks/types.js';

describe('chunkBySize', () => {
  it.each([
    ['everything fits', [10, 10, 10], 100, [[0, 3]]],
    ['exact fit stays together', [50, 50], 100, [[0, 2]]],
    ['one byte over splits', [50, 51], 100, [[0, 1], [1, 2]]],
    ['an oversized record is a chunk of its own', [10, 500, 10], 100, [[0, 1], [1, 2], [2, 3]]],
    ['empty batch, no chunks', [], 100, []],
  ])('%s', (_quirk, sizes, max, expected) => {
    expect(chunkBySize(sizes, max).map((c) => [c.start, c.end])).toEqual(expected);
  });

  it('covers every record once, in order, and keeps multi-record chunks within the limit (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 60 }), fc.integer({ min: 1, max: 400 }), (sizes, max) => {
        const chunks = chunkBySize(sizes, max);
        let next = 0;
        for (const chunk of chunks) {
          expect(chunk.start).toBe(next);
          expect(chunk.end).toBeGreaterThan(chunk.start);
          const bytes = sizes.slice(chunk.start, chunk.end).reduce((a, b) => a + b, 0);
          if (chunk.end - chunk.start > 1) expect(bytes).toBeLessThanOrEqual(max);
          next = chunk.end;
        }
        expect(next).toBe(sizes.length);
      }),
    );
  });
});

describe('sendChunks', () => {
  const chunks = [
    { start: 0, end: 2 },
    { start: 2, end: 4 },
    { start: 4, end: 5 },
  ];
  const run = (answers: WriteOutcome[]) => {
    let i = 0;
    return sendChunks(chunks, () => Promise.resolve(answers[i++] ?? { kind: 'delivered' }));
  };

  it.each<[string, WriteOutcome[], WriteOutcome]>([
    ['all delivered', [], { kind: 'delivered' }],
    [
      'a rejected chunk is recorded and the next chunks still go',
      [{ kind: 'delivered' }, { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED', reason: 'HTTP 400' }],
      { kind: 'delivered', rejected: [{ index: 2, reason: 'HTTP 400' }, { index: 3, reason: 'HTTP 400' }] },
    ],
    [
      'a retryable chunk stops the write and reports what was settled',
      [{ kind: 'delivered' }, { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', reason: 'HTTP 429', retryAfterMs: 5000 }],
      { kind: 'retryable', code: 'KAR_ERR_SINK_THROTTLED', reason: 'HTTP 429', retryAfterMs: 5000, settled: { delivered: [0, 1], rejected: [] } },
    ],
    [
      'a retryable first chunk settles nothing',
      [{ kind: 'retryable', code: 'KAR_ERR_SINK_SERVER', reason: 'HTTP 500' }],
      { kind: 'retryable', code: 'KAR_ERR_SINK_SERVER', reason: 'HTTP 500' },
    ],
    [
      'every chunk rejected is a rejected write',
      Array(3).fill({ kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED', reason: 'HTTP 413' }),
      { kind: 'rejected', code: 'KAR_ERR_SINK_REJECTED', reason: 'HTTP 413' },
    ],
  ])('%s', async (_quirk, answers, expected) => {
    expect(await run(answers)).toEqual(expected);
  });
});

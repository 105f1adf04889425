import { describe, expect, it } from 'vitest';
import { readRawLines } from '../../src/audit/read-raw.js';
import { chunksOf, collect, poolFor } from './helpers.js';

describe('readRawLines', () => {
  it.each([1, 2, 3, 7, 64, 4096])('numbers lines from 1 in their file whatever the chunk size (%i bytes)', async (size) => {
    const text = 'one\r\ntwo\n\n  \nfive\nsix';
    expect(await collect(readRawLines('f', chunksOf(text, size), 100, poolFor(100)))).toEqual([
      { line: 1, text: 'one' },
      { line: 2, text: 'two' },
      { line: 5, text: 'five' },
      { line: 6, text: 'six' },
    ]);
  });

  it.each([
    ['a long line inside one chunk', 4096],
    ['a long line spread over many chunks', 3],
  ])('reports %s as too long, in place, and goes on', async (_name, size) => {
    const text = `ok\n${'x'.repeat(50)}\nafter\n`;
    expect(await collect(readRawLines('f', chunksOf(text, size), 20, poolFor(20)))).toEqual([
      { line: 1, text: 'ok' },
      { line: 2, problem: 'KAR_ERR_LINE_TOO_LONG' },
      { line: 3, text: 'after' },
    ]);
  });

  it('never holds more than its pool buffers, even for a line that never ends (bounded memory)', async () => {
    const pool = poolFor(5000);
    let acquired = 0;
    const counting = { size: pool.size, acquire: () => (acquired++, pool.acquire()), release: (b: Buffer) => pool.release(b) };
    const records = await collect(readRawLines('f', chunksOf(`${'y'.repeat(10_000_000)}\nlast\n`, 65_536), 5000, counting));
    expect(records).toEqual([
      { line: 1, problem: 'KAR_ERR_LINE_TOO_LONG' },
      { line: 2, text: 'last' },
    ]);
    expect(acquired).toBeLessThanOrEqual(2);
  });

  it('hands over batches of about FLUSH_BYTES, every line kept whole across them', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);
    const batches: number[] = [];
    const texts: string[] = [];
    for await (const batch of readRawLines('f', chunksOf(`${lines.join('\n')}\n`, 10_000), 1000, poolFor(1000))) {
      batches.push(batch.starts.length);
      batch.starts.forEach((s, i) => texts.push(batch.buf.toString('utf8', s, batch.ends[i])));
      batch.release?.();
    }
    expect(texts).toEqual(lines);
    expect(batches.length).toBeGreaterThan(2);
  });

  it('keeps a line exactly at the limit', async () => {
    expect(await collect(readRawLines('f', chunksOf('12345\n', 2), 5, poolFor(5)))).toEqual([{ line: 1, text: '12345' }]);
  });

  it('yields nothing for an empty or blank input', async () => {
    expect(await collect(readRawLines('f', chunksOf('\n\r\n  \n', 2), 5, poolFor(5)))).toEqual([]);
  });
});

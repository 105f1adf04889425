import { describe, expect, it } from 'vitest';
import { readRawLines } from '../../src/audit/read-raw.js';
import { chunksOf, collect } from './helpers.js';

describe('readRawLines', () => {
  it.each([1, 2, 3, 7, 64, 4096])('numbers lines from 1 in their file whatever the chunk size (%i bytes)', async (size) => {
    const text = 'one\r\ntwo\n\n  \nfive\nsix';
    expect(await collect(readRawLines('f', chunksOf(text, size), 100))).toEqual([
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
    expect(await collect(readRawLines('f', chunksOf(text, size), 20))).toEqual([
      { line: 1, text: 'ok' },
      { line: 2, problem: 'KAR_ERR_LINE_TOO_LONG' },
      { line: 3, text: 'after' },
    ]);
  });

  it('holds at most the line limit of a line that never ends (bounded memory)', async () => {
    let largest = 0;
    for await (const batch of readRawLines('f', chunksOf(`${'y'.repeat(100_000)}`, 1000), 5000)) largest = Math.max(largest, batch.buf.length);
    expect(largest).toBeLessThanOrEqual(6000);
  });

  it('keeps a line exactly at the limit', async () => {
    expect(await collect(readRawLines('f', chunksOf('12345\n', 2), 5))).toEqual([{ line: 1, text: '12345' }]);
  });

  it('yields nothing for an empty or blank input', async () => {
    expect(await collect(readRawLines('f', chunksOf('\n\r\n  \n', 2), 5))).toEqual([]);
  });
});

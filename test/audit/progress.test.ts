import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, formatProgress } from '../../src/audit/progress.js';

function stream(isTTY: boolean): { out: PassThrough & { isTTY?: boolean }; text: () => string } {
  const out: PassThrough & { isTTY?: boolean } = new PassThrough();
  if (isTTY) out.isTTY = true;
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString() };
}

describe('progress', () => {
  it('writes nothing at all when stderr is not a terminal', async () => {
    const { out, text } = stream(false);
    let t = 0;
    const progress = createProgress(out, { now: () => (t += 1000) });
    for (let i = 0; i < 10; i++) progress.update({ lines: i * 100, bytesDone: i, bytesTotal: 100 });
    progress.done();
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe('');
  });

  it('redraws in place on a terminal, at most once per interval, and erases itself at the end', async () => {
    const { out, text } = stream(true);
    let t = 0;
    const progress = createProgress(out, { intervalMs: 250, now: () => t });
    for (let i = 1; i <= 10; i++) {
      t = i * 100;
      progress.update({ lines: i * 1000, bytesDone: i * 10, bytesTotal: 100 });
    }
    progress.done();
    await new Promise((r) => setImmediate(r));
    const draws = text().split('\r\x1b[K').filter((s) => s !== '');
    // t = 100, 400 (>= 250 after 100), 700, 1000: four redraws out of ten updates.
    expect(draws).toHaveLength(4);
    expect(text().endsWith('\r\x1b[K')).toBe(true);
  });

  it.each([
    ['a known total: rate, bytes done of total, time left', { lines: 50_000, bytesDone: 20_000_000, bytesTotal: 100_000_000 }, '50,000 lines · 5,000 lines/s · 20.0 MB of 100.0 MB · 0:40 left'],
    ['stdin: no total, no time left', { lines: 10, bytesDone: 512, bytesTotal: undefined }, '10 lines · 1 lines/s · 512 B'],
  ])('formats %s', (_name, snapshot, expected) => {
    expect(formatProgress(snapshot, 10_000)).toBe(expected);
  });
});

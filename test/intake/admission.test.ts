/**
 * The memory budget for batches in flight (intake/admission.ts): leases,
 * first-come-first-served waits, growth ahead of newcomers, the slot cap,
 * and the gzip trailer hint. Waits are decided by fake timers, never timed.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAdmission, gzipInflatedSizeHint } from '../../src/intake/admission.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createAdmission', () => {
  it('admits at once while the bytes fit, and a release gives them back', async () => {
    const admission = createAdmission({ budgetBytes: 100, maxConcurrent: 10, waitMs: 1000 });
    const a = await admission.admit(60);
    const b = await admission.admit(40);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(admission.used()).toBe(100);
    a?.release();
    a?.release(); // twice is once
    expect(admission.used()).toBe(40);
    expect(admission.active()).toBe(1);
  });

  it('a batch that does not fit waits its turn and is admitted when room is freed', async () => {
    const admission = createAdmission({ budgetBytes: 100, maxConcurrent: 10, waitMs: 1000 });
    const first = await admission.admit(80);
    const pending = admission.admit(50);
    expect(admission.waiting()).toBe(1);
    first?.release();
    const second = await pending;
    expect(second?.bytes()).toBe(50);
    expect(admission.waiting()).toBe(0);
  });

  it('a batch that gets no room within the wait is refused (undefined: the caller answers 429) and leaves the queue', async () => {
    const admission = createAdmission({ budgetBytes: 100, maxConcurrent: 10, waitMs: 1000 });
    await admission.admit(100);
    const pending = admission.admit(1);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(pending).resolves.toBeUndefined();
    expect(admission.waiting()).toBe(0);
    expect(admission.used()).toBe(100);
  });

  it('serves waiters in order: a large batch at the head is not overtaken by small ones', async () => {
    const admission = createAdmission({ budgetBytes: 100, maxConcurrent: 10, waitMs: 10_000 });
    const held = await admission.admit(70);
    const order: string[] = [];
    const large = admission.admit(90).then((lease) => {
      order.push('large');
      return lease;
    });
    const small = admission.admit(10).then(() => order.push('small'));
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual([]); // 10 would fit beside the 70, but the 90 came first
    held?.release();
    (await large)?.release();
    await small;
    expect(order).toEqual(['large', 'small']);
  });

  it('when the head times out, the smaller ones behind it that fit are admitted', async () => {
    const admission = createAdmission({ budgetBytes: 100, maxConcurrent: 10, waitMs: 1000 });
    await admission.admit(70);
    const large = admission.admit(90);
    await vi.advanceTimersByTimeAsync(500);
    const small = admission.admit(10);
    await vi.advanceTimersByTimeAsync(500);
    await expect(large).resolves.toBeUndefined();
    await expect(small).resolves.toBeDefined();
  });

  it('counts slots as well as bytes: beyond maxConcurrent a batch waits even when its bytes fit', async () => {
    const admission = createAdmission({ budgetBytes: 1000, maxConcurrent: 2, waitMs: 1000 });
    const a = await admission.admit(1);
    await admission.admit(1);
    const third = admission.admit(1);
    expect(admission.waiting()).toBe(1);
    a?.release();
    await expect(third).resolves.toBeDefined();
    expect(admission.active()).toBe(2);
  });

  it('a lease grows ahead of waiting newcomers, and shrinks at once', async () => {
    const admission = createAdmission({ budgetBytes: 100, maxConcurrent: 10, waitMs: 10_000 });
    const holder = await admission.admit(30);
    const other = await admission.admit(30);
    const newcomer = admission.admit(50); // needs 50, 40 free
    const grown = holder?.resize(60); // needs 30 more: waits, but at the front
    other?.release();
    await expect(grown).resolves.toBe(true);
    expect(holder?.bytes()).toBe(60);
    expect(admission.waiting()).toBe(1); // the newcomer still waits: 60 + 50 > 100
    await holder?.resize(10);
    await expect(newcomer).resolves.toBeDefined();
    expect(admission.used()).toBe(60);
  });

  it('a growth that gets no room in time keeps what the lease had', async () => {
    const admission = createAdmission({ budgetBytes: 100, maxConcurrent: 10, waitMs: 1000 });
    const holder = await admission.admit(50);
    await admission.admit(50);
    const grown = holder?.resize(80);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(grown).resolves.toBe(false);
    expect(holder?.bytes()).toBe(50);
    expect(admission.used()).toBe(100);
  });

  it('refuses at once what could never fit in the whole budget', async () => {
    const admission = createAdmission({ budgetBytes: 100, maxConcurrent: 10, waitMs: 1000 });
    await expect(admission.admit(101)).resolves.toBeUndefined();
  });
});

describe('gzipInflatedSizeHint', () => {
  it.each([
    ['empty body', ''],
    ['one line', 'CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1 sig=x\n'],
    ['100 KiB of text', 'x'.repeat(100 * 1024)],
  ])('reads ISIZE from the gzip trailer: %s', (_name, text) => {
    expect(gzipInflatedSizeHint(gzipSync(text))).toBe(Buffer.byteLength(text));
  });

  it('has nothing to say about a body shorter than a gzip header and trailer', () => {
    expect(gzipInflatedSizeHint(new Uint8Array(17))).toBeUndefined();
  });
});

import { PassThrough } from 'node:stream';
import { createGunzip, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkContentLength, decodeBody, inflateCapped, isGzip, parseContentEncoding, readBodyCapped, readIncomingCapped, SYNC_INFLATE_BYTES } from '../../src/intake/decode-body.js';

function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe('parseContentEncoding', () => {
  it.each([
    ['absent', undefined, 'identity'],
    ['empty', '', 'identity'],
    ['Konnect: application/gzip', 'application/gzip', 'gzip'],
    ['gzip', 'gzip', 'gzip'],
    ['x-gzip', 'x-gzip', 'gzip'],
    ['mixed case and spaces', '  Application/GZIP ', 'gzip'],
    ['deflate', 'deflate', 'deflate'],
    ['identity', 'identity', 'identity'],
    ['a list with identity', 'gzip, identity', 'gzip'],
  ])('accepts %s', (_quirk, header, coding) => {
    expect(parseContentEncoding(header)).toEqual({ ok: true, value: coding });
  });

  it.each([['br'], ['zstd'], ['compress'], ['gzip, br'], ['gzip, gzip'], ['text/plain']])('refuses %s with 415', (header) => {
    const result = parseContentEncoding(header);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.code).toBe('KAR_ERR_INTAKE_UNSUPPORTED_ENCODING');
  });
});

describe('checkContentLength', () => {
  it.each([
    ['absent', undefined, undefined],
    ['under', '99', undefined],
    ['at the cap', '100', undefined],
    ['garbage (left to the running count)', 'abc', undefined],
    ['over', '101', 'KAR_ERR_INTAKE_BODY_TOO_LARGE'],
  ])('%s', (_quirk, header, code) => {
    expect(checkContentLength(header, 100)?.code).toBe(code);
  });
});

describe('readBodyCapped', () => {
  it('reads a body of many chunks', async () => {
    const result = await readBodyCapped(streamOf([Buffer.from('ab'), Buffer.from('cd')]), { maxBodyBytes: 4, bodyReadTimeoutMs: 10_000 });
    expect(result.ok && result.value.toString()).toBe('abcd');
  });

  it('stops reading past the cap without reading the rest', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(10));
      },
    });
    const result = await readBodyCapped(endless, { maxBodyBytes: 25, bodyReadTimeoutMs: 10_000 });
    expect(!result.ok && result.code).toBe('KAR_ERR_INTAKE_BODY_TOO_LARGE');
    expect(pulled).toBeLessThan(10);
  });

  it('an absent body is empty', async () => {
    const result = await readBodyCapped(null, { maxBodyBytes: 1, bodyReadTimeoutMs: 10_000 });
    expect(result.ok && result.value.length).toBe(0);
  });

  it('a stream that errors is undecodable, not a crash', async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('ECONNRESET'));
      },
    });
    const result = await readBodyCapped(failing, { maxBodyBytes: 100, bodyReadTimeoutMs: 10_000 });
    expect(!result.ok && result.code).toBe('KAR_ERR_INTAKE_BODY_UNDECODABLE');
  });
});

describe('readIncomingCapped (the Node request stream)', () => {
  const limits = { maxBodyBytes: 25, bodyReadTimeoutMs: 10_000 };

  it('reads a body of many chunks', async () => {
    const incoming = new PassThrough();
    const result = readIncomingCapped(incoming, limits);
    incoming.write('ab');
    incoming.end('cd');
    const outcome = await result;
    expect(outcome.ok && outcome.value.toString()).toBe('abcd');
  });

  it('a stream already read to its end gives its (empty) rest', async () => {
    const incoming = new PassThrough();
    incoming.end();
    incoming.resume();
    await new Promise((resolve) => incoming.once('end', resolve));
    const outcome = await readIncomingCapped(incoming, limits);
    expect(outcome.ok && outcome.value.length).toBe(0);
  });

  it.each([
    ['over the cap: 413, the stream paused for the adapter to drain', (s: PassThrough) => s.write(Buffer.alloc(30)), 'KAR_ERR_INTAKE_BODY_TOO_LARGE'],
    ['the client goes away mid-body', (s: PassThrough) => s.destroy(new Error('ECONNRESET')), 'KAR_ERR_INTAKE_BODY_UNDECODABLE'],
    ['closed before its end', (s: PassThrough) => s.destroy(), 'KAR_ERR_INTAKE_BODY_UNDECODABLE'],
  ])('%s', async (_quirk, act, code) => {
    const incoming = new PassThrough();
    const result = readIncomingCapped(incoming, limits);
    incoming.write('abc');
    act(incoming);
    const outcome = await result;
    expect(!outcome.ok && outcome.code).toBe(code);
    expect(incoming.listenerCount('data')).toBe(0);
  });

  it('a body that does not arrive in time is a timeout', async () => {
    const incoming = new PassThrough();
    const outcome = await readIncomingCapped(incoming, { maxBodyBytes: 25, bodyReadTimeoutMs: 20 });
    expect(!outcome.ok && outcome.code).toBe('KAR_ERR_INTAKE_TIMEOUT');
    expect(incoming.isPaused()).toBe(true);
  });
});

describe('decodeBody: small bodies inflate in one call, bigger ones stream within the cap', () => {
  const big = Buffer.alloc(SYNC_INFLATE_BYTES * 3, 'a');
  it.each([
    ['gzip beyond the one-call budget, within the cap', gzipSync(big), 'gzip', SYNC_INFLATE_BYTES * 4, big.length],
    ['zlib deflate beyond the budget', deflateSync(big), 'deflate', SYNC_INFLATE_BYTES * 4, big.length],
    ['raw deflate beyond the budget', deflateRawSync(big), 'deflate', SYNC_INFLATE_BYTES * 4, big.length],
    ['raw deflate, small', deflateRawSync(Buffer.from('x\n')), 'deflate', 100, 2],
  ] as const)('%s', async (_quirk, body, coding, cap, length) => {
    const result = await decodeBody(body, coding, cap);
    expect(result.ok && result.value.length).toBe(length);
  });

  it.each([
    ['over the cap below the budget', SYNC_INFLATE_BYTES / 2],
    ['over the cap above the budget', SYNC_INFLATE_BYTES * 2],
  ])('%s is 413', async (_quirk, cap) => {
    const result = await decodeBody(gzipSync(big), 'gzip', cap);
    expect(!result.ok && result.code).toBe('KAR_ERR_INTAKE_INFLATED_TOO_LARGE');
  });

  it('a corrupt gzip body is undecodable', async () => {
    const body = gzipSync(Buffer.from('line\n'));
    body.writeUInt8((body.at(-6) ?? 0) ^ 0xff, body.length - 6);
    const result = await decodeBody(body, 'gzip', 1000);
    expect(!result.ok && result.code).toBe('KAR_ERR_INTAKE_BODY_UNDECODABLE');
  });
});

describe('decodeBody', () => {
  const text = Buffer.from('line 1\nline 2\n');

  it('recognises gzip by its magic bytes whatever the label', async () => {
    for (const coding of ['gzip', 'deflate', 'identity'] as const) {
      const result = await decodeBody(gzipSync(text), coding, 1_000);
      expect(result.ok && result.value.toString()).toBe(text.toString());
    }
  });

  it('an identity body over the inflated cap is 413', async () => {
    const result = await decodeBody(text, 'identity', 4);
    expect(!result.ok && result.code).toBe('KAR_ERR_INTAKE_INFLATED_TOO_LARGE');
  });

  it('gzip with trailing garbage after the member is undecodable (zlib reads it as a broken next member)', async () => {
    const result = await decodeBody(Buffer.concat([gzipSync(text), Buffer.from('zzzz')]), 'gzip', 1_000);
    expect(!result.ok && result.code).toBe('KAR_ERR_INTAKE_BODY_UNDECODABLE');
  });

  it('isGzip looks at the first two bytes only', () => {
    expect(isGzip(Buffer.from([0x1f, 0x8b]))).toBe(true);
    expect(isGzip(Buffer.from([0x1f]))).toBe(false);
    expect(isGzip(Buffer.from('{"a":1}'))).toBe(false);
  });
});

describe('inflateCapped', () => {
  it('stops a bomb at the cap: 64 MiB of zeros, cap 1 MiB', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const result = await inflateCapped(bomb, createGunzip(), 1024 * 1024);
    expect(!result.ok && result.code).toBe('KAR_ERR_INTAKE_INFLATED_TOO_LARGE');
  });

  it('a body exactly at the cap passes', async () => {
    const result = await inflateCapped(gzipSync(Buffer.alloc(1000)), createGunzip(), 1000);
    expect(result.ok && result.value.length).toBe(1000);
  });

  // The expected size (the gzip trailer's) only decides where output is copied: the bytes are the same whatever it says.
  const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}\n`).join(''));
  const twoMembers = Buffer.concat([gzipSync(text), gzipSync(text)]);
  it.each([
    ['exact (one member: the trailer is right)', gzipSync(text), text.length, text],
    ['too small (two members: the trailer counts the last one)', twoMembers, text.length, Buffer.concat([text, text])],
    ['too large (a wrong hint)', gzipSync(text), text.length * 3, text],
    ['absent', gzipSync(text), undefined, text],
  ])('inflates into one buffer of the expected size when it is: %s', async (_name, body, expected, want) => {
    const result = await inflateCapped(body, createGunzip(), 64 * 1024 * 1024, expected);
    expect(result.ok && result.value.equals(want)).toBe(true);
  });
});

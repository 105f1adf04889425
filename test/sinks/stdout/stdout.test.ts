import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.js';
import { stdoutConfigSchema } from '../../../src/sinks/stdout/config.js';
import { createStdoutSink } from '../../../src/sinks/stdout/index.js';
import { makeRecords } from '../support/records.js';

const config = stdoutConfigSchema.parse({ type: 'stdout' });

describe('stdout sink', () => {
  it('writes NDJSON (one stored JSON per line) to the injected stream', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const sink = createStdoutSink(config, { logger: createSilentLogger(), stream });
    await sink.start();
    const batch = makeRecords(3);
    expect(await sink.write(batch)).toEqual({ kind: 'delivered' });
    expect(await sink.write([])).toEqual({ kind: 'delivered' });
    await sink.close();
    expect(Buffer.concat(chunks).toString()).toBe(batch.map((r) => `${r.json}\n`).join(''));
    expect(stream.destroyed).toBe(false);
  });

  it('a failing stream (EPIPE: the reader went away) is retryable, not a crash', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const sink = createStdoutSink(config, { logger: createSilentLogger(), stream });
    await sink.start();
    expect(await sink.write(makeRecords(1))).toMatchObject({ kind: 'retryable', code: 'KAR_ERR_SINK_UNREACHABLE', reason: 'stdout: write EPIPE' });
    expect(sink.health().ok).toBe(false);
    expect(await sink.write(makeRecords(1))).toMatchObject({ kind: 'retryable', reason: 'stdout is closed' });
    await sink.close();
  });

  it('defaults to name "stdout" and a 1 MiB preferred batch', () => {
    const sink = createStdoutSink(config, { logger: createSilentLogger(), stream: new PassThrough() });
    expect([sink.name, sink.type, sink.maxBatchBytes]).toEqual(['stdout', 'stdout', 1024 * 1024]);
  });
});

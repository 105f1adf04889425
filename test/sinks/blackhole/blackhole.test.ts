import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.js';
import { blackholeConfigSchema } from '../../../src/sinks/blackhole/config.js';
import { createBlackholeSink } from '../../../src/sinks/blackhole/index.js';
import { makeRecords } from '../support/records.js';

describe('blackhole sink', () => {
  it('delivers everything and counts batches, records and the NDJSON bytes they would take', async () => {
    const sink = createBlackholeSink(blackholeConfigSchema.parse({ type: 'blackhole', name: 'bench' }), { logger: createSilentLogger() });
    await sink.start();
    const a = makeRecords(3);
    const b = makeRecords(2, 3);
    expect(await sink.write(a)).toEqual({ kind: 'delivered' });
    expect(await sink.write(b)).toEqual({ kind: 'delivered' });
    await sink.close();
    const bytes = [...a, ...b].reduce((n, r) => n + Buffer.byteLength(r.json) + 1, 0);
    expect(sink.stats()).toEqual({ batches: 2, records: 5, bytes });
    expect(sink.name).toBe('bench');
  });
});

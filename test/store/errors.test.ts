import { describe, expect, it } from 'vitest';
import { KarError } from '../../src/errors/index.js';
import { toStoreError } from '../../src/store/sqlite/errors.js';

function sqliteError(code: string): Error {
  return Object.assign(new Error(`sqlite says ${code}`), { code });
}

describe('toStoreError', () => {
  it.each([
    { quirk: 'disk full is a full store (429, Konnect retries)', error: sqliteError('SQLITE_FULL'), code: 'KAR_ERR_STORE_FULL' },
    { quirk: 'a lock held past busy_timeout', error: sqliteError('SQLITE_BUSY'), code: 'KAR_ERR_STORE_UNAVAILABLE' },
    { quirk: 'an I/O error', error: sqliteError('SQLITE_IOERR_WRITE'), code: 'KAR_ERR_STORE_UNAVAILABLE' },
    { quirk: 'a read-only file system', error: sqliteError('SQLITE_READONLY'), code: 'KAR_ERR_STORE_UNAVAILABLE' },
    { quirk: 'something that is not SQLite', error: new TypeError('boom'), code: 'KAR_ERR_STORE_UNAVAILABLE' },
    { quirk: 'a KarError passes through', error: new KarError('KAR_ERR_STORE_FULL', 'limit'), code: 'KAR_ERR_STORE_FULL' },
  ])('$quirk', ({ error, code }) => {
    const mapped = toStoreError(error, 'commit');
    expect(mapped.code).toBe(code);
    expect(mapped.spec.httpStatus).toBe(code === 'KAR_ERR_STORE_FULL' ? 429 : 500);
  });
});

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { dedupSql } from '../../src/store/sqlite/dedup.js';
import { openStore, STORE_FILE_NAME } from '../../src/store/index.js';
import { tempDir } from './support/batches.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The dedup table holds up to ten million ids and is read on every commit: a full scan there grows with it. */
describe('dedup statements use an index, never a scan of the table', () => {
  it.each(Object.entries(dedupSql))('%s', async (_name, sql) => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = openStore({ dataDir: dir, sinkNames: ['s'] });
    cleanups.push(() => store.close());
    const db = new Database(join(dir, STORE_FILE_NAME), { readonly: true });
    cleanups.push(() => void db.close());
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...Array.from(sql.matchAll(/\?/g), () => null))
      .map((row) => (row as { detail: string }).detail);
    expect(plan.filter((detail) => /^SCAN dedup\b/.test(detail))).toEqual([]);
  });
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The machines are shared 2-core boxes: keep parallelism modest and give
    // real-process tests (TLS, SQLite, rsyslog) room without timing anything.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

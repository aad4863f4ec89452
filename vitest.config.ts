import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure code, no database) and `integration` (real SQL on PGlite, or on the
// Postgres server named by TEST_DATABASE_URL; every test file gets its own fresh schema).
export default defineConfig({
  test: {
    env: { TZ: process.env.TZ ?? 'UTC' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/support/setup.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/support/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

// Units and integration tests of every workspace. The browser tests are Playwright's (tests/e2e).
export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'tests/e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

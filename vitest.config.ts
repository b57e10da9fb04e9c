import { defineConfig } from 'vitest/config';

// Units and integration tests of every workspace. The browser tests are Playwright's (tests/e2e).
export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'tests/e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The digest names what failed at the end of a CI log (tests/support/failure-digest-reporter.node.ts).
    // A skipped test fails the run: in CI every test runs (tests/support/no-skip-reporter.node.ts).
    reporters: ['default', './tests/support/no-skip-reporter.node.ts', './tests/support/failure-digest-reporter.node.ts'],
  },
});

import { defineConfig } from '@playwright/test';
import { CHROMIUM_QUIET_FLAGS, findChromium } from './shared/src/host/chromium.node.ts';

const chromium = findChromium();
if (!chromium) {
  throw new Error('Debian chromium is required for the browser tests: apt-get install -y chromium (npm test installs it as root)');
}

// Debian's chromium only: Playwright never downloads a browser here.
export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  // A skipped browser test fails the run: in CI every test runs.
  reporter: [['list'], ['./tests/support/no-skip-playwright-reporter.node.ts']],
  use: {
    browserName: 'chromium',
    headless: true,
    locale: 'zh-CN',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: chromium, args: CHROMIUM_QUIET_FLAGS },
  },
});

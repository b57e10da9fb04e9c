import type { FullResult, Reporter, Suite } from '@playwright/test/reporter';
import { SHARED_DATA_MARK } from './no-skip-reporter.node.ts';

/**
 * The browser tests' twin of no-skip-reporter.node.ts: a run in which any test was skipped
 * (`test.skip`, `test.fixme`, a skipping hook) fails, naming them, unless the test's title path names
 * SHARED_DATA_MARK (the data a user's fresh clone does not have). A missing chromium or ffmpeg is a red
 * run, not a quiet one.
 */
export default class NoSkipPlaywrightReporter implements Reporter {
  private root: Suite | undefined;

  onBegin(_config: unknown, suite: Suite): void {
    this.root = suite;
  }

  async onEnd(result: FullResult): Promise<{ status?: FullResult['status'] } | undefined> {
    if (!this.root || result.status === 'interrupted') return undefined;
    const skipped = this.root
      .allTests()
      .filter((t) => t.outcome() === 'skipped')
      .map((t) => t.titlePath().filter(Boolean).join(' › '))
      .filter((name) => !name.includes(SHARED_DATA_MARK));
    if (skipped.length === 0) return undefined;
    process.stderr.write(
      `\n✗ ${skipped.length} browser test${skipped.length === 1 ? ' was' : 's were'} skipped; in CI every test runs ` +
        `(tests/support/no-skip-playwright-reporter.node.ts):\n${skipped.map((s) => `  ✗ ${s}`).join('\n')}\n\n`,
    );
    return { status: 'failed' };
  }
}

import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { describeForbiddenSkips, forbiddenSkips } from './no-skip-reporter.node.ts';

/**
 * A vitest reporter that writes, at the end of a run, a short digest of what failed: each failed
 * test (file › name, the first lines of its error), errors outside any test (a suite that did not
 * load, a failing hook), unhandled errors (a rejection nobody caught fails the whole run even
 * when every test passed) and skipped tests (no-skip-reporter.node.ts fails the run for them).
 * `scripts/bootstrap.mjs` prints it after the summary, so the last lines of a red CI log say what
 * broke, not only that something did.
 *
 * It writes only when KAWEI_TEST_DIGEST names a file; otherwise it does nothing.
 */

const firstLines = (text: string | undefined, n = 6): string =>
  (text ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, n)
    .map((l) => `      ${l.trim()}`)
    .join('\n');

interface ErrorLike {
  name?: string;
  message?: string;
  stack?: string;
}

const stackFrames = (stack: string | undefined): string[] => (stack ?? '').split('\n').filter((l) => l.trim().startsWith('at ')).slice(0, 3);
const describeError = (e: ErrorLike): string => firstLines(`${e.name ?? 'Error'}: ${e.message ?? ''}\n${stackFrames(e.stack).join('\n')}`, 12);

export default class FailureDigestReporter implements Reporter {
  private namePattern: RegExp | undefined;

  onInit(vitest: Vitest): void {
    this.namePattern = vitest.config.testNamePattern;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<ErrorLike>): void {
    const file = process.env['KAWEI_TEST_DIGEST'];
    if (!file) return;
    const lines: string[] = [];
    for (const module of testModules) {
      for (const error of module.errors()) lines.push(`  ✗ ${module.relativeModuleId} (outside any test)\n${describeError(error)}`);
      for (const test of module.children.allTests('failed')) {
        const result = test.result();
        const errors = result.state === 'failed' ? result.errors : [];
        lines.push(`  ✗ ${module.relativeModuleId} › ${test.fullName}\n${errors.map(describeError).join('\n')}`);
      }
      for (const suite of module.children.allSuites()) {
        for (const error of suite.errors()) lines.push(`  ✗ ${module.relativeModuleId} › ${suite.fullName} (hook)\n${describeError(error)}`);
      }
    }
    const skips = forbiddenSkips(testModules, this.namePattern);
    if (skips.length > 0) lines.push(describeForbiddenSkips(skips).replace(/^/gm, '  '));
    for (const error of unhandledErrors) lines.push(`  ✗ unhandled error (fails the run even when every test passed)\n${describeError(error)}`);
    writeFileSync(file, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  }
}

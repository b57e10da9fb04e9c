import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';

/**
 * A vitest reporter that fails the run when any test was skipped (`it.skip`, `skipIf`, `runIf`,
 * `ctx.skip()`, `todo`, or everything beside an `.only`): in CI every test runs, so a missing tool
 * is a red run naming it (tests/support/require-tool.node.ts), never ~200 quiet skips.
 *
 * One skip is allowed: a test (or its describe) whose name contains SHARED_DATA_MARK, the labelled
 * data in `<repo>/../shared/data` that a user's fresh clone does not have (e.g.
 * shared/test/face/dev-set.test.ts, "development set (../shared/data/faces-dev)").
 *
 * Tests left out by a name filter (`vitest run -t …`) are not counted: that run chose not to run them.
 */

export const SHARED_DATA_MARK = '../shared/data';

export interface ForbiddenSkip {
  file: string;
  name: string;
  /** 'skip' or 'todo', and the note given to ctx.skip(note) when there was one. */
  why: string;
}

/** A test that did not run because a hook of its suite (or its file) failed: that failure is already reported. */
function blockedByFailure(test: TestCase): boolean {
  for (let parent: TestCase['parent'] = test.parent; ; parent = parent.parent) {
    if (parent.errors().length > 0) return true;
    if (parent.type === 'module') return false;
  }
}

export function forbiddenSkips(testModules: ReadonlyArray<TestModule>, namePattern?: RegExp): ForbiddenSkip[] {
  const found: ForbiddenSkip[] = [];
  for (const module of testModules) {
    for (const test of module.children.allTests('skipped')) {
      if (test.fullName.includes(SHARED_DATA_MARK) || blockedByFailure(test)) continue;
      // vitest matches -t against the names joined by spaces
      if (namePattern && !namePattern.test(test.fullName.split(' > ').join(' '))) continue;
      const result = test.result();
      const note = result.state === 'skipped' ? result.note : undefined;
      found.push({ file: module.relativeModuleId, name: test.fullName, why: `${test.options.mode}${note ? `: ${note}` : ''}` });
    }
  }
  return found;
}

export function describeForbiddenSkips(skips: readonly ForbiddenSkip[]): string {
  return (
    `✗ ${skips.length} test${skips.length === 1 ? ' was' : 's were'} skipped; in CI every test runs ` +
    `(only tests needing ${SHARED_DATA_MARK} may skip; tests/support/no-skip-reporter.node.ts):\n` +
    skips.map((s) => `  ✗ ${s.file} › ${s.name} (${s.why})`).join('\n')
  );
}

export default class NoSkipReporter implements Reporter {
  private namePattern: RegExp | undefined;

  onInit(vitest: Vitest): void {
    this.namePattern = vitest.config.testNamePattern;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, _errors: ReadonlyArray<unknown>, reason: 'passed' | 'interrupted' | 'failed'): void {
    if (reason === 'interrupted') return;
    const skips = forbiddenSkips(testModules, this.namePattern);
    if (skips.length === 0) return;
    process.stderr.write(`\n${describeForbiddenSkips(skips)}\n\n`);
    process.exitCode = 1;
  }
}

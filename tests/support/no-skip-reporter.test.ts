import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The no-skip guard, end to end: the project's vitest config (its reporters) run on a fixture that
 * skips on request. A skip fails the run and is named in the output and in the CI digest; the one
 * allowed skip (a test needing ../shared/data) does not.
 */
const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'kawei-skip-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runFixture(probe: string): { status: number | null; output: string; digest: string } {
  const digestFile = join(dir, `digest-${probe}.txt`);
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'tests/support/fixtures/skip-guard.vitest.config.ts'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, KAWEI_SKIP_PROBE: probe, KAWEI_TEST_DIGEST: digestFile, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, digest: readFileSync(digestFile, 'utf8') };
}

describe('no-skip reporter', () => {
  it('passes a run in which every test ran', () => {
    const run = runFixture('none');
    expect(run.output).toMatch(/Tests +3 passed \(3\)/);
    expect(run.status, run.output).toBe(0);
    expect(run.digest).toBe('');
  });

  it('fails a run with a skipped test, naming it in the log and in the digest', () => {
    const run = runFixture('skip');
    expect(run.status, run.output).toBe(1);
    expect(run.output).toContain('✗ 1 test was skipped; in CI every test runs');
    expect(run.output).toContain('skip-guard.fixture.ts › skip guard fixture > is skipped when asked (skip)');
    expect(run.digest).toContain('skip guard fixture > is skipped when asked (skip)');
  });

  it('fails a run with a todo', () => {
    const run = runFixture('todo');
    expect(run.status, run.output).toBe(1);
    expect(run.output).toContain('skip guard fixture > is a todo (todo)');
  });

  it('lets a test needing ../shared/data skip', () => {
    const run = runFixture('shared-data');
    expect(run.output).toMatch(/1 skipped/);
    expect(run.status, run.output).toBe(0);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workingTreeChanges, workingTreeSnapshot } from '../../scripts/lib/working-tree.mjs';

/** The check `npm test` ends with (scripts/bootstrap.mjs): did the tests write into the checkout? */
const dir = mkdtempSync(join(tmpdir(), 'kawei-tree-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, stdio: 'pipe' });

describe('working tree snapshots', () => {
  it('see a tracked file rewritten, a new file and a file put back, but not work that was already there', () => {
    git('init', '-q');
    writeFileSync(join(dir, '.gitignore'), 'ignored/\n');
    writeFileSync(join(dir, 'results.json'), '{"a":1}\n');
    writeFileSync(join(dir, 'wip.ts'), 'committed\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    writeFileSync(join(dir, 'wip.ts'), 'uncommitted work\n'); // the developer's own change, before the tests

    const before = workingTreeSnapshot(dir)!;
    expect([...before.keys()]).toEqual(['wip.ts']);
    expect(workingTreeChanges(before, workingTreeSnapshot(dir)!)).toEqual([]);

    writeFileSync(join(dir, 'results.json'), '{"a":2}\n');
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'report.txt'), 'x');
    mkdirSync(join(dir, 'ignored'));
    writeFileSync(join(dir, 'ignored', 'cache'), 'x');
    git('checkout', '--', 'wip.ts');
    expect(workingTreeChanges(before, workingTreeSnapshot(dir)!)).toEqual([
      'out/report.txt (new file)',
      'results.json (changed)',
      'wip.ts (restored to its committed state)',
    ]);
  });

  it('sees a file that was already modified and is modified again', () => {
    writeFileSync(join(dir, 'results.json'), '{"a":3}\n');
    const before = workingTreeSnapshot(dir)!;
    writeFileSync(join(dir, 'results.json'), '{"a":4}\n');
    expect(workingTreeChanges(before, workingTreeSnapshot(dir)!)).toEqual(['results.json (changed)']);
  });

  it('has nothing to compare outside a git checkout', () => {
    const plain = mkdtempSync(join(tmpdir(), 'kawei-plain-'));
    try {
      expect(workingTreeSnapshot(plain)).toBeNull();
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});

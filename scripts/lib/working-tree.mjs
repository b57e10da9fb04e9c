// What `git status` shows, with a hash of each listed file's content, so that `npm test` can check
// that the tests left the working tree as they found it: tests write to temp folders only (a test
// that rewrote bench/results/fairness.json went unnoticed because it wrote the same bytes most runs).
// Comparing snapshots rather than demanding a clean tree lets a developer run `npm test` on
// uncommitted work. Plain Node, no dependencies (scripts/bootstrap.mjs runs before `npm ci`).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function contentHash(file) {
  try {
    if (!statSync(file).isFile()) return 'not a file';
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'absent';
  }
}

/**
 * Map path → "XY status + content hash" for every changed, deleted or untracked (not ignored) path;
 * null when `root` is not a git checkout (an unpacked tarball), so there is nothing to compare.
 */
export function workingTreeSnapshot(root) {
  const r = spawnSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return null;
  const snapshot = new Map();
  const entries = r.stdout.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!entry) continue;
    const status = entry.slice(0, 2);
    const path = entry.slice(3);
    if (status.includes('R') || status.includes('C')) i++; // the next entry is the rename's source
    snapshot.set(path, `${status} ${contentHash(join(root, path))}`);
  }
  return snapshot;
}

/** Paths whose state differs between two snapshots, each with what happened to it. */
export function workingTreeChanges(before, after) {
  const changes = [];
  for (const [path, state] of after) {
    if (!before.has(path)) changes.push(`${path} (${state.startsWith('??') ? 'new file' : 'changed'})`);
    else if (before.get(path) !== state) changes.push(`${path} (changed)`);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push(`${path} (restored to its committed state)`);
  return changes.sort();
}

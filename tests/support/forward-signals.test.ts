import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { isRunning, processGroupMembers } from '../../scripts/lib/forward-signals.mjs';

/**
 * scripts/bootstrap.mjs runs `npm start`'s demo through runForwardingSignals: a SIGINT, SIGTERM or
 * SIGHUP to the bootstrap must end the child and everything it started. Here the "bootstrap" is a small
 * parent running a child that starts a grandchild shell (which starts `sleep` in turn); the signal is
 * sent to the parent alone, as `kill -INT <pid>` sends it.
 */
const forwarder = join(import.meta.dirname, '..', '..', 'scripts', 'lib', 'forward-signals.mjs');

interface Tree {
  parentExit: Promise<number | null>;
  signalParent(signal: NodeJS.Signals): void;
  child: number;
  grandchild: number;
}

/** Starts parent → child → grandchild; resolves once the child has started the grandchild. */
function startTree(options: { grandchildIgnoresSignals?: boolean; childExitCode?: number } = {}): Promise<Tree> {
  const loop = options.grandchildIgnoresSignals ? "trap '' INT TERM HUP; while :; do sleep 1; done" : 'while :; do sleep 1; done';
  const child = `const { spawn } = require('node:child_process');
const g = spawn('sh', ['-c', ${JSON.stringify(loop)}], { stdio: 'ignore' });
console.log('pids ' + process.pid + ' ' + g.pid);
${options.childExitCode === undefined ? 'setInterval(() => {}, 1000);' : `setTimeout(() => process.exit(${options.childExitCode}), 200);`}`;
  const parentScript = `import { exitCodeOf, runForwardingSignals } from ${JSON.stringify(forwarder)};
const result = await runForwardingSignals(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: 'inherit', graceMs: 300 });
process.exit(exitCodeOf(result));`;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  const parentExit = new Promise<number | null>((resolve) => parent.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    parent.once('exit', (code) => reject(new Error(`the parent ended (${code}) before the child reported its pids`)));
    createInterface({ input: parent.stdout }).on('line', (line) => {
      const m = /^pids (\d+) (\d+)$/.exec(line);
      if (m) resolve({ parentExit, signalParent: (s) => parent.kill(s), child: Number(m[1]), grandchild: Number(m[2]) });
    });
  });
}

function expectAllGone(tree: Tree): void {
  expect(isRunning(tree.child), 'the child').toBe(false);
  expect(isRunning(tree.grandchild), 'the grandchild').toBe(false);
  expect(processGroupMembers(tree.child), "anything left in the child's process group").toEqual([]);
}

describe('runForwardingSignals (scripts/lib/forward-signals.mjs)', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('a %s to the parent ends the child and the grandchild, and the parent exits %i', async (signal, code) => {
    const tree = await startTree();
    expect(isRunning(tree.child) && isRunning(tree.grandchild)).toBe(true);
    tree.signalParent(signal);
    expect(await tree.parentExit).toBe(code);
    expectAllGone(tree);
  });

  it('kills a grandchild that ignores the signal once the grace period is over', async () => {
    const tree = await startTree({ grandchildIgnoresSignals: true });
    tree.signalParent('SIGINT');
    expect(await tree.parentExit).toBe(130);
    expectAllGone(tree);
  });

  it("without a signal: passes the child's exit code on, and ends what the child left behind", async () => {
    const tree = await startTree({ childExitCode: 3 });
    expect(await tree.parentExit).toBe(3);
    expectAllGone(tree);
  });
});

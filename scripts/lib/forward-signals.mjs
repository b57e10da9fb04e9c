// Runs a child the way a shell runs a foreground job, for scripts/bootstrap.mjs: plain Node, no
// dependencies (it runs before `npm ci`).
//
// spawnSync forwards no signal: `kill -INT <bootstrap>` (or npm passing on a SIGTERM) ended the
// bootstrap and left the demo it had started running, with its central, hosts, socat and Chromium.
// Here the child leads its own process group, every SIGINT, SIGTERM or SIGHUP the bootstrap gets goes
// to that whole group, and whatever of the group outlives the child (a grandchild that ignores the
// signal) is killed after a grace period. A second signal kills the group at once.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

export const FORWARDED_SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

/** Live (not zombie) members of a process group, read from /proc. */
export function processGroupMembers(pgid) {
  const members = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so split after its last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(entry));
  }
  return members;
}

/** Whether the process exists and is not a zombie (a zombie runs nothing; it waits for its reaper). */
export function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nobody left in the group
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the group is empty, SIGKILLing what is left after graceMs. */
async function reapGroup(pgid, graceMs) {
  const deadline = Date.now() + graceMs;
  let killed = false;
  while (processGroupMembers(pgid).length > 0) {
    if (!killed && Date.now() >= deadline) {
      signalGroup(pgid, 'SIGKILL');
      killed = true;
    }
    // after a SIGKILL the kernel ends them at once; give up only if something is stuck in the kernel
    if (killed && Date.now() >= deadline + 5000) return;
    await sleep(50);
  }
}

/**
 * Spawns `command args` as the leader of a new process group and waits for it, forwarding
 * FORWARDED_SIGNALS to the group. Resolves { status, signal, interruptedBy, seconds, error }:
 * interruptedBy is the first signal we forwarded (null when none came).
 */
export function runForwardingSignals(command, args, { graceMs = 10_000, ...spawnOptions } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    // detached: the child calls setsid(), so its pid is its process group's id
    const child = spawn(command, args, { ...spawnOptions, detached: true });
    let interruptedBy = null;
    let killTimer = null;
    const onSignal = (signal) => {
      if (child.pid === undefined) return;
      if (interruptedBy !== null) {
        signalGroup(child.pid, 'SIGKILL'); // asked twice: stop waiting for a clean exit
        return;
      }
      interruptedBy = signal;
      signalGroup(child.pid, signal);
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
    };
    for (const s of FORWARDED_SIGNALS) process.on(s, onSignal);
    let finished = false;
    const finish = async (result) => {
      if (finished) return; // 'error' and 'exit' may both come
      finished = true;
      // The child is gone; what it left in its group goes too (stragglers get the grace period).
      if (child.pid !== undefined) {
        if (processGroupMembers(child.pid).length > 0) signalGroup(child.pid, 'SIGTERM');
        await reapGroup(child.pid, graceMs);
      }
      clearTimeout(killTimer);
      for (const s of FORWARDED_SIGNALS) process.off(s, onSignal);
      resolve({ ...result, interruptedBy, seconds: (Date.now() - started) / 1000 });
    };
    child.once('error', (error) => void finish({ status: null, signal: null, error }));
    child.once('exit', (status, signal) => void finish({ status, signal, error: null }));
  });
}

/** The exit code a shell would give: 128 + the signal's number when interrupted, else the child's. */
export function exitCodeOf(result) {
  if (result.interruptedBy !== null) return 128 + constants.signals[result.interruptedBy];
  if (result.signal !== null) return 128 + (constants.signals[result.signal] ?? 0);
  return result.status ?? 1;
}

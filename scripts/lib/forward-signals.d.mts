import type { SpawnOptions } from 'node:child_process';

/** Types for forward-signals.mjs (plain JavaScript: scripts/bootstrap.mjs runs before `npm ci`). */
export declare const FORWARDED_SIGNALS: readonly ['SIGINT', 'SIGTERM', 'SIGHUP'];
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

export interface ForwardedRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  /** The first signal forwarded to the child's group, null when none came. */
  interruptedBy: ForwardedSignal | null;
  seconds: number;
  error: Error | null;
}

export declare function processGroupMembers(pgid: number): number[];
export declare function isRunning(pid: number): boolean;
export declare function runForwardingSignals(command: string, args: readonly string[], options?: SpawnOptions & { graceMs?: number }): Promise<ForwardedRun>;
export declare function exitCodeOf(result: ForwardedRun): number;

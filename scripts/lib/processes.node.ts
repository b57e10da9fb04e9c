import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const ENTRY = {
  central: join(REPO_ROOT, 'central/src/cli.node.ts'),
  boothHost: join(REPO_ROOT, 'booth-client/src/host.node.ts'),
  gateHost: join(REPO_ROOT, 'gate-kiosk/src/host.node.ts'),
} as const;

export interface Running<T> {
  child: ChildProcess;
  ready: T;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop(): Promise<void>;
}

/**
 * Starts a TypeScript entry point under tsx and waits for its `{"event":"listening",…}` line.
 * Its other output goes to our stderr, prefixed, so a failing test shows what the child said.
 */
export function startNode<T extends { event: string }>(
  entry: string,
  args: string[],
  options: { label: string; timeoutMs?: number; quiet?: boolean; env?: NodeJS.ProcessEnv },
): Promise<Running<T>> {
  // An app host prints its launch URL (the secret) only when asked; the harness needs it to drive the app.
  const asked = entry === ENTRY.boothHost || entry === ENTRY.gateHost ? ['--print-launch-url'] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args, ...asked], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const echo = (line: string) => {
    if (!options.quiet) process.stderr.write(`[${options.label}] ${line}\n`);
  };
  createInterface({ input: child.stderr! }).on('line', echo);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${options.label}: not listening after ${options.timeoutMs ?? 30000} ms`));
    }, options.timeoutMs ?? 30000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.label} exited with ${code} before it was ready`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(line);
      } catch {
        // not a JSON status line: ordinary output
      }
      if (parsed && typeof parsed === 'object' && (parsed as { event?: unknown }).event === 'listening') {
        clearTimeout(timer);
        resolve({ child, ready: parsed as T, stop });
      } else {
        echo(line);
      }
    });
  });
}

/** Runs a TypeScript CLI to completion and returns its output. */
export function runNode(
  entry: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

export interface Listening {
  event: 'listening';
  url: string;
  /** The central's: SHA-256 (hex) of its TLS key's SPKI, which devices pin at enrolment. */
  fingerprint?: string;
}

/** The central's TLS fingerprint from its listening line (kawei-central serve always prints one). */
export function fingerprintOf(central: { ready: Listening }): string {
  const fingerprint = central.ready.fingerprint;
  if (!fingerprint) throw new Error(`${central.ready.url} printed no TLS fingerprint`);
  return fingerprint;
}
export interface AppListening extends Listening {
  app: 'booth' | 'gate';
  launchUrl: string;
  dataDir: string;
}

/**
 * A pair of connected pseudo-terminals made by socat: what a null-modem cable between the host and a
 * device would be. Tests, benchmarks, the demo and the technician CLI put a driver on one end and a
 * device simulator on the other. Stopping socat is an unplug (both ends see the line go away and the
 * links vanish); starting it again at the same link paths is a replug, as udev recreating
 * /dev/serial/by-id/… would be.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bilingual, bilingualError } from '../i18n/bilingual.ts';

export interface PtyPair {
  /** The host's end (the driver opens this path). */
  readonly a: string;
  /** The device's end (the simulator opens this path). */
  readonly b: string;
  readonly running: boolean;
  /** Unplug: socat exits, both ends lose their line, the links disappear. */
  unplug(): Promise<void>;
  /** Replug at the same paths. */
  replug(): Promise<void>;
  /** Stop socat for good and remove the folder made for the links (if this pair made it). */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Folder for the links; a fresh temporary folder when absent. */
  dir?: string;
  names?: readonly [string, string];
  /** How long to wait for socat to create both links. */
  startTimeoutMs?: number;
}

let socatChecked: boolean | undefined;

/** Whether the socat binary is installed (Debian: apt-get install socat). */
export function hasSocat(): boolean {
  if (socatChecked === undefined) {
    try {
      execFileSync('socat', ['-V'], { stdio: 'ignore' });
      socatChecked = true;
    } catch {
      socatChecked = false;
    }
  }
  return socatChecked;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  if (!hasSocat()) throw bilingualError('devices.pty.noSocat');
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'kawei-pty-'));
  const [nameA, nameB] = options.names ?? ['host', 'device'];
  const a = join(dir, nameA);
  const b = join(dir, nameB);
  const startTimeoutMs = options.startTimeoutMs ?? 5000;
  let child: ChildProcess | undefined;
  let stderr = '';

  const start = async (): Promise<void> => {
    stderr = '';
    const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => {
      if (stderr.length < 4000) stderr += d;
    });
    child = proc;
    const end = Date.now() + startTimeoutMs;
    // socat logs "starting data transfer loop" once both ptys are set up and linked.
    while (!(existsSync(a) && existsSync(b) && stderr.includes('starting data transfer loop'))) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`${bilingual('devices.pty.socatExited')} (${proc.exitCode ?? proc.signalCode}): ${stderr.trim()}`);
      }
      if (Date.now() > end) {
        proc.kill('SIGKILL');
        throw bilingualError('devices.pty.noPty', { ms: startTimeoutMs });
      }
      await sleep(10);
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    await Promise.race([exited, sleep(2000).then(() => proc.kill('SIGKILL'))]);
    await exited;
    // socat removes its links on a clean exit; make sure a replug starts from nothing.
    rmSync(a, { force: true });
    rmSync(b, { force: true });
  };

  await start();
  return {
    a,
    b,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    unplug: stop,
    replug: async () => {
      if (child && child.exitCode === null && child.signalCode === null) return;
      await start();
    },
    close: async () => {
      await stop();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

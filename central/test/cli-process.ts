import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_ENTRY = fileURLToPath(new URL('../src/cli.node.ts', import.meta.url));
export const CLI_BIN = fileURLToPath(new URL('../bin/kawei-central.mjs', import.meta.url));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kawei-central ARGS` as its own process to completion. */
export function runCli(args: string[], options: { bin?: boolean; cwd?: string } = {}): Promise<Finished> {
  const argv = options.bin ? [CLI_BIN, ...args] : ['--import', 'tsx', CLI_ENTRY, ...args];
  const child = spawn(process.execPath, argv, { cwd: options.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

export interface Serving {
  child: ChildProcess;
  url: string;
  centralId: string;
  /** SHA-256 (hex) of the TLS key's SPKI, from the listening line. */
  fingerprint: string;
  stderr: () => string;
  /** Resolves with the exit code once the process has gone. */
  exited: Promise<number | null>;
}

/** Starts `kawei-central serve ARGS` and resolves on its {"event":"listening"} line. */
export function startServe(args: string[]): Promise<Serving> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'serve', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; url: string; centralId: string; fingerprint: string };
      if (event.event === 'listening') {
        resolve({ child, url: event.url, centralId: event.centralId, fingerprint: event.fingerprint, stderr: () => stderr, exited });
      }
    });
  });
}

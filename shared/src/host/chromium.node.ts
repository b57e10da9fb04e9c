import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CdpPipe } from './cdp-pipe.node.ts';
import { bilingual } from '../i18n/bilingual.ts';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Debian's chromium (never a downloaded browser); null when none is installed. */
export function findChromium(): string | null {
  const fromEnv = process.env['KAWEI_CHROMIUM'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/**
 * Chromium's sandbox stays on unless it cannot work: as root, Chromium refuses to start sandboxed
 * ("Running as root without --no-sandbox is not supported"), and some containers give it no user
 * namespaces, which the installer declares with KAWEI_CHROMIUM_NO_SANDBOX=1. A kiosk runs as an
 * ordinary user and keeps the sandbox.
 */
export function needsNoSandbox(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): boolean {
  return uid === 0 || env['KAWEI_CHROMIUM_NO_SANDBOX'] === '1';
}

/**
 * Flags that keep Chromium quiet on a closed network (no background downloads, sync or updates),
 * plus `--no-sandbox` only where needsNoSandbox says so.
 */
export const CHROMIUM_QUIET_FLAGS: string[] = [
  ...(needsNoSandbox() ? ['--no-sandbox'] : []),
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
];

export interface ChromiumLaunch {
  process: ChildProcess;
  /** Resolves once the page is navigated to the launch URL; rejects if that failed (Chromium is then killed). */
  navigated: Promise<void>;
}

const NAVIGATION_TIMEOUT_MS = 15_000;

/**
 * Starts Chromium on about:blank and then navigates it to `launchUrl` through the DevTools pipe.
 * The launch URL carries the host's secret in its fragment; on the command line it would be readable
 * by every local user in /proc/<pid>/cmdline. The pipe (fds 3 and 4) belongs to this process alone,
 * and no DevTools port is opened. The profile is a fresh private folder, removed when Chromium exits.
 */
export function launchChromium(
  launchUrl: string,
  options: { headless: boolean; extraFlags?: readonly string[] },
): ChromiumLaunch | null {
  const chromium = findChromium();
  if (!chromium) return null;
  const profile = mkdtempSync(join(tmpdir(), 'kawei-chromium-'));
  const args = [
    ...CHROMIUM_QUIET_FLAGS,
    ...(options.headless ? ['--headless=new'] : []),
    `--user-data-dir=${profile}`,
    '--remote-debugging-pipe',
    ...(options.extraFlags ?? []),
    // `--app=` gives the kiosk-like window without an address bar.
    options.headless ? 'about:blank' : '--app=about:blank',
  ];
  const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: false });
  child.once('exit', () => rmSync(profile, { recursive: true, force: true }));
  child.once('error', () => rmSync(profile, { recursive: true, force: true }));
  const cdp = new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable);
  const navigated = navigateFirstPage(cdp, launchUrl).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  return { process: child, navigated };
}

async function navigateFirstPage(cdp: CdpPipe, url: string): Promise<void> {
  let stopListening = () => undefined as unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    const targetId = await new Promise<string>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('Chromium opened no page')), NAVIGATION_TIMEOUT_MS);
      stopListening = cdp.onEvent((method, params) => {
        const info = (params as { targetInfo?: { type?: string; targetId?: string } } | undefined)?.targetInfo;
        if (method === 'Target.targetCreated' && info?.type === 'page' && info.targetId) resolve(info.targetId);
      });
      // Reports the targets that already exist as targetCreated events, then new ones.
      cdp.send('Target.setDiscoverTargets', { discover: true }).catch(reject);
    });
    const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    await cdp.send('Page.navigate', { url }, sessionId);
    await cdp.send('Target.detachFromTarget', { sessionId });
    await cdp.send('Target.setDiscoverTargets', { discover: false });
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}

function reportNavigationFailure(error: unknown): void {
  process.stderr.write(`${bilingual('host.chromiumFailed')}: ${(error as Error).message}\n`);
}

/** Opens the app like a kiosk window (`--app`, no address bar) when a display exists; see launchChromium. */
export function openAppWindow(url: string, extraFlags: string[] = []): ChildProcess | null {
  if (!process.env['DISPLAY']) return null;
  const launch = launchChromium(url, { headless: false, extraFlags });
  launch?.navigated.catch(reportNavigationFailure);
  return launch?.process ?? null;
}

/**
 * The same app page in a headless Chromium: on a machine without a display the demo's gate still
 * runs its camera loop (a fake camera), so its check-ins happen and show on the console.
 */
export function openHeadless(url: string, extraFlags: string[] = []): ChildProcess | null {
  const launch = launchChromium(url, { headless: true, extraFlags });
  launch?.navigated.catch(reportNavigationFailure);
  return launch?.process ?? null;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Debian's chromium (never a downloaded browser); null when none is installed. */
export function findChromium(): string | null {
  const fromEnv = process.env['KAWEI_CHROMIUM'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/**
 * Flags that keep Chromium quiet on a closed network (no background downloads, sync or updates)
 * and let it run as root in a container.
 */
export const CHROMIUM_QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
];

/** Opens the app like a kiosk window: `--app=` (no address bar), its own profile. */
export function openAppWindow(url: string, extraFlags: string[] = []): ChildProcess | null {
  const chromium = findChromium();
  if (!chromium || !process.env['DISPLAY']) return null;
  const profile = mkdtempSync(join(tmpdir(), 'kawei-chromium-'));
  return spawn(chromium, [...CHROMIUM_QUIET_FLAGS, `--user-data-dir=${profile}`, `--app=${url}`, ...extraFlags], {
    stdio: 'ignore',
    detached: false,
  });
}

/**
 * The same app page in a headless Chromium: on a machine without a display the demo's gate still
 * runs its camera loop (a fake camera), so its check-ins happen and show on the console.
 */
export function openHeadless(url: string, extraFlags: string[] = []): ChildProcess | null {
  const chromium = findChromium();
  if (!chromium) return null;
  const profile = mkdtempSync(join(tmpdir(), 'kawei-chromium-'));
  return spawn(chromium, [...CHROMIUM_QUIET_FLAGS, '--headless=new', `--user-data-dir=${profile}`, ...extraFlags, url], {
    stdio: 'ignore',
    detached: false,
  });
}

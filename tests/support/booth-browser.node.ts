/**
 * Chromium for the browser specs that put an expert in front of a committee stack's booth host:
 * the camera is a y4m of the registry's face (liveness 0 challenges in the host's config: a still
 * photo cannot blink), the page is 1920×1080 in zh-CN, and every WebSocket frame the page receives
 * is kept (a spec checks that no name, no key material crosses the wire).
 */
import { join } from 'node:path';
import { chromium, expect, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_QUIET_FLAGS, findChromium } from '../../shared/src/host/chromium.node.ts';
import { makeFakeCameraY4m } from '../../scripts/lib/fake-camera.node.ts';
import type { CommitteeStack } from './committee-stack.node.ts';

export interface BoothBrowser {
  browser: Browser;
  page: Page;
  /** Every WebSocket frame the page received, as text. */
  received: string[];
}

/** Launches Chromium with the stack's face as its camera (the y4m is written under `dir`). */
export async function openBoothBrowser(stack: CommitteeStack, dir: string): Promise<BoothBrowser> {
  const y4m = makeFakeCameraY4m(stack.facePhoto, join(dir, 'camera.y4m'), { fill: 1 });
  const browser = await chromium.launch({
    executablePath: findChromium() ?? undefined,
    args: [...CHROMIUM_QUIET_FLAGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
  });
  const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1920, height: 1080 } });
  const received: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
  return { browser, page, received };
}

/** Types `pin` on the open PIN dialog's keypad and confirms. */
export async function typePin(p: Page, pin: string): Promise<void> {
  await expect(p.getByTestId('pin-dialog')).toBeVisible();
  for (const digit of pin) await p.getByTestId(`pinpad-${digit}`).click();
  await p.getByTestId('pinpad-ok').click();
}

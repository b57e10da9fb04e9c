import type { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './secure-policy.ts';
import { KioskCloseGuard, RendererRecovery, rendererIncident, UNRESPONSIVE_GRACE_MS } from './kiosk-policy.ts';

/**
 * Keeps the kiosk window on screen (decisions in kiosk-policy.ts): it refuses to close unless the app
 * is quitting, reloads the app after its renderer is gone (bounded, see RendererRecovery), and kills a
 * renderer that stays unresponsive so that it is reloaded. Every incident is one log line.
 */
export function keepKioskOnScreen(
  window: BrowserWindow,
  guard: KioskCloseGuard,
  recovery: RendererRecovery = new RendererRecovery(),
): void {
  const contents = window.webContents;
  let hangTimer: NodeJS.Timeout | null = null;
  let reloadTimer: NodeJS.Timeout | null = null;
  const clearHang = () => {
    if (hangTimer) clearTimeout(hangTimer);
    hangTimer = null;
  };

  window.on('close', (event) => {
    if (!guard.shouldPreventClose()) return;
    event.preventDefault();
    console.warn(rendererIncident('close-refused'));
  });
  window.on('closed', () => {
    clearHang();
    if (reloadTimer) clearTimeout(reloadTimer);
  });

  contents.on('render-process-gone', (_event, details) => {
    clearHang();
    const decision = recovery.decide({ quitting: guard.isQuitting });
    console.error(rendererIncident('renderer-gone', { reason: details.reason, exitCode: details.exitCode, ...decision }));
    if (decision.action !== 'reload') return;
    const reload = () => {
      reloadTimer = null;
      if (window.isDestroyed()) return;
      // loadURL rather than reload(): a renderer that died during the first load has no URL to reload.
      window.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
        console.error(rendererIncident('renderer-gone', { reason: 'reload-failed', message: (error as Error).message }));
      });
    };
    if (reloadTimer) clearTimeout(reloadTimer);
    if (decision.delayMs === 0) reload();
    else reloadTimer = setTimeout(reload, decision.delayMs);
  });

  window.on('unresponsive', () => {
    console.warn(rendererIncident('renderer-unresponsive', { graceMs: UNRESPONSIVE_GRACE_MS }));
    clearHang();
    hangTimer = setTimeout(() => {
      hangTimer = null;
      // render-process-gone follows (reason 'killed'), and the recovery reloads the app.
      if (!window.isDestroyed()) contents.forcefullyCrashRenderer();
    }, UNRESPONSIVE_GRACE_MS);
  });
  window.on('responsive', () => {
    if (!hangTimer) return;
    clearHang();
    console.warn(rendererIncident('renderer-responsive'));
  });
}

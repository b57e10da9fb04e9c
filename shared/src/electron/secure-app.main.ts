import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { app, BrowserWindow, dialog, Menu, session } from 'electron';
import type { Contract, EventHub } from '../contract/contract.ts';
import { registerAppSchemeAsPrivileged, serveRendererFrom } from './app-protocol.main.ts';
import { bindContractCalls, forwardContractEvents, type Dispatch } from './contract-ipc.main.ts';
import { APP_ENTRY_URL } from './secure-policy.ts';
import { lockDownWebContents, restrictPermissions } from './web-contents-guards.main.ts';
import { KioskCloseGuard } from './kiosk-policy.ts';
import { keepKioskOnScreen } from './kiosk-window.main.ts';
import { bilingual } from '../i18n/bilingual.ts';

/** What the Electron shell needs from an app's services (createBoothServices, createGateServices). */
export interface ShellServices<K extends Contract> {
  dispatch: Dispatch;
  events: EventHub<K>;
  close(): Promise<void>;
}

export interface ServicesContext {
  /** Electron's per-app userData directory: the device store lives here. */
  dataDir: string;
  appVersion: string;
  /** app.isPackaged: an installed build, which must refuse test-only settings (device/test-only-settings.ts). */
  isPackaged: boolean;
  /** The technician's config, `<userData>/config.json`, when that file exists. */
  configFile: string | undefined;
}

/** Where an installed app reads its technician's config (the booth's or the gate's JSON). */
export const CONFIG_FILE_NAME = 'config.json';

export interface SecureAppOptions<K extends Contract> {
  contract: K;
  /** Called once, after the single-instance lock is held, so only one process ever opens the store. */
  createServices: (context: ServicesContext) => ShellServices<K> | Promise<ShellServices<K>>;
  /** The renderer's build output, absolute or relative to the app's package directory. */
  rendererDir: string;
  /** The bundled preload (CommonJS: sandboxed preloads cannot be ES modules), same convention. */
  preloadPath: string;
  title: string;
}

/**
 * The whole Electron main process of a Kawei app: one kiosk window showing the renderer from
 * kawei://app, talking to the services only through the contract's IPC channels. Everything
 * security-relevant is decided in secure-policy.ts; this function wires it into Electron.
 */
export function runSecureApp<K extends Contract>(options: SecureAppOptions<K>): void {
  // Both must happen before 'ready'. enableSandbox also covers any renderer we did not create.
  registerAppSchemeAsPrivileged();
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    // Another instance owns the kiosk (and the SQLite store); it is told via 'second-instance'.
    app.quit();
    return;
  }

  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents));
  // The default menu carries reload and devtools accelerators; a kiosk has no menu.
  Menu.setApplicationMenu(null);

  app
    .whenReady()
    .then(() => startApp(options))
    .catch((error: unknown) => {
      console.error('[kawei] the app could not start', error);
      // A kiosk has no terminal: the technician must read why (config errors are zh-CN / English).
      dialog.showErrorBox(bilingual('app.cannotStart'), error instanceof Error ? error.message : String(error));
      app.exit(1);
    });
}

async function startApp<K extends Contract>(options: SecureAppOptions<K>): Promise<void> {
  const inApp = (path: string) => (isAbsolute(path) ? path : join(app.getAppPath(), path));

  restrictPermissions(session.defaultSession);
  serveRendererFrom(inApp(options.rendererDir));

  const dataDir = app.getPath('userData');
  const configFile = join(dataDir, CONFIG_FILE_NAME);
  const services = await options.createServices({
    dataDir,
    appVersion: app.getVersion(),
    isPackaged: app.isPackaged,
    configFile: existsSync(configFile) ? configFile : undefined,
  });
  const unbindCalls = bindContractCalls(options.contract, services.dispatch);
  // Registered before closeServicesBeforeQuit so that every quit (its own app.quit included) opens the door.
  const closeGuard = new KioskCloseGuard();
  app.on('before-quit', () => closeGuard.beginQuit());
  closeServicesBeforeQuit(services, unbindCalls);

  const window = createKioskWindow(options.title, inApp(options.preloadPath));
  keepKioskOnScreen(window, closeGuard);
  const stopForwarding = forwardContractEvents(options.contract, services.events, window.webContents);
  window.on('closed', stopForwarding);

  app.on('second-instance', () => {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());

  await window.loadURL(APP_ENTRY_URL);
}

function createKioskWindow(title: string, preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    title,
    kiosk: true,
    fullscreen: true,
    autoHideMenuBar: true,
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: {
      // Electronegativity asks for every preload to be reviewed. Reviewed: the preload is
      // expose-bridge.preload.ts; it runs sandboxed and context-isolated and exposes one function per
      // contract call/event through contextBridge, never ipcRenderer or a generic invoke.
      preload: preloadPath, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      // A middle-click (auxclick) on a link would ask for a new window; the window-open handler denies
      // it anyway, but the kiosk should not even try.
      disableBlinkFeatures: 'Auxclick',
      // Developers may inspect an unpackaged build; a packaged kiosk has no devtools at all.
      devTools: !app.isPackaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  return window;
}

/** The services hold a SQLite store: close it before the process exits, exactly once. */
function closeServicesBeforeQuit(services: { close(): Promise<void> }, unbindCalls: () => void): void {
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    unbindCalls();
    services
      .close()
      .catch((error: unknown) => console.error('[kawei] closing the services failed', error))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}

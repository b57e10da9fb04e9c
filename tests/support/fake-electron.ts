import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

/**
 * Stand-ins for the `electron` module, which cannot run on this machine (no Electron binary). They
 * record what our bundles ask of Electron so the tests can check the wiring: which handlers, which
 * options, which channels. They implement only the calls our code makes; anything else throws, so a
 * new Electron call in our code shows up here instead of silently passing.
 */

type Handler = (...args: unknown[]) => unknown;

/** Runs a CommonJS bundle with `require('electron')` answered by a fake; other requires go to `requireOther`. */
export function loadCommonJsBundle(
  file: string,
  code: string,
  fakeElectron: unknown,
  requireOther: (id: string) => unknown,
  context?: vm.Context,
): { required: string[] } {
  const required: string[] = [];
  const requireInBundle = (id: string): unknown => {
    required.push(id);
    return id === 'electron' ? fakeElectron : requireOther(id);
  };
  const run = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename: file,
    // import() in the bundle (pdf.js is ESM-only) resolves from the bundle's file, as in Electron.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    ...(context ? { parsingContext: context } : {}),
  });
  const module = { exports: {} };
  run(module.exports, requireInBundle, module, file, dirname(file));
  return { required };
}

/** Node's require, resolving from a package directory (where the packaged app has its node_modules). */
export function requireFrom(packageDir: string): (id: string) => unknown {
  return createRequire(`${packageDir}/package.json`);
}

// ---------------------------------------------------------------------------------------------------
// Preload side: contextBridge + ipcRenderer

export interface FakePreloadElectron {
  electron: { contextBridge: unknown; ipcRenderer: unknown };
  exposed: Map<string, unknown>;
  invocations: { channel: string; args: unknown[] }[];
  /** Listeners currently registered with ipcRenderer.on, per channel (an EventEmitter keeps duplicates). */
  listeners: Map<string, Handler[]>;
  /** What the next ipcRenderer.invoke returns (or rejects with). */
  answerInvoke: (answer: (channel: string, input: unknown) => Promise<unknown>) => void;
  /** Simulates the main process sending on a channel: calls every registered listener with (event, payload). */
  emit: (channel: string, payload: unknown) => void;
}

export function createFakePreloadElectron(): FakePreloadElectron {
  const exposed = new Map<string, unknown>();
  const invocations: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Handler[]>();
  let answer = (channel: string, input: unknown): Promise<unknown> => Promise.resolve({ ok: true, value: { channel, input } });

  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown) {
      if (exposed.has(key)) throw new Error(`exposeInMainWorld(${key}) called twice`);
      exposed.set(key, api);
    },
  };
  const ipcRenderer = {
    invoke(channel: string, ...args: unknown[]) {
      invocations.push({ channel, args });
      return answer(channel, args[0]);
    },
    on(channel: string, listener: Handler) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      return ipcRenderer;
    },
    removeListener(channel: string, listener: Handler) {
      // Like EventEmitter.removeListener: removes the most recently added instance of that listener.
      const registered = listeners.get(channel) ?? [];
      const index = registered.lastIndexOf(listener);
      if (index >= 0) listeners.set(channel, registered.filter((_, i) => i !== index));
      return ipcRenderer;
    },
  };
  return {
    electron: strict('electron (preload)', { contextBridge, ipcRenderer }),
    exposed,
    invocations,
    listeners,
    answerInvoke: (next) => {
      answer = next;
    },
    emit: (channel, payload) => {
      const event = { sender: ipcRenderer, senderId: 0, ports: [] };
      for (const listener of listeners.get(channel) ?? []) listener(event, payload);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Main side: app, BrowserWindow, protocol, session, ipcMain, Menu

export interface FakeWebContents {
  handlers: Map<string, Handler[]>;
  windowOpenHandler: Handler | null;
  sent: { channel: string; payload: unknown }[];
}

export interface FakeWindow {
  options: Record<string, unknown>;
  loadedUrl: string | null;
  /** Every loadURL, in order (the first load, then reloads after a renderer is gone). */
  loads: string[];
  webContents: FakeWebContents & { crashes: number };
  /** The window's own events (close, unresponsive…), as BrowserWindow.on registered them. */
  handlers: Map<string, Handler[]>;
  emit: (event: string, ...args: unknown[]) => void;
}

export interface FakeMainElectron {
  electron: Record<string, unknown>;
  calls: string[];
  appHandlers: Map<string, Handler[]>;
  privilegedSchemes: unknown[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  ipcHandlers: Map<string, Handler>;
  permissionRequestHandler: Handler | null;
  permissionCheckHandler: Handler | null;
  devicePermissionHandler: Handler | null;
  sessionHandlers: Map<string, Handler[]>;
  windows: FakeWindow[];
  /** dialog.showErrorBox calls: what the technician would read. */
  errorBoxes: { title: string; content: string }[];
  exitCode: number | null;
  /** Resolves app.whenReady(). */
  becomeReady: () => void;
  /** Resolves when a window has loaded a URL (the end of startup) or the app exited. */
  started: Promise<void>;
  createWebContents: () => FakeWebContents & Record<string, unknown>;
  emitApp: (event: string, ...args: unknown[]) => void;
}

export function createFakeMainElectron(options: {
  appPath: string;
  userData: string;
  version: string;
  /** app.isPackaged; true (an installed build) unless a test says otherwise. */
  isPackaged?: boolean;
}): FakeMainElectron {
  const calls: string[] = [];
  const appHandlers = new Map<string, Handler[]>();
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  const ipcHandlers = new Map<string, Handler>();
  const windows: FakeWindow[] = [];
  let becomeReady = () => {};
  const ready = new Promise<void>((resolve) => {
    becomeReady = resolve;
  });
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });

  const fake: FakeMainElectron = {
    electron: {},
    calls,
    appHandlers,
    privilegedSchemes: [],
    protocolHandlers,
    ipcHandlers,
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    devicePermissionHandler: null,
    sessionHandlers: new Map(),
    windows,
    errorBoxes: [],
    exitCode: null,
    becomeReady: () => becomeReady(),
    started,
    createWebContents,
    emitApp: (event, ...args) => {
      for (const handler of appHandlers.get(event) ?? []) handler(...args);
    },
  };

  function createWebContents() {
    const handlers = new Map<string, Handler[]>();
    const contents = {
      handlers,
      windowOpenHandler: null as Handler | null,
      sent: [] as { channel: string; payload: unknown }[],
      on(event: string, handler: Handler) {
        handlers.set(event, [...(handlers.get(event) ?? []), handler]);
        return contents;
      },
      setWindowOpenHandler(handler: Handler) {
        contents.windowOpenHandler = handler;
      },
      isDestroyed: () => false,
      send(channel: string, payload: unknown) {
        contents.sent.push({ channel, payload });
      },
      crashes: 0,
      forcefullyCrashRenderer() {
        contents.crashes++;
      },
    };
    return contents;
  }

  const app = {
    isPackaged: options.isPackaged ?? true,
    enableSandbox: () => calls.push('app.enableSandbox'),
    requestSingleInstanceLock: () => {
      calls.push('app.requestSingleInstanceLock');
      return true;
    },
    on(event: string, handler: Handler) {
      appHandlers.set(event, [...(appHandlers.get(event) ?? []), handler]);
      return app;
    },
    whenReady: () => ready,
    getAppPath: () => options.appPath,
    getPath: (name: string) => {
      if (name !== 'userData') throw new Error(`fake app.getPath(${name}) not implemented`);
      return options.userData;
    },
    getVersion: () => options.version,
    quit: () => calls.push('app.quit'),
    exit: (code: number) => {
      calls.push(`app.exit(${code})`);
      fake.exitCode = code;
      markStarted();
    },
  };

  class BrowserWindow {
    readonly webContents = createWebContents();
    readonly record: FakeWindow;
    private readonly handlers = new Map<string, Handler[]>();
    constructor(windowOptions: Record<string, unknown>) {
      this.record = {
        options: windowOptions,
        loadedUrl: null,
        loads: [],
        webContents: this.webContents,
        handlers: this.handlers,
        emit: (event, ...args) => {
          for (const handler of this.handlers.get(event) ?? []) handler(...args);
        },
      };
      windows.push(this.record);
      // Electron emits web-contents-created for every new WebContents, the window's included.
      fake.emitApp('web-contents-created', {}, this.webContents);
    }
    on(event: string, handler: Handler) {
      this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
      return this;
    }
    once(event: string, handler: Handler) {
      return this.on(event, handler);
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    restore() {}
    focus() {}
    show() {}
    async loadURL(url: string) {
      this.record.loadedUrl = url;
      this.record.loads.push(url);
      markStarted();
    }
  }

  fake.electron = strict('electron (main)', {
    app: strict('app', app),
    BrowserWindow,
    dialog: strict('dialog', {
      showErrorBox: (title: string, content: string) => fake.errorBoxes.push({ title, content }),
    }),
    Menu: strict('Menu', { setApplicationMenu: (menu: unknown) => calls.push(`Menu.setApplicationMenu(${String(menu)})`) }),
    protocol: strict('protocol', {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        calls.push('protocol.registerSchemesAsPrivileged');
        fake.privilegedSchemes.push(...schemes);
      },
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => protocolHandlers.set(scheme, handler),
    }),
    session: strict('session', {
      defaultSession: strict('session.defaultSession', {
        setPermissionRequestHandler: (handler: Handler) => {
          fake.permissionRequestHandler = handler;
        },
        setPermissionCheckHandler: (handler: Handler) => {
          fake.permissionCheckHandler = handler;
        },
        setDevicePermissionHandler: (handler: Handler) => {
          fake.devicePermissionHandler = handler;
        },
        on: (event: string, handler: Handler) => {
          fake.sessionHandlers.set(event, [...(fake.sessionHandlers.get(event) ?? []), handler]);
        },
      }),
    }),
    ipcMain: strict('ipcMain', {
      handle: (channel: string, handler: Handler) => {
        if (ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
        ipcHandlers.set(channel, handler);
      },
      removeHandler: (channel: string) => ipcHandlers.delete(channel),
    }),
  });
  return fake;
}

/** A proxy that throws on any property our fakes do not implement. */
function strict<T extends object>(name: string, target: T): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      if (typeof property === 'symbol' || property in object) return Reflect.get(object, property, receiver) as unknown;
      // Interop helpers esbuild's CommonJS output may probe for.
      if (property === '__esModule' || property === 'default' || property === 'then') return undefined;
      throw new Error(`the fake ${name} has no "${property}": extend tests/support/fake-electron.ts`);
    },
  });
}

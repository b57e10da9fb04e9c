import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { boothContract } from '@kawei/shared/contract/booth.contract.ts';
import { BRIDGE_GLOBAL, type PreloadBridge } from '@kawei/shared/contract/bridge.ts';
import { ipcCallChannel, ipcEventChannel, type CallResult, type Contract } from '@kawei/shared/contract/contract.ts';
import { gateContract } from '@kawei/shared/contract/gate.contract.ts';
import { APP_ENTRY_URL, CONTENT_SECURITY_POLICY } from '@kawei/shared/electron/secure-policy.ts';
import { APP_LAYOUT } from '@kawei/shared/electron/app-layout.ts';
import { UNRESPONSIVE_GRACE_MS } from '@kawei/shared/electron/kiosk-policy.ts';
import { buildElectron, type ElectronApp, type ElectronBuildResult } from '../scripts/build-electron.node.ts';
import {
  createFakeMainElectron,
  createFakePreloadElectron,
  loadCommonJsBundle,
  requireFrom,
  type FakeMainElectron,
} from './support/fake-electron.ts';

/**
 * Electron cannot run here, so this checks what can be checked honestly: both bundles build, and
 * the built bundles, run against a recording stand-in for the `electron` module, expose exactly the
 * contract and wire every security hook with the intended settings.
 */

const REPO_ROOT = resolve(import.meta.dirname, '..');
const APPS: readonly { app: ElectronApp; contract: Contract }[] = [
  { app: 'booth-client', contract: boothContract },
  { app: 'gate-kiosk', contract: gateContract },
];

let outRoot: string;
const bundles = new Map<ElectronApp, ElectronBuildResult>();

beforeAll(async () => {
  outRoot = await mkdtemp(join(tmpdir(), 'kawei-electron-build-'));
  for (const { app } of APPS) bundles.set(app, await buildElectron(app, { outDir: join(outRoot, app) }));
});
afterAll(async () => {
  await rm(outRoot, { recursive: true, force: true });
});

function bundlesOf(app: ElectronApp): ElectronBuildResult {
  const built = bundles.get(app);
  if (!built) throw new Error(`${app} was not built`);
  return built;
}

describe.each(APPS)('$app preload bundle', ({ app, contract }) => {
  async function loadPreload() {
    const fake = createFakePreloadElectron();
    const file = bundlesOf(app).preloadBundle;
    // A fresh global scope, like the sandboxed preload's isolated world: no Node globals besides console.
    const context = vm.createContext({ console });
    const { required } = loadCommonJsBundle(file, await readFile(file, 'utf8'), fake.electron, (id) => {
      throw new Error(`a sandboxed preload cannot require "${id}"`);
    }, context);
    const bridge = fake.exposed.get(BRIDGE_GLOBAL) as PreloadBridge;
    return { fake, bridge, required };
  }

  it('requires nothing but electron and exposes only window.kawei', async () => {
    const { fake, required } = await loadPreload();
    expect([...new Set(required)]).toEqual(['electron']);
    expect([...fake.exposed.keys()]).toEqual([BRIDGE_GLOBAL]);
  });

  it("exposes exactly the contract's calls and events, nothing generic", async () => {
    const { bridge } = await loadPreload();
    expect(Object.keys(bridge).sort()).toEqual(['calls', 'contract', 'events']);
    expect(bridge.contract).toBe(contract.name);
    expect(Object.keys(bridge.calls).sort()).toEqual(Object.keys(contract.calls).sort());
    expect(Object.keys(bridge.events).sort()).toEqual(Object.keys(contract.events).sort());
    for (const fn of [...Object.values(bridge.calls), ...Object.values(bridge.events)]) expect(typeof fn).toBe('function');
    expect(Object.isFrozen(bridge) && Object.isFrozen(bridge.calls) && Object.isFrozen(bridge.events)).toBe(true);
  });

  it('invokes each call on its own channel with the input as given', async () => {
    const { fake, bridge } = await loadPreload();
    for (const name of Object.keys(contract.calls)) {
      const call = bridge.calls[name];
      if (!call) throw new Error(`no bridge call ${name}`);
      const input = { probe: name };
      await expect(call(input)).resolves.toEqual({ ok: true, value: { channel: ipcCallChannel(contract, name), input } });
    }
    expect(fake.invocations.map((i) => i.channel)).toEqual(Object.keys(contract.calls).map((n) => ipcCallChannel(contract, n)));
    expect(fake.invocations.every((i) => i.args.length === 1)).toBe(true);
  });

  it('turns a rejected invoke into an INTERNAL CallResult instead of rejecting', async () => {
    const { fake, bridge } = await loadPreload();
    fake.answerInvoke(() => Promise.reject(new Error('No handler registered')));
    const [name] = Object.keys(contract.calls);
    const result = (await bridge.calls[name!]!({})) as CallResult;
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('passes only the payload to subscribers and unsubscribes exactly one listener', async () => {
    const { fake, bridge } = await loadPreload();
    for (const name of Object.keys(contract.events)) {
      const channel = ipcEventChannel(contract, name);
      const subscribe = bridge.events[name]!;
      const first: unknown[][] = [];
      const second: unknown[][] = [];
      const unsubscribeFirst = subscribe((...args: unknown[]) => first.push(args));
      subscribe((...args: unknown[]) => second.push(args));
      expect(fake.listeners.get(channel)).toHaveLength(2);

      fake.emit(channel, { n: 1 });
      expect(first).toEqual([[{ n: 1 }]]);
      expect(second).toEqual([[{ n: 1 }]]);

      unsubscribeFirst();
      unsubscribeFirst();
      expect(fake.listeners.get(channel)).toHaveLength(1);
      fake.emit(channel, { n: 2 });
      expect(first).toHaveLength(1);
      expect(second).toEqual([[{ n: 1 }], [{ n: 2 }]]);
    }
  });

  it('refuses a listener that is not a function', async () => {
    const { bridge } = await loadPreload();
    const subscribe = Object.values(bridge.events)[0]!;
    expect(() => subscribe('alert(1)' as unknown as () => void)).toThrow(/listener must be a function/);
  });
});

describe.each(APPS)('$app main bundle', ({ app, contract }) => {
  let workDir: string;
  let fake: FakeMainElectron;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), `kawei-${app}-main-`));
    const appPath = join(workDir, 'app');
    await mkdir(join(appPath, APP_LAYOUT.rendererDir), { recursive: true });
    await writeFile(join(appPath, APP_LAYOUT.rendererDir, 'index.html'), '<!doctype html><title>kawei</title>');
    await writeFile(join(workDir, 'secret.txt'), 'outside the renderer');

    fake = createFakeMainElectron({ appPath, userData: join(workDir, 'userData'), version: '0.1.0' });
    const file = bundlesOf(app).mainBundle;
    // Externals (better-sqlite3) resolve from the app's package directory, as in the packaged app.
    loadCommonJsBundle(file, await readFile(file, 'utf8'), fake.electron, requireFrom(join(REPO_ROOT, app)));
  });
  afterAll(async () => {
    // Lets the bundle close its services (the SQLite store) the way Electron's quit sequence would.
    fake.emitApp('will-quit', { preventDefault: () => {} });
    await new Promise((done) => setTimeout(done, 50));
    await rm(workDir, { recursive: true, force: true });
  });

  it('does its pre-ready setup: privileged scheme without bypassCSP, sandbox, single-instance lock, no menu', () => {
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'kawei', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(fake.calls).toEqual([
      'protocol.registerSchemesAsPrivileged',
      'app.enableSandbox',
      'app.requestSingleInstanceLock',
      'Menu.setApplicationMenu(null)',
    ]);
    expect(fake.windows).toHaveLength(0);
  });

  it('opens one kiosk window with the locked-down webPreferences and loads kawei://app', async () => {
    fake.becomeReady();
    await fake.started;
    expect(fake.exitCode).toBeNull();
    expect(fake.windows).toHaveLength(1);
    const window = fake.windows[0]!;
    expect(window.loadedUrl).toBe(APP_ENTRY_URL);
    expect(window.options).toMatchObject({ kiosk: true, fullscreen: true });
    expect(window.options['webPreferences']).toEqual({
      preload: join(workDir, 'app', APP_LAYOUT.preloadBundle),
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
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    });
  });

  it('serves the renderer with the CSP and refuses to leave the renderer directory', async () => {
    const handle = fake.protocolHandlers.get('kawei');
    if (!handle) throw new Error('no kawei protocol handler');
    const index = await handle(new Request('kawei://app/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await index.text()).toContain('<title>kawei</title>');

    expect((await handle(new Request('kawei://app/..%2F..%2Fsecret.txt'))).status).toBe(403);
    expect((await handle(new Request('kawei://app/missing.js'))).status).toBe(404);
    expect((await handle(new Request('kawei://app/', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('binds exactly the contract calls, serves the app frame and refuses anyone else', async () => {
    expect([...fake.ipcHandlers.keys()].sort()).toEqual(Object.keys(contract.calls).map((n) => ipcCallChannel(contract, n)).sort());
    const getStatus = fake.ipcHandlers.get(ipcCallChannel(contract, 'getStatus'))!;
    const appFrame = { senderFrame: { url: APP_ENTRY_URL, parent: null } };

    await expect(getStatus(appFrame, {})).resolves.toMatchObject({ ok: true });
    await expect(getStatus(appFrame, { unexpected: 1 })).resolves.toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    for (const senderFrame of [null, { url: 'https://evil.example/', parent: null }, { url: APP_ENTRY_URL, parent: {} }]) {
      await expect(getStatus({ senderFrame }, {})).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    }
  });

  it('grants only camera/microphone to the app origin', () => {
    const request = fake.permissionRequestHandler!;
    const decide = (permission: string, details: Record<string, unknown>) => {
      let granted: unknown;
      request({}, permission, (answer: boolean) => (granted = answer), details);
      return granted;
    };
    const fromApp = { requestingUrl: APP_ENTRY_URL, isMainFrame: true };
    expect(decide('media', { ...fromApp, mediaTypes: ['video', 'audio'], securityOrigin: 'kawei://app' })).toBe(true);
    expect(decide('media', { ...fromApp, mediaTypes: [] })).toBe(false);
    expect(decide('notifications', fromApp)).toBe(false);
    expect(decide('media', { requestingUrl: 'https://evil.example/', isMainFrame: true, mediaTypes: ['video'] })).toBe(false);

    const check = fake.permissionCheckHandler!;
    expect(check(null, 'media', 'kawei://app', { isMainFrame: true, mediaType: 'video', requestingUrl: APP_ENTRY_URL })).toBe(true);
    expect(check(null, 'media', 'kawei://app', { isMainFrame: true, mediaType: 'unknown' })).toBe(false);
    expect(check(null, 'clipboard-read', 'kawei://app', { isMainFrame: true })).toBe(false);
  });

  it('refuses navigation, redirects, webviews and pop-ups in every web contents', () => {
    const contents = fake.createWebContents();
    fake.emitApp('web-contents-created', {}, contents);
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      for (const handler of contents.handlers.get(event) ?? []) handler({ preventDefault: () => (prevented = true) });
      expect(prevented, event).toBe(true);
    }
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    let bluetoothPrevented = false;
    let bluetoothChoice: unknown = 'none';
    for (const handler of contents.handlers.get('select-bluetooth-device') ?? []) {
      handler({ preventDefault: () => (bluetoothPrevented = true) }, [{ deviceId: 'x' }], (id: unknown) => (bluetoothChoice = id));
    }
    expect([bluetoothPrevented, bluetoothChoice]).toEqual([true, '']);
  });

  it('grants no HID, serial or USB device and cancels every device chooser', () => {
    const decide = fake.devicePermissionHandler;
    if (!decide) throw new Error('no device permission handler');
    for (const deviceType of ['hid', 'serial', 'usb']) expect(decide({ deviceType, origin: 'kawei://app', device: {} })).toBe(false);
    const choosers: [string, unknown[]][] = [
      ['select-hid-device', [{ deviceList: [{ deviceId: 'h' }] }]],
      ['select-serial-port', [[{ portId: 'p' }], {}]],
      ['select-usb-device', [{ deviceList: [{ deviceId: 'u' }] }]],
    ];
    for (const [event, args] of choosers) {
      const handlers = fake.sessionHandlers.get(event) ?? [];
      expect(handlers, event).toHaveLength(1);
      let prevented = false;
      let chosen: unknown = 'none';
      handlers[0]!({ preventDefault: () => (prevented = true) }, ...args, (id?: unknown) => (chosen = id ?? null));
      expect(prevented, event).toBe(true);
      expect([null, ''], event).toContain(chosen);
    }
  });

  it('reloads the app after its renderer is gone, at once for the first crashes, then after a wait', () => {
    vi.useFakeTimers();
    try {
      const window = fake.windows[0]!;
      const before = window.loads.length;
      const gone = () => window.webContents.handlers.get('render-process-gone')!.forEach((h) => h({}, { reason: 'crashed', exitCode: 11 }));
      for (let i = 0; i < 3; i++) gone();
      expect(window.loads.slice(before)).toEqual([APP_ENTRY_URL, APP_ENTRY_URL, APP_ENTRY_URL]);
      gone();
      expect(window.loads.length - before).toBe(3);
      vi.runOnlyPendingTimers();
      expect(window.loads.length - before).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('kills a renderer that stays unresponsive, not one that recovers', () => {
    vi.useFakeTimers();
    try {
      const window = fake.windows[0]!;
      window.emit('unresponsive');
      vi.advanceTimersByTime(UNRESPONSIVE_GRACE_MS - 1);
      window.emit('responsive');
      vi.advanceTimersByTime(UNRESPONSIVE_GRACE_MS);
      expect(window.webContents.crashes).toBe(0);
      window.emit('unresponsive');
      vi.advanceTimersByTime(UNRESPONSIVE_GRACE_MS);
      expect(window.webContents.crashes).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses to close the kiosk window until the app quits', () => {
    const window = fake.windows[0]!;
    const close = () => {
      let prevented = false;
      window.emit('close', { preventDefault: () => (prevented = true) });
      return prevented;
    };
    expect(close()).toBe(true);
    fake.emitApp('before-quit', { preventDefault: () => {} });
    expect(close()).toBe(false);
  });
});

/** The technician's config that switches liveness off, per app (test-only: refused when packaged). */
const LIVENESS_OFF: Record<ElectronApp, Record<string, unknown>> = {
  'booth-client': { livenessChallenges: 0 },
  'gate-kiosk': { liveness: 'off' },
};

describe.each(APPS)('$app main bundle with liveness switched off', ({ app }) => {
  async function start(isPackaged: boolean) {
    const workDir = await mkdtemp(join(tmpdir(), `kawei-${app}-liveness-`));
    const appPath = join(workDir, 'app');
    const userData = join(workDir, 'userData');
    await mkdir(join(appPath, APP_LAYOUT.rendererDir), { recursive: true });
    await mkdir(userData, { recursive: true });
    await writeFile(join(appPath, APP_LAYOUT.rendererDir, 'index.html'), '<!doctype html><title>kawei</title>');
    await writeFile(join(userData, 'config.json'), JSON.stringify(LIVENESS_OFF[app]));
    const fake = createFakeMainElectron({ appPath, userData, version: '0.1.0', isPackaged });
    const file = bundlesOf(app).mainBundle;
    loadCommonJsBundle(file, await readFile(file, 'utf8'), fake.electron, requireFrom(join(REPO_ROOT, app)));
    fake.becomeReady();
    await fake.started;
    return { fake, workDir };
  }

  it('a packaged build refuses to start and tells the technician why, in Chinese and English', async () => {
    const { fake, workDir } = await start(true);
    try {
      expect(fake.exitCode).toBe(1);
      expect(fake.windows).toHaveLength(0);
      expect(fake.errorBoxes).toHaveLength(1);
      const content = fake.errorBoxes[0]!.content;
      expect(content).toMatch(/正式安装包拒绝仅供测试的配置/);
      expect(content).toMatch(/a packaged build refuses test-only settings/);
      expect(content).toContain(app === 'booth-client' ? 'livenessChallenges=0' : 'liveness=off');
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });

  it('an unpackaged build starts with it (developers, tests)', async () => {
    const { fake, workDir } = await start(false);
    try {
      expect(fake.exitCode).toBeNull();
      expect(fake.errorBoxes).toEqual([]);
      expect(fake.windows).toHaveLength(1);
    } finally {
      fake.emitApp('will-quit', { preventDefault: () => {} });
      await new Promise((done) => setTimeout(done, 50));
      await rm(workDir, { recursive: true, force: true });
    }
  });
});

describe('real output directory', () => {
  it('buildElectron writes <app>/dist-electron by default, where electron-builder packs it from', async () => {
    const { mainBundle, preloadBundle } = await buildElectron('booth-client');
    expect(mainBundle).toBe(join(REPO_ROOT, 'booth-client', APP_LAYOUT.mainBundle));
    expect(preloadBundle).toBe(join(REPO_ROOT, 'booth-client', APP_LAYOUT.preloadBundle));
    expect((await stat(mainBundle)).isFile() && (await stat(preloadBundle)).isFile()).toBe(true);
  });
});

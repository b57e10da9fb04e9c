import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  FALLBACK_MIME_TYPE,
  isAppOrigin,
  isDeviceAccessGranted,
  isPermissionGranted,
  isTrustedIpcSender,
  mimeTypeFor,
  resolveAppAsset,
  responseHeadersFor,
  type PermissionQuery,
} from '@kawei/shared/electron/secure-policy.ts';
import { KioskCloseGuard, RendererRecovery } from '@kawei/shared/electron/kiosk-policy.ts';

const RENDERER_DIR = resolve('/srv/kawei/dist/renderer');

describe('resolveAppAsset', () => {
  it('serves index.html for the root and files below the renderer directory', () => {
    expect(resolveAppAsset(RENDERER_DIR, 'kawei://app/')).toEqual({ kind: 'file', filePath: join(RENDERER_DIR, 'index.html') });
    expect(resolveAppAsset(RENDERER_DIR, APP_ENTRY_URL)).toEqual({ kind: 'file', filePath: join(RENDERER_DIR, 'index.html') });
    expect(resolveAppAsset(RENDERER_DIR, 'kawei://app/assets/index-abc.js?v=1#x')).toEqual({
      kind: 'file',
      filePath: join(RENDERER_DIR, 'assets', 'index-abc.js'),
    });
    expect(resolveAppAsset(RENDERER_DIR, 'kawei://app/assets/%E5%8D%A1%E4%BD%8D.png')).toEqual({
      kind: 'file',
      filePath: join(RENDERER_DIR, 'assets', '卡位.png'),
    });
  });

  it.each([
    ['encoded dot-dot segments', 'kawei://app/..%2F..%2Fetc%2Fpasswd'],
    ['encoded slash after dot-dot', 'kawei://app/assets/..%2F..%2F..%2Fsecret'],
    ['encoded dots and slashes in one segment', 'kawei://app/assets/%2E%2E%2F%2E%2E%2Fsecret'],
  ])('refuses path traversal: %s', (_label, url) => {
    expect(resolveAppAsset(RENDERER_DIR, url)).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('lets URL parsing collapse plain dot-dot segments, which then stay inside the renderer directory', () => {
    expect(resolveAppAsset(RENDERER_DIR, 'kawei://app/../../etc/passwd')).toEqual({
      kind: 'file',
      filePath: join(RENDERER_DIR, 'etc', 'passwd'),
    });
    expect(resolveAppAsset(RENDERER_DIR, 'kawei://app/%2E%2E')).toEqual({ kind: 'file', filePath: join(RENDERER_DIR, 'index.html') });
  });

  it.each([
    ['a NUL byte', 'kawei://app/index.html%00.png'],
    ['a backslash', 'kawei://app/..%5C..%5Csecret'],
    ['broken percent-encoding', 'kawei://app/%E0%A4%A'],
  ])('refuses %s', (_label, url) => {
    expect(resolveAppAsset(RENDERER_DIR, url)).toMatchObject({ kind: 'refused', status: 400 });
  });

  it('refuses other hosts, schemes and user-info look-alikes', () => {
    for (const url of ['kawei://evil/index.html', 'https://app/index.html', 'kawei://evil@app/index.html', 'kawei://app:8080/']) {
      expect(resolveAppAsset(RENDERER_DIR, url)).toMatchObject({ kind: 'refused', status: 403 });
    }
    expect(resolveAppAsset(RENDERER_DIR, 'not a url')).toMatchObject({ kind: 'refused', status: 400 });
  });

  it('refuses methods other than GET and HEAD', () => {
    expect(resolveAppAsset(RENDERER_DIR, APP_ENTRY_URL, 'HEAD')).toMatchObject({ kind: 'file' });
    expect(resolveAppAsset(RENDERER_DIR, APP_ENTRY_URL, 'POST')).toMatchObject({ kind: 'refused', status: 405 });
  });
});

describe('MIME types and response headers', () => {
  it('maps the files a Vite build produces', () => {
    expect(mimeTypeFor('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeFor('/x/assets/index-abc.js')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('/x/assets/index-abc.CSS')).toBe('text/css; charset=utf-8');
    expect(mimeTypeFor('/x/logo.svg')).toBe('image/svg+xml');
    expect(mimeTypeFor('/x/font.woff2')).toBe('font/woff2');
    expect(mimeTypeFor('/x/model.wasm')).toBe('application/wasm');
    expect(mimeTypeFor('/x/README')).toBe(FALLBACK_MIME_TYPE);
  });

  it('sends the strict CSP with every file, letting the face guidance compile WebAssembly and nothing more', () => {
    const headers = responseHeadersFor('/x/index.html');
    expect(headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.slice(0, d.indexOf(' ')), d.slice(d.indexOf(' ') + 1)]),
    );
    expect(directives).toEqual({
      'default-src': "'self'",
      // The tfjs wasm backend of the face guidance; without it the packaged app cannot guide a face.
      'script-src': "'self' 'wasm-unsafe-eval'",
      'style-src': "'self' 'unsafe-inline'",
      'img-src': "'self' data: blob:",
      'media-src': "'self' blob: mediastream:",
      'connect-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
      'form-action': "'none'",
    });
  });
});

describe('isAppOrigin', () => {
  it('accepts the app origin with or without a path', () => {
    expect(isAppOrigin('kawei://app')).toBe(true);
    expect(isAppOrigin('kawei://app/')).toBe(true);
    expect(isAppOrigin('kawei://app/index.html?x#y')).toBe(true);
  });
  it('refuses anything else', () => {
    for (const origin of [undefined, null, '', 'null', 'kawei://app.evil', 'kawei://evil', 'kawei://u:p@app', 'kawei://app:1', 'file:///app', 'http://app', 'devtools://app']) {
      expect(isAppOrigin(origin), String(origin)).toBe(false);
    }
  });
});

describe('isTrustedIpcSender', () => {
  it('trusts only the top-level document of the app origin', () => {
    expect(isTrustedIpcSender({ url: APP_ENTRY_URL, parent: null })).toBe(true);
    expect(isTrustedIpcSender({ url: APP_ENTRY_URL, parent: { url: APP_ENTRY_URL } })).toBe(false);
    expect(isTrustedIpcSender({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isTrustedIpcSender({ url: 'about:blank', parent: null })).toBe(false);
    expect(isTrustedIpcSender(null)).toBe(false);
    expect(isTrustedIpcSender(undefined)).toBe(false);
  });
});

describe('isPermissionGranted', () => {
  const camera: PermissionQuery = {
    permission: 'media',
    origins: [APP_ENTRY_URL, 'kawei://app'],
    isMainFrame: true,
    mediaTypes: ['video', 'audio'],
  };

  it('grants camera and microphone to the app', () => {
    expect(isPermissionGranted(camera)).toBe(true);
    expect(isPermissionGranted({ ...camera, mediaTypes: ['video'] })).toBe(true);
    expect(isPermissionGranted({ ...camera, origins: [APP_ENTRY_URL, undefined] })).toBe(true);
  });

  it('denies every other permission, even to the app', () => {
    for (const permission of ['notifications', 'geolocation', 'display-capture', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb', 'unknown']) {
      expect(isPermissionGranted({ ...camera, permission }), permission).toBe(false);
    }
  });

  it('denies media to other origins, to sub-frames and for unspecified media types', () => {
    expect(isPermissionGranted({ ...camera, origins: ['https://evil.example/'] })).toBe(false);
    expect(isPermissionGranted({ ...camera, origins: [APP_ENTRY_URL, 'https://evil.example'] })).toBe(false);
    expect(isPermissionGranted({ ...camera, origins: [] })).toBe(false);
    expect(isPermissionGranted({ ...camera, origins: [undefined] })).toBe(false);
    expect(isPermissionGranted({ ...camera, isMainFrame: false })).toBe(false);
    expect(isPermissionGranted({ ...camera, mediaTypes: [] })).toBe(false);
    expect(isPermissionGranted({ ...camera, mediaTypes: ['unknown'] })).toBe(false);
    expect(isPermissionGranted({ ...camera, mediaTypes: [undefined] })).toBe(false);
    expect(isPermissionGranted({ ...camera, mediaTypes: ['video', 'screen'] })).toBe(false);
  });
});

describe('isDeviceAccessGranted', () => {
  it('grants no HID, serial or USB device to any origin, the app included', () => {
    for (const deviceType of ['hid', 'serial', 'usb']) {
      expect(isDeviceAccessGranted({ deviceType, origin: 'kawei://app' })).toBe(false);
      expect(isDeviceAccessGranted({ deviceType, origin: 'https://evil.example' })).toBe(false);
    }
  });
});

describe('RendererRecovery', () => {
  function clock(start = 1_000_000) {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }

  it('reloads at once for the first crashes, then waits longer each time, up to the ceiling', () => {
    const c = clock();
    const recovery = new RendererRecovery({ maxQuickReloads: 3, windowMs: 60_000, firstDelayMs: 5_000, maxDelayMs: 40_000, now: c.now });
    const delays = Array.from({ length: 7 }, () => {
      const d = recovery.decide({ quitting: false });
      c.advance(1_000);
      return d.action === 'reload' ? d.delayMs : -1;
    });
    expect(delays).toEqual([0, 0, 0, 5_000, 10_000, 20_000, 40_000]);
  });

  it('forgets crashes older than its window: a renderer that crashes once a day always reloads at once', () => {
    const c = clock();
    const recovery = new RendererRecovery({ maxQuickReloads: 1, windowMs: 60_000, now: c.now });
    for (let day = 0; day < 5; day++) {
      expect(recovery.decide({ quitting: false })).toMatchObject({ action: 'reload', delayMs: 0, recentCrashes: 1 });
      c.advance(24 * 3600_000);
    }
  });

  it('does not reload while the app is quitting', () => {
    expect(new RendererRecovery().decide({ quitting: true })).toEqual({ action: 'none', why: 'quitting' });
  });
});

describe('KioskCloseGuard', () => {
  it('refuses to close the kiosk until the app quits', () => {
    const guard = new KioskCloseGuard();
    expect(guard.shouldPreventClose()).toBe(true);
    guard.beginQuit();
    expect(guard.shouldPreventClose()).toBe(false);
    expect(guard.isQuitting).toBe(true);
  });
});

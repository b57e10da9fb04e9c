import { confineToRoot, contentSecurityPolicy, FALLBACK_MIME_TYPE, mimeTypeFor } from '../security/renderer-files.ts';

export { FALLBACK_MIME_TYPE, mimeTypeFor };

/**
 * The security decisions of the Electron shell, kept free of any `electron` import so they can be
 * unit-tested in plain Node. secure-app.main.ts only wires these into Electron's hooks.
 */

export const APP_SCHEME = 'kawei';
export const APP_HOST = 'app';
/** The one origin the renderer is served from; the only one trusted with IPC and the camera. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The renderer's CSP. `wasm`: the face guidance runs the tfjs wasm backend in the renderer, which
 * Chromium refuses to compile under `script-src 'self'` alone; 'wasm-unsafe-eval' allows WebAssembly
 * compilation and nothing else (no eval, no new Function). The Node host serves the same policy.
 */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy({ wasm: true });

/** Headers for every file served from kawei://app. The CSP travels as a header, not a <meta>, so the
 * renderer's own HTML cannot weaken it. */
export function responseHeadersFor(filePath: string): Record<string, string> {
  return {
    'Content-Type': mimeTypeFor(filePath),
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

/**
 * `new URL('kawei://app/x').origin` is the string "null" in Node (kawei: is not a WHATWG special
 * scheme), so origins are compared on their parts instead. User info and ports are refused: the app
 * origin has neither, and allowing them would make look-alikes such as kawei://evil@app pass.
 */
export function isAppOrigin(urlOrOrigin: string | undefined | null): boolean {
  if (!urlOrOrigin) return false;
  let url: URL;
  try {
    url = new URL(urlOrOrigin);
  } catch {
    return false;
  }
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.hostname === APP_HOST &&
    url.port === '' &&
    url.username === '' &&
    url.password === ''
  );
}

export type AssetResolution =
  | { readonly kind: 'file'; readonly filePath: string }
  | { readonly kind: 'refused'; readonly status: 400 | 403 | 404 | 405; readonly reason: string };

/**
 * Maps a kawei://app/... request to a file under rendererDir, or refuses it. Refuses other hosts,
 * undecodable paths, NUL bytes, backslashes (a Windows separator smuggled past URL normalisation)
 * and anything that resolves outside rendererDir, e.g. an encoded "..%2F..%2Fetc/passwd".
 */
export function resolveAppAsset(rendererDir: string, requestUrl: string, method = 'GET'): AssetResolution {
  if (method !== 'GET' && method !== 'HEAD') return refused(405, `method ${method} not allowed`);
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return refused(400, 'unparseable URL');
  }
  if (!isAppOrigin(url.href)) return refused(403, `not the app origin: ${url.protocol}//${url.host}`);

  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return refused(400, 'malformed percent-encoding');
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return refused(400, 'forbidden character in path');

  const filePath = confineToRoot(rendererDir, pathname);
  if (filePath === null) return refused(403, 'path escapes the renderer directory');
  return { kind: 'file', filePath };
}

function refused(status: 400 | 403 | 404 | 405, reason: string): AssetResolution {
  return { kind: 'refused', status, reason };
}

/** The parts of Electron's WebFrameMain that decide whether an IPC call may be served. */
export interface SenderFrameFacts {
  readonly url: string;
  readonly parent: unknown;
}

/**
 * Only the app's own top-level document may call the services: not a sub-frame (even a same-origin
 * one), not a frame that has navigated away or been destroyed (senderFrame null), not another origin.
 */
export function isTrustedIpcSender(frame: SenderFrameFacts | null | undefined): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isAppOrigin(frame.url);
}

/** Everything Electron tells the permission handlers, flattened to the facts the decision uses. */
export interface PermissionQuery {
  readonly permission: string;
  /** The origin(s) Electron reports for the request: requestingUrl, requestingOrigin, securityOrigin. */
  readonly origins: readonly (string | undefined | null)[];
  readonly isMainFrame: boolean;
  /** Request handler: details.mediaTypes; check handler: [details.mediaType]. */
  readonly mediaTypes: readonly (string | undefined)[];
}

const GRANTABLE_MEDIA_TYPES: ReadonlySet<string> = new Set(['video', 'audio']);

/**
 * The booth records the bidder (camera + microphone); nothing else is ever granted: no
 * notifications, geolocation, clipboard, display capture, HID/serial/USB, openExternal... Media only
 * for the app origin's top-level document, and only camera/microphone (not screen capture, not an
 * unspecified type). Every origin Electron reports must be the app's, and at least one must be given.
 */
export function isPermissionGranted(query: PermissionQuery): boolean {
  if (query.permission !== 'media') return false;
  if (!query.isMainFrame) return false;
  const origins = query.origins.filter((o) => o !== undefined);
  if (origins.length === 0 || !origins.every((o) => isAppOrigin(o))) return false;
  return (
    query.mediaTypes.length > 0 && query.mediaTypes.every((t) => t !== undefined && GRANTABLE_MEDIA_TYPES.has(t))
  );
}

/**
 * WebHID, Web Serial, WebUSB: never, for any origin. The renderer needs no device of its own; the
 * gate's LED, relay, voice and ID-card reader are serial devices the services drive from Node.
 */
export function isDeviceAccessGranted(_query: { readonly deviceType: string; readonly origin: string }): boolean {
  return false;
}

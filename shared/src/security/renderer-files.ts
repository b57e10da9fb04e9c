import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * How a renderer's files are served, wherever they are served from: Electron's kawei://app protocol
 * (electron/app-protocol.main.ts) or the Node host (host/app-host.node.ts). One CSP, one MIME table,
 * one rule for keeping requests inside the renderer folder.
 */

const CSP_DIRECTIVES: readonly (readonly [string, string])[] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  // 'unsafe-inline' for styles only: Ant Design (CSS-in-JS) injects <style> elements at runtime and
  // cannot be given a nonce through a static file server. Scripts stay 'self'-only, so an injected
  // style can restyle the page but cannot run code.
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data: blob:"],
  // mediastream: is the camera preview (getUserMedia → srcObject); blob: is recorded clips.
  ['media-src', "'self' blob: mediastream:"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['frame-ancestors', "'none'"],
  ['form-action', "'none'"],
];

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};
/** Unknown files are served as opaque bytes; with nosniff the renderer will not execute them. */
export const FALLBACK_MIME_TYPE = 'application/octet-stream';

export function mimeTypeFor(filePath: string): string {
  return MIME_TYPES[extname(filePath).toLowerCase()] ?? FALLBACK_MIME_TYPE;
}

/**
 * The renderer's Content-Security-Policy. `connectSrc` adds what a transport needs beyond 'self'
 * (the Node host's loopback WebSocket); Electron needs nothing more, IPC is not a fetch.
 * `wasm` adds 'wasm-unsafe-eval' to script-src: the face pipeline's tfjs wasm backend compiles
 * WebAssembly, which Chromium blocks under `script-src 'self'`. It allows wasm compilation only (no
 * eval, no new Function); the .wasm files still come from 'self'. No blob: workers: wasm threads are
 * not used (docs/FACE.md "Renderer": no measured gain on two cores).
 */
export function contentSecurityPolicy(options: { connectSrc?: readonly string[]; wasm?: boolean } = {}): string {
  const connect = ["'self'", ...(options.connectSrc ?? [])].join(' ');
  const directives = CSP_DIRECTIVES.map(([name, value]) =>
    name === 'script-src' && options.wasm ? ([name, `${value} 'wasm-unsafe-eval'`] as const) : ([name, value] as const),
  );
  return [...directives, ['connect-src', connect] as const].map(([name, value]) => `${name} ${value}`).join('; ');
}

/**
 * The file a decoded URL path names inside `root` ("/" is index.html), or null when it would leave
 * `root` — e.g. "/../../etc/passwd" after decoding. Callers refuse NUL and backslashes before this.
 */
export function confineToRoot(root: string, decodedPathname: string): string | null {
  const relativePath = decodedPathname === '/' || decodedPathname === '' ? 'index.html' : decodedPathname.replace(/^\/+/, '');
  const absoluteRoot = resolve(root);
  const filePath = resolve(absoluteRoot, relativePath);
  const fromRoot = relative(absoluteRoot, filePath);
  if (fromRoot === '' || fromRoot === '..' || fromRoot.startsWith(`..${sep}`) || isAbsolute(fromRoot)) return null;
  return filePath;
}

import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_SCHEME, resolveAppAsset, responseHeadersFor } from './secure-policy.ts';

/**
 * Must run before app 'ready'. standard: the renderer gets a real origin (kawei://app), relative URLs
 * and localStorage work; secure: it counts as a secure context, which getUserMedia requires;
 * supportFetchAPI: Vite's module preloads fetch their chunks. Deliberately NOT bypassCSP (our CSP
 * header must bind the page), corsEnabled or allowServiceWorkers, which the app does not need.
 */
export function registerAppSchemeAsPrivileged(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer from kawei://app/ (default session), with the CSP on every response. */
export function serveRendererFrom(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const asset = resolveAppAsset(rendererDir, request.url, request.method);
    if (asset.kind === 'refused') return new Response(asset.reason, { status: asset.status });
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = new Uint8Array(await readFile(asset.filePath));
    } catch {
      // Missing file, a directory, unreadable: the renderer only needs to know it is not there.
      return new Response('not found', { status: 404 });
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: responseHeadersFor(asset.filePath),
    });
  });
}

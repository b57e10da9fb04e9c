import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * pdf.js in Node: the legacy build, its standard fonts, CMaps and wasm decoders from the installed
 * package (filesystem paths ending in "/"), and the @napi-rs/canvas copy pdf.js itself loads — it
 * polyfills Path2D/DOMMatrix from that copy, so our canvases must come from the same one.
 */

// Resolved on first use, not at import: a process that never opens a tender file (the booth's
// Electron main before a project arrives, its tests) must not need pdf.js to start.
let pdfMjs: string | null = null;
function pdfMjsPath(): string {
  pdfMjs ??= createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfMjs;
}

export type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
export type NapiCanvas = typeof import('@napi-rs/canvas');

let pdfjs: Promise<Pdfjs> | null = null;

export function loadPdfjs(): Promise<Pdfjs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
}

let canvasModule: NapiCanvas | null = null;

/** The @napi-rs/canvas module pdf.js resolves (same native instance). */
export function napiCanvas(): NapiCanvas {
  canvasModule ??= createRequire(pdfMjsPath())('@napi-rs/canvas') as NapiCanvas;
  return canvasModule;
}

/** pdf.js's data folders as filesystem paths ending in "/", as its Node build wants them. */
export function pdfjsPaths(): { standardFontDataUrl: string; cMapUrl: string; wasmUrl: string } {
  const root = join(dirname(pdfMjsPath()), '..', '..');
  return {
    standardFontDataUrl: join(root, 'standard_fonts') + '/',
    cMapUrl: join(root, 'cmaps') + '/',
    wasmUrl: join(root, 'wasm') + '/',
  };
}

/**
 * The settings every tender PDF is opened with on the trusted side (the booth's pages, the central's
 * checks and OCR alike): our own font and CMap data, no eval, no system fonts, quiet.
 */
export function tenderPdfParams(data: Uint8Array): Parameters<Pdfjs['getDocument']>[0] {
  return {
    data,
    ...pdfjsPaths(),
    cMapPacked: true,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
  };
}

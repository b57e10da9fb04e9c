import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * pdf.js in Node: the legacy build, its standard fonts, CMaps and wasm decoders from the installed
 * package (filesystem paths ending in "/"), and the @napi-rs/canvas copy pdf.js itself loads — it
 * polyfills Path2D/DOMMatrix from that copy, so our canvases must come from the same one.
 */

const require = createRequire(import.meta.url);
const PDF_MJS = require.resolve('pdfjs-dist/legacy/build/pdf.mjs');
const PDFJS_ROOT = join(dirname(PDF_MJS), '..', '..');

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
  canvasModule ??= createRequire(PDF_MJS)('@napi-rs/canvas') as NapiCanvas;
  return canvasModule;
}

export const PDFJS_PATHS = {
  standardFontDataUrl: join(PDFJS_ROOT, 'standard_fonts') + '/',
  cMapUrl: join(PDFJS_ROOT, 'cmaps') + '/',
  wasmUrl: join(PDFJS_ROOT, 'wasm') + '/',
} as const;

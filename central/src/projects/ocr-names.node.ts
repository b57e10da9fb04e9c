import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { PDFDocumentProxy, PageViewport } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { ImageRedaction } from '@kawei/shared/api/booth-roster.ts';
import { type Bidder, buildNeedles, findNames, type Needle } from '@kawei/shared/tender/blind-match.ts';
import { extractTextItems, paintRedactions, redactTextItems } from '@kawei/shared/tender/blind-redactor.node.ts';
import { loadPdfjs, napiCanvas, tenderPdfParams } from '@kawei/shared/tender/pdfjs.node.ts';
import { messagePair, messagePairBy } from '@kawei/shared/i18n/bilingual.ts';

/**
 * Bidders' names inside page images, found at publish time by OCR (blind projects, 暗标): the booth's
 * matcher reads the text layer only, so a scanned 营业执照 or a letterhead image shows a name nothing
 * covers. For each page asked about, one at a time:
 *
 *   1. render it with pdf.js + @napi-rs/canvas as the booth would show it to the expert: annotations
 *      off, the names the text layer carries already painted over (blind-redactor.node.ts), so OCR
 *      reports only what would still be visible;
 *   2. `tesseract stdin stdout -l chi_sim+eng --psm 3 tsv` (spawned, no shell, with a time-out);
 *   3. the TSV's words (level 5; chi_sim often gives one character per word) in reading order are the
 *      matcher's items (blind-match.ts findNames: same normalisation and needles as the booth);
 *   4. every occurrence → per OCR line the union of the word boxes it touches, padded (OCR boxes are
 *      tight), mapped back to PDF user space with the render viewport (rotation included).
 *
 * Nothing is cached across runs; one page's pixels at a time. A missing tesseract (or one without
 * chi_sim) is an OcrUnavailableError the caller turns into a warning; a page tesseract fails on is
 * reported in `failedPages` and the rest go on.
 */

/** Render scale for OCR: 2 ≈ 144 dpi. Measured on the test page (CJK at 12–20 pt): found at 2 as at 3. */
export const OCR_SCALE = 2;
/** Bigger pages (drawings) are rendered smaller so the canvas stays under this many pixels. */
export const OCR_MAX_PIXELS = 24_000_000;
export const OCR_PAGE_TIMEOUT_MS = 120_000;
export const OCR_LANGUAGES = 'chi_sim+eng';

/** The tesseract binary: KAWEI_TESSERACT when set (tests point it at a missing path), else `tesseract` on PATH. */
export function tesseractBinary(): string {
  const fromEnv = process.env['KAWEI_TESSERACT'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'tesseract';
}

export class OcrUnavailableError extends Error {
  override readonly name = 'OcrUnavailableError';
  constructor(
    readonly chinese: string,
    message: string,
  ) {
    super(message);
  }
}

/** A rectangle in rendered pixels (top-left origin). */
export interface PixelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface OcrWord extends PixelBox {
  text: string;
  conf: number;
  /** block/paragraph/line of the TSV: words of one line share it. */
  line: string;
}

export interface OcrFailedPage {
  page: number;
  reason: string;
}

export interface OcrNamesResult {
  redactions: ImageRedaction[];
  /** Pages OCR'd (whatever was found). */
  pages: number[];
  failedPages: OcrFailedPage[];
}

export interface OcrNamesInput {
  path: string;
  /** 1-based pages to examine. */
  pages: readonly number[];
  bidders: readonly Bidder[];
  scale?: number;
  tesseract?: string;
  timeoutMs?: number;
  /** After each page: for a progress line (OCR takes seconds a page). */
  onPage?: (progress: { page: number; done: number; total: number; found: number; ms: number; failed: boolean }) => void;
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException;
}

function run(binary: string, args: readonly string[], input: Uint8Array | null, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let spawnError: NodeJS.ErrnoException | undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e));
    child.stdin.on('error', () => undefined); // EPIPE when it exits early: the exit code tells
    child.on('close', (code, signal) => {
      const result: RunResult = { code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (spawnError) result.error = spawnError;
      resolve(result);
    });
    child.stdin.end(input ?? undefined);
  });
}

/** Checks that tesseract runs and has chi_sim and eng; throws OcrUnavailableError otherwise. */
export async function checkTesseract(binary = tesseractBinary()): Promise<{ version: string }> {
  const r = await run(binary, ['--list-langs'], null, 15_000);
  if (r.error || r.code !== 0) {
    const why = r.error ? (r.error.code === 'ENOENT' ? 'not found' : r.error.message) : `exit ${r.code ?? r.signal}: ${r.stderr.trim().slice(0, 200)}`;
    const m = messagePair('projects.ocr.cannotRun', { binary, why });
    throw new OcrUnavailableError(m.zh, m.en);
  }
  const langs = new Set(`${r.stdout}\n${r.stderr}`.split(/\r?\n/).map((l) => l.trim()));
  const missing = OCR_LANGUAGES.split('+').filter((l) => !langs.has(l));
  if (missing.length > 0) {
    const m = messagePairBy('projects.ocr.missingLanguages', (lang) => ({ languages: missing.join(lang === 'en' ? ', ' : '、') }));
    throw new OcrUnavailableError(m.zh, m.en);
  }
  const version = await run(binary, ['--version'], null, 15_000);
  return { version: (version.stdout || version.stderr).split(/\r?\n/)[0]?.trim() ?? '' };
}

/** The words (level 5) of tesseract's TSV output, in its reading order. */
export function parseTesseractTsv(tsv: string): OcrWord[] {
  const words: OcrWord[] = [];
  const lines = tsv.split(/\r?\n/);
  const header = (lines[0] ?? '').split('\t');
  const col = (name: string) => header.indexOf(name);
  const [level, block, par, line, left, top, width, height, conf, text] = ['level', 'block_num', 'par_num', 'line_num', 'left', 'top', 'width', 'height', 'conf', 'text'].map(col);
  if ([level, block, par, line, left, top, width, height, conf, text].some((i) => i === undefined || i < 0)) return words;
  for (const row of lines.slice(1)) {
    const f = row.split('\t');
    if (f[level!] !== '5') continue;
    const str = (f[text!] ?? '').trim();
    if (str === '') continue;
    words.push({
      text: str,
      conf: Number(f[conf!]),
      line: `${f[block!]}/${f[par!]}/${f[line!]}`,
      left: Number(f[left!]),
      top: Number(f[top!]),
      width: Number(f[width!]),
      height: Number(f[height!]),
    });
  }
  return words;
}

/**
 * Padding around OCR boxes, in multiples of the line's height: chi_sim's per-character boxes are
 * often a third of an em off sideways (measured on Noto Sans CJK), less so up and down.
 */
export const OCR_PAD = { x: 0.4, y: 0.2 };

/**
 * The names among a page's OCR words: the words are the matcher's items (so a name split into
 * one-character words, or across a line break, still matches); each occurrence becomes one box per
 * OCR line it touches, the union of its words' boxes, padded (OCR_PAD, at least 2 px).
 */
export function findNamesInWords(words: readonly OcrWord[], needles: readonly Needle[], pad = OCR_PAD): { code: string; boxes: PixelBox[] }[] {
  return findNames(
    words.map((w) => w.text),
    needles,
  ).map((match) => {
    const perLine = new Map<string, { x0: number; y0: number; x1: number; y1: number }>();
    for (const piece of match.pieces) {
      const w = words[piece.item];
      if (!w) continue;
      const b = perLine.get(w.line);
      if (b) {
        b.x0 = Math.min(b.x0, w.left);
        b.y0 = Math.min(b.y0, w.top);
        b.x1 = Math.max(b.x1, w.left + w.width);
        b.y1 = Math.max(b.y1, w.top + w.height);
      } else perLine.set(w.line, { x0: w.left, y0: w.top, x1: w.left + w.width, y1: w.top + w.height });
    }
    const boxes = [...perLine.values()].map((b) => {
      const px = Math.max(2, pad.x * (b.y1 - b.y0));
      const py = Math.max(2, pad.y * (b.y1 - b.y0));
      return { left: b.x0 - px, top: b.y0 - py, width: b.x1 - b.x0 + 2 * px, height: b.y1 - b.y0 + 2 * py };
    });
    return { code: match.code, boxes };
  });
}

/** A pixel box of the rendered page → a rectangle in PDF user space (y up). */
export function pixelBoxToPdf(viewport: Pick<PageViewport, 'convertToPdfPoint'>, b: PixelBox): { x: number; y: number; width: number; height: number } {
  const corners = [
    [b.left, b.top],
    [b.left + b.width, b.top],
    [b.left, b.top + b.height],
    [b.left + b.width, b.top + b.height],
  ].map(([x, y]) => viewport.convertToPdfPoint(x!, y!) as number[]);
  const xs = corners.map((c) => c[0] ?? 0);
  const ys = corners.map((c) => c[1] ?? 0);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x: r2(x), y: r2(y), width: r2(Math.max(...xs) - x), height: r2(Math.max(...ys) - y) };
}

/** Finds bidders' names inside the images of the given pages of one PDF (see above). */
export async function ocrNames(input: OcrNamesInput): Promise<OcrNamesResult> {
  const binary = input.tesseract ?? tesseractBinary();
  await checkTesseract(binary);
  const needles = buildNeedles([...input.bidders]);
  const pdfjs = await loadPdfjs();
  const pdf: PDFDocumentProxy = await pdfjs.getDocument(tenderPdfParams(new Uint8Array(await readFile(input.path)))).promise;
  const result: OcrNamesResult = { redactions: [], pages: [], failedPages: [] };
  try {
    const pages = [...new Set(input.pages)].filter((p) => Number.isInteger(p) && p >= 1 && p <= pdf.numPages).sort((a, b) => a - b);
    let done = 0;
    for (const pageNo of pages) {
      const started = Date.now();
      let found = 0;
      let failed = false;
      try {
        const page = await pdf.getPage(pageNo);
        try {
          const base = page.getViewport({ scale: 1 });
          const wanted = input.scale ?? OCR_SCALE;
          const scale = Math.min(wanted, Math.sqrt(OCR_MAX_PIXELS / Math.max(1, base.width * base.height)));
          const viewport = page.getViewport({ scale });
          const canvas = napiCanvas().createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
          const ctx = canvas.getContext('2d');
          ctx.fillStyle = 'white';
          ctx.fillRect(0, 0, canvas.width, canvas.height);
          await page.render({ canvas: canvas as unknown as HTMLCanvasElement, viewport, annotationMode: pdfjs.AnnotationMode.DISABLE }).promise;
          // What the expert would see: names in the text layer are covered already.
          paintRedactions(ctx, viewport, redactTextItems(await extractTextItems(page), needles).boxes);
          const png = await canvas.encode('png');
          const dpi = String(Math.round(72 * scale));
          const r = await run(binary, ['stdin', 'stdout', '-l', OCR_LANGUAGES, '--psm', '3', '--dpi', dpi, 'tsv'], png, input.timeoutMs ?? OCR_PAGE_TIMEOUT_MS);
          if (r.error || r.code !== 0) {
            const why = r.error?.message ?? (r.signal === 'SIGKILL' ? 'timed out' : `exit ${r.code ?? r.signal}: ${r.stderr.trim().slice(0, 200)}`);
            throw new Error(why);
          }
          for (const m of findNamesInWords(parseTesseractTsv(r.stdout), needles)) {
            result.redactions.push({ page: pageNo, code: m.code, rects: m.boxes.map((b) => pixelBoxToPdf(viewport, b)).slice(0, 64) });
            found++;
          }
          result.pages.push(pageNo);
        } finally {
          page.cleanup();
        }
      } catch (error) {
        failed = true;
        result.failedPages.push({ page: pageNo, reason: error instanceof Error ? error.message : String(error) });
      }
      done++;
      input.onPage?.({ page: pageNo, done, total: pages.length, found, ms: Date.now() - started, failed });
    }
  } finally {
    await pdf.destroy();
  }
  return result;
}

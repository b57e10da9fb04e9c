import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { z } from 'zod';
import { rectOfItem } from './blind-geometry.ts';
import { type Bidder, bidderListSchema, buildNeedles, type Needle, normalizeText, redactString } from './blind-match.ts';
import { imageShareOfOperatorList } from './image-coverage.ts';
import { extractTextItems, type PageRedaction, paintRedactions, type RedactionBox, redactTextItems } from './blind-redactor.node.ts';
import { LruCache } from './lru.ts';
import { loadPdfjs, napiCanvas, tenderPdfParams } from './pdfjs.node.ts';
import { imageRedactionSchema, MAX_IMAGE_REDACTIONS, type ImageRedaction } from './image-redaction.ts';
import { paintWatermark, watermarkOptionsSchema, type WatermarkOptions } from './watermark.ts';
import { bilingual } from '../i18n/bilingual.ts';

/**
 * One tender file as the booth viewer sees it, for blind and open projects alike, all on the trusted
 * (Node) side. The renderer asks for page images, text layers, the outline and search hits; for a blind
 * project every one of them is made from the redacted page (names → 投标人A …) and nothing else
 * leaves: not the file name, not the metadata, not the raw text.
 */

export interface TenderFileInfo {
  fileId: string;
  pageCount: number;
  /** Page 1's size in PDF points (rotation applied). */
  pageSize: { width: number; height: number };
  blind: boolean;
}

export interface RenderedPage {
  page: number;
  scale: number;
  width: number;
  height: number;
  mime: 'image/png' | 'image/jpeg';
  bytes: Uint8Array;
  /**
   * Share (0…1) of the page covered by raster images (image-coverage.ts): text inside them is not
   * seen by the blind-review matcher. An estimate that errs up.
   */
  imageShare: number;
}

export interface TextLayerItem {
  text: string;
  /** Top-left origin, PDF points at scale 1 (multiply by the render scale). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TextLayer {
  page: number;
  width: number;
  height: number;
  items: TextLayerItem[];
}

export interface OutlineEntry {
  title: string;
  /** 1-based; null when the destination does not resolve. */
  page: number | null;
  children: OutlineEntry[];
}

export interface SearchHit {
  page: number;
  /** Occurrences on that page. */
  count: number;
  /** Text around the first occurrence (normalised: no spaces). */
  snippet: string;
}

export interface RenderOptions {
  format?: 'png' | 'jpeg';
  /** JPEG quality 1-100. */
  quality?: number;
  /**
   * Burnt into the image after the blind-review boxes, on the same canvas (watermark.ts). Part of the
   * cache key: a new minute in the text renders the page afresh.
   */
  watermark?: WatermarkOptions;
}

export interface TenderDocument {
  readonly info: TenderFileInfo;
  renderPage(page: number, scale?: number, options?: RenderOptions): Promise<RenderedPage>;
  textLayer(page: number): Promise<TextLayer>;
  outline(): Promise<OutlineEntry[]>;
  search(query: string, options?: { maxHits?: number }): Promise<SearchHit[]>;
  /** Trusted side only (audit, tests): the boxes painted on a page, by bidder code. Never names. */
  redactions(page: number): Promise<RedactionBox[]>;
  /** Share (0…1) of the page covered by raster images; computed once per page. */
  imageShare(page: number): Promise<number>;
  close(): Promise<void>;
}

export type TenderFileErrorCode = 'TENDER_UNREADABLE' | 'TENDER_ENCRYPTED' | 'TENDER_PAGE_RANGE' | 'TENDER_BAD_OPTIONS' | 'TENDER_CLOSED';

export class TenderFileError extends Error {
  override readonly name = 'TenderFileError';
  constructor(
    readonly code: TenderFileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}


export const openOptionsSchema = z.object({
  fileId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  /**
   * Blind project: the bidder list, and the boxes OCR found in page images. Absent: an open project
   * (names shown; there is nothing to pass OCR boxes with). A box on a page the file does not have, or
   * with a code not among the bidders, is refused at open (TENDER_BAD_OPTIONS): the boxes were then
   * made for another file, and the other pages' boxes cannot be trusted either.
   */
  blind: z.object({ bidders: bidderListSchema, imageRedactions: z.array(imageRedactionSchema).max(MAX_IMAGE_REDACTIONS).optional() }).optional(),
  /** Bytes of rendered pages kept (LRU). */
  imageCacheBytes: z.number().int().min(0).default(48 * 1024 * 1024),
  /** Pages whose text/redaction is kept (LRU). */
  textCachePages: z.number().int().min(1).default(64),
  scaleLimits: z.object({ min: z.number().positive(), max: z.number().positive() }).default({ min: 0.1, max: 4 }),
});
export type OpenTenderOptions = z.input<typeof openOptionsSchema> & { blind?: { bidders: Bidder[]; imageRedactions?: ImageRedaction[] } };

export async function openTenderDocument(source: { path: string } | { data: Uint8Array }, options: OpenTenderOptions = {}): Promise<TenderDocument> {
  const parsed = openOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new TenderFileError('TENDER_BAD_OPTIONS', `${bilingual('tender.badOptions')}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const opts = parsed.data;
  const needles = opts.blind ? buildNeedles(opts.blind.bidders) : null;
  let data: Uint8Array;
  try {
    data = 'path' in source ? new Uint8Array(await readFile(source.path)) : new Uint8Array(source.data); // a copy: pdf.js takes ownership
  } catch (cause) {
    throw new TenderFileError('TENDER_UNREADABLE', bilingual('tender.unreadable'), { cause });
  }
  const pdfjs = await loadPdfjs();
  let pdf: PDFDocumentProxy;
  try {
    pdf = await pdfjs.getDocument(tenderPdfParams(data)).promise;
  } catch (cause) {
    const encrypted = (cause as { name?: string }).name === 'PasswordException';
    throw encrypted
      ? new TenderFileError('TENDER_ENCRYPTED', bilingual('tender.encrypted'), { cause })
      : new TenderFileError('TENDER_UNREADABLE', bilingual('tender.damaged'), { cause });
  }
  let imageBoxes: Map<number, RedactionBox[]>;
  try {
    imageBoxes = imageBoxesByPage(opts.blind?.imageRedactions ?? [], opts.blind?.bidders ?? [], pdf.numPages);
  } catch (error) {
    await pdf.destroy();
    throw error;
  }
  const first = await pdf.getPage(1);
  const vp = first.getViewport({ scale: 1 });
  const info: TenderFileInfo = {
    fileId: opts.fileId ?? randomUUID().replace(/-/g, ''),
    pageCount: pdf.numPages,
    pageSize: { width: round2(vp.width), height: round2(vp.height) },
    blind: needles !== null,
  };
  return new PdfTenderDocument(pdf, info, needles, imageBoxes, opts);
}

/** The OCR boxes by page, checked against the file's page count and the bidder codes. */
function imageBoxesByPage(redactions: readonly ImageRedaction[], bidders: readonly Bidder[], pageCount: number): Map<number, RedactionBox[]> {
  const codes = new Set(bidders.map((b) => b.code));
  const byPage = new Map<number, RedactionBox[]>();
  for (const r of redactions) {
    if (r.page > pageCount) {
      throw new TenderFileError('TENDER_BAD_OPTIONS', bilingual('tender.redactionPage', { page: r.page, pages: pageCount }));
    }
    if (!codes.has(r.code)) {
      throw new TenderFileError('TENDER_BAD_OPTIONS', bilingual('tender.redactionCode', { code: r.code }));
    }
    const list = byPage.get(r.page) ?? [];
    list.push({ code: r.code, rects: r.rects.map((q) => ({ x: q.x, y: q.y, width: q.width, height: q.height })), source: 'image' });
    byPage.set(r.page, list);
  }
  return byPage;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

class PdfTenderDocument implements TenderDocument {
  private readonly images: LruCache<string, RenderedPage>;
  private readonly pages: LruCache<number, PageRedaction>;
  private readonly inflight = new Map<string, Promise<RenderedPage>>();
  /** Per page, the normalised (and for blind files sanitised) text, for search: small, kept for all pages. */
  private readonly searchText = new Map<number, string>();
  /** Per page, the share covered by images: one number a page, kept for all pages. */
  private readonly imageShares = new Map<number, Promise<number>>();
  private outlineCache: Promise<OutlineEntry[]> | null = null;
  private closed = false;

  constructor(
    private readonly pdf: PDFDocumentProxy,
    readonly info: TenderFileInfo,
    private readonly needles: readonly Needle[] | null,
    /** Blind files: the OCR boxes per page, fixed for the document's life (so not in the image cache key). */
    private readonly imageBoxes: ReadonlyMap<number, readonly RedactionBox[]>,
    private readonly opts: z.infer<typeof openOptionsSchema>,
  ) {
    this.images = new LruCache(opts.imageCacheBytes, (p) => p.bytes.byteLength);
    this.pages = new LruCache(opts.textCachePages);
  }

  private check(page: number): void {
    if (this.closed) throw new TenderFileError('TENDER_CLOSED', bilingual('tender.closed'));
    if (!Number.isInteger(page) || page < 1 || page > this.info.pageCount) {
      throw new TenderFileError('TENDER_PAGE_RANGE', bilingual('tender.pageRange', { page, pages: this.info.pageCount }));
    }
  }

  private async pageText(pageNo: number, page?: PDFPageProxy): Promise<PageRedaction> {
    const cached = this.pages.get(pageNo);
    if (cached) return cached;
    const p = page ?? (await this.pdf.getPage(pageNo));
    const items = await extractTextItems(p);
    const result: PageRedaction = this.needles
      ? redactTextItems(items, this.needles)
      : { boxes: [], sanitized: items.map((i) => i.str), items, matches: [] };
    this.pages.set(pageNo, result);
    if (!this.searchText.has(pageNo)) this.searchText.set(pageNo, normalizeText(result.sanitized.join('')));
    return result;
  }

  async renderPage(pageNo: number, scale = 1, options: RenderOptions = {}): Promise<RenderedPage> {
    this.check(pageNo);
    const { min, max } = this.opts.scaleLimits;
    if (!(scale >= min && scale <= max)) {
      throw new TenderFileError('TENDER_BAD_OPTIONS', bilingual('tender.scaleRange', { min, max }));
    }
    const format = options.format ?? 'png';
    const quality = Math.min(100, Math.max(1, Math.round(options.quality ?? 85)));
    let watermark: WatermarkOptions | null = null;
    if (options.watermark !== undefined) {
      const parsed = watermarkOptionsSchema.safeParse(options.watermark);
      if (!parsed.success) throw new TenderFileError('TENDER_BAD_OPTIONS', bilingual('tender.badWatermark'));
      watermark = parsed.data;
    }
    const key = `${pageNo}:${scale}:${format}:${format === 'jpeg' ? quality : ''}:${watermark ? `${watermark.opacity ?? ''}:${watermark.text}` : ''}`;
    const hit = this.images.get(key);
    if (hit) return hit;
    const running = this.inflight.get(key);
    if (running) return running;
    const job = this.render(pageNo, scale, format, quality, watermark).finally(() => this.inflight.delete(key));
    this.inflight.set(key, job);
    const out = await job;
    this.images.set(key, out);
    return out;
  }

  private async render(pageNo: number, scale: number, format: 'png' | 'jpeg', quality: number, watermark: WatermarkOptions | null): Promise<RenderedPage> {
    const page = await this.pdf.getPage(pageNo);
    try {
      // For a blind file the boxes are known before a pixel is drawn: no unredacted image ever exists
      // outside this function's canvas.
      const redaction = this.needles ? await this.pageText(pageNo, page) : null;
      const imageShare = await this.pageImageShare(pageNo, page);
      const viewport = page.getViewport({ scale });
      const Canvas = napiCanvas();
      const canvas = Canvas.createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
      const pdfjs = await loadPdfjs();
      await page.render({
        canvas: canvas as unknown as HTMLCanvasElement,
        viewport,
        // Annotations can carry text the text layer does not have (stamps, form fields): not drawn on
        // blind files.
        annotationMode: this.needles ? pdfjs.AnnotationMode.DISABLE : pdfjs.AnnotationMode.ENABLE,
      }).promise;
      const ctx = canvas.getContext('2d');
      if (redaction) paintRedactions(ctx, viewport, [...redaction.boxes, ...(this.imageBoxes.get(pageNo) ?? [])]);
      if (watermark) paintWatermark(ctx, canvas.width, canvas.height, scale, watermark);
      const bytes = format === 'jpeg' ? await canvas.encode('jpeg', quality) : await canvas.encode('png');
      return {
        page: pageNo,
        scale,
        width: canvas.width,
        height: canvas.height,
        mime: format === 'jpeg' ? 'image/jpeg' : 'image/png',
        bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        imageShare,
      };
    } finally {
      page.cleanup();
    }
  }

  async textLayer(pageNo: number): Promise<TextLayer> {
    this.check(pageNo);
    const page = await this.pdf.getPage(pageNo);
    const viewport = page.getViewport({ scale: 1 });
    const text = await this.pageText(pageNo, page);
    const items: TextLayerItem[] = [];
    text.items.forEach((item, i) => {
      const str = text.sanitized[i] ?? '';
      if (!str) return;
      const r = rectOfItem(item);
      const [x1, y1, x2, y2] = viewport.convertToViewportRectangle([r.x, r.y, r.x + r.width, r.y + r.height]);
      items.push({ text: str, x: round2(Math.min(x1, x2)), y: round2(Math.min(y1, y2)), width: round2(Math.abs(x2 - x1)), height: round2(Math.abs(y2 - y1)) });
    });
    return { page: pageNo, width: round2(viewport.width), height: round2(viewport.height), items };
  }

  outline(): Promise<OutlineEntry[]> {
    if (this.closed) return Promise.reject(new TenderFileError('TENDER_CLOSED', bilingual('tender.closed')));
    this.outlineCache ??= this.loadOutline();
    return this.outlineCache;
  }

  private async loadOutline(): Promise<OutlineEntry[]> {
    const raw = (await this.pdf.getOutline()) ?? [];
    type Raw = (typeof raw)[number];
    const convert = async (node: Raw, depth: number): Promise<OutlineEntry> => {
      let page: number | null = null;
      try {
        const dest = typeof node.dest === 'string' ? await this.pdf.getDestination(node.dest) : node.dest;
        const ref = Array.isArray(dest) ? dest[0] : null;
        if (ref && typeof ref === 'object') page = (await this.pdf.getPageIndex(ref as { num: number; gen: number })) + 1;
        else if (typeof ref === 'number') page = ref + 1;
      } catch {
        page = null;
      }
      const title = this.needles ? redactString(node.title, this.needles) : node.title;
      const children = depth < 8 ? await Promise.all((node.items ?? []).map((c) => convert(c, depth + 1))) : [];
      return { title, page, children };
    };
    return Promise.all(raw.map((n) => convert(n, 0)));
  }

  async search(query: string, options: { maxHits?: number } = {}): Promise<SearchHit[]> {
    if (this.closed) throw new TenderFileError('TENDER_CLOSED', bilingual('tender.closed'));
    const needle = normalizeText(query);
    if (needle.length === 0) return [];
    const maxHits = options.maxHits ?? 500;
    const hits: SearchHit[] = [];
    for (let p = 1; p <= this.info.pageCount && hits.length < maxHits; p++) {
      let text = this.searchText.get(p);
      if (text === undefined) {
        await this.pageText(p);
        text = this.searchText.get(p) ?? '';
      }
      let count = 0;
      let firstAt = -1;
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
        if (firstAt < 0) firstAt = at;
        count++;
      }
      if (count > 0) {
        const from = Math.max(0, firstAt - 16);
        hits.push({ page: p, count, snippet: text.slice(from, firstAt + needle.length + 16) });
      }
    }
    return hits;
  }

  async imageShare(pageNo: number): Promise<number> {
    this.check(pageNo);
    const page = await this.pdf.getPage(pageNo);
    return this.pageImageShare(pageNo, page);
  }

  private pageImageShare(pageNo: number, page: PDFPageProxy): Promise<number> {
    let share = this.imageShares.get(pageNo);
    if (share === undefined) {
      share = (async () => {
        const pdfjs = await loadPdfjs();
        // The page's own content: annotations are not drawn on blind pages, and their appearance
        // streams carry transforms this walk does not follow.
        const list = await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.DISABLE });
        return imageShareOfOperatorList(list, pdfjs.OPS, page.view);
      })();
      // A failure is not kept: the next render asks again.
      share.catch(() => this.imageShares.delete(pageNo));
      this.imageShares.set(pageNo, share);
    }
    return share;
  }

  async redactions(pageNo: number): Promise<RedactionBox[]> {
    this.check(pageNo);
    const text = (await this.pageText(pageNo)).boxes;
    const image = this.imageBoxes.get(pageNo) ?? [];
    return [...text, ...image.map((b) => ({ ...b, rects: b.rects.map((r) => ({ ...r })) }))];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.images.clear();
    this.pages.clear();
    this.searchText.clear();
    this.imageShares.clear();
    await this.pdf.destroy();
  }
}

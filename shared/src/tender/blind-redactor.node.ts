import type { PDFPageProxy, PageViewport } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { rectOfRange, type PdfRect } from './blind-geometry.ts';
import { codeLabel, findNames, type NameMatch, type Needle, redactItems } from './blind-match.ts';

/**
 * One page of a blind file on the trusted side: its text items as pdf.js extracts them, the name
 * occurrences found in them (blind-match.ts), the boxes that cover them (blind-geometry.ts) and the
 * items with names replaced by codes. Only the boxes' codes and the sanitised items leave this module;
 * the raw items stay here.
 */

export interface RawTextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

export interface RedactionBox {
  code: string;
  /** One rectangle per text item the occurrence touches (a name across a line break gives two). */
  rects: PdfRect[];
  /**
   * Where the box comes from: absent for a name the matcher found in the text layer; `'image'` for a
   * name the central's OCR found inside a page image (tender-document.node.ts, `imageRedactions`).
   */
  source?: 'image';
}

export interface PageRedaction {
  boxes: RedactionBox[];
  /** The items' strings with names replaced by code labels (same order and geometry as `items`). */
  sanitized: string[];
  items: RawTextItem[];
  matches: NameMatch[];
}

export async function extractTextItems(page: PDFPageProxy): Promise<RawTextItem[]> {
  const content = await page.getTextContent();
  const items: RawTextItem[] = [];
  for (const item of content.items) {
    if (!('str' in item)) continue;
    items.push({ str: item.str, transform: item.transform as number[], width: item.width, height: item.height, hasEOL: item.hasEOL });
  }
  return items;
}

export function redactTextItems(items: RawTextItem[], needles: readonly Needle[]): PageRedaction {
  const strings = items.map((i) => i.str);
  const matches = findNames(strings, needles);
  const boxes = matches.map((m) => ({
    code: m.code,
    rects: m.pieces.flatMap((p) => {
      const item = items[p.item];
      return item ? [rectOfRange(item, p.start, p.end)] : [];
    }),
  }));
  return { boxes, sanitized: redactItems(strings, matches), items, matches };
}

export const BOX_FILL = 'rgb(38, 38, 38)';
export const BOX_TEXT = 'rgb(255, 255, 255)';

interface Ctx2d {
  fillStyle: unknown;
  font: string;
  textBaseline: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
}

/** Paints the boxes over a rendered page: solid fill, the code label on each occurrence's first rect. */
export function paintRedactions(ctx: Ctx2d, viewport: PageViewport, boxes: readonly RedactionBox[]): void {
  for (const box of boxes) {
    box.rects.forEach((r, i) => {
      const [x1, y1, x2, y2] = viewport.convertToViewportRectangle([r.x, r.y, r.x + r.width, r.y + r.height]);
      const left = Math.floor(Math.min(x1, x2));
      const top = Math.floor(Math.min(y1, y2));
      const w = Math.ceil(Math.max(x1, x2)) - left;
      const h = Math.ceil(Math.max(y1, y2)) - top;
      ctx.fillStyle = BOX_FILL;
      ctx.fillRect(left, top, w, h);
      if (i !== 0) return;
      const label = codeLabel(box.code);
      let px = Math.max(6, Math.floor(h * 0.62));
      ctx.font = `${px}px "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif`;
      let tw = ctx.measureText(label).width;
      if (tw > w - 4) {
        px = Math.max(5, Math.floor((px * (w - 4)) / tw));
        ctx.font = `${px}px "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif`;
        tw = ctx.measureText(label).width;
      }
      if (tw > w) return; // too small for any label: the box alone
      ctx.fillStyle = BOX_TEXT;
      ctx.textBaseline = 'middle';
      ctx.fillText(label, left + (w - tw) / 2, top + h / 2);
    });
  }
}

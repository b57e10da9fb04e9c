/**
 * Lays a ReportDocument (report-model.ts) on A4 pages with pdf-lib and the CJK font embedder of the
 * demo tenders (shared/src/tender/pdf-cjk-font.node.ts: a HarfBuzz subset of Noto Sans CJK as a CID
 * font poppler draws; pdf-lib's own fontkit embedding leaves blank glyphs there). Page content is
 * written as plain content-stream text (one string per page, flate-compressed), which is what makes a
 * 200-page report a fraction of a second: no pdf-lib operator objects per glyph run.
 *
 * - Wrapping: Chinese breaks between any two characters, Latin between words (a word longer than the
 *   line breaks inside); closing punctuation never starts a line, opening never ends one.
 * - Tables: header row repeated on every page; a row taller than what is left of a page continues on
 *   the next; a table wider than the text splits into column chunks, each repeating the key columns.
 * - Every page: running header (project code, title, the mark), footer 第 n 页 共 m 页, and for the draft
 *   a large diagonal 征求意见稿.
 * - Deterministic: no clock, no random (the font keys are fixed, the dates and the file ID are given),
 *   saved with `useObjectStreams: false` (a classic xref table, which the PAdES writer needs: shared/src/report/pdf-xref.node.ts).
 */
import { PDFArray, PDFDocument, PDFHexString, PDFName, type PDFRef } from 'pdf-lib';
import { CjkPdfFont } from '@kawei/shared/tender/pdf-cjk-font.node.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';
import { reportFace } from './layout-font.node.ts';
import type { Align, Block, ReportDocument, TableColumn } from './report-model.ts';

export const PAGE_W = 595.28;
export const PAGE_H = 841.89;
const MARGIN_X = 50;
const TEXT_W = PAGE_W - 2 * MARGIN_X;
const BODY_TOP = PAGE_H - 62;
const BODY_BOTTOM = 54;


export interface LayoutMeta {
  /** CreationDate and ModDate. */
  date: Date;
  creator: string;
  producer: string;
  /** 16 bytes as 32 hex digits: the trailer's /ID (both halves), derived from the content by the caller. */
  fileId: string;
}

/** Regular, or bold: the same face filled and stroked (text render mode 2), so one font program serves both. */
type FontKey = 'R' | 'B';

/** A number in a content stream: at most 3 decimals, no exponent, no trailing zeros. */
function num(n: number): string {
  const s = (Math.round(n * 1000) / 1000).toFixed(3);
  return s.replace(/\.?0+$/, '') || '0';
}

// ── line breaking ─────────────────────────────────────────────────────────────────────────────

/** Characters a line must not start with (closing punctuation), and must not end with (opening). */
const NO_START = new Set([...'，。、；：？！）》」』】〕”’%,.;:!?)]}…·〉']);
const NO_END = new Set([...'（《「『【〔“‘([{〈']);

function isWide(cp: number): boolean {
  return cp >= 0x2e80 || (cp >= 0x2000 && cp <= 0x206f && cp !== 0x2009);
}

interface Token {
  text: string;
  /** A space preceded it (dropped at a line start). */
  space: boolean;
}

/** Tokens: each wide (CJK) character alone, Latin runs as words; punctuation glued to its neighbour. */
function tokens(text: string): Token[] {
  const raw: Token[] = [];
  let word = '';
  let space = false;
  const flush = () => {
    if (word) raw.push({ text: word, space });
    word = '';
    space = false;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === ' ' || ch === '\t') {
      flush();
      space = true;
    } else if (isWide(cp) || NO_START.has(ch) || NO_END.has(ch)) {
      flush();
      raw.push({ text: ch, space });
      space = false;
    } else {
      if (!word) {
        word = ch;
      } else word += ch;
    }
  }
  flush();
  // Glue: a closing mark to what precedes it, an opening mark to what follows.
  const out: Token[] = [];
  let pendingOpen = '';
  let pendingSpace = false;
  for (const t of raw) {
    if (NO_END.has(t.text)) {
      if (!pendingOpen) pendingSpace = t.space;
      pendingOpen += t.text;
      continue;
    }
    const text = pendingOpen + t.text;
    const tok = { text, space: pendingOpen ? pendingSpace : t.space };
    pendingOpen = '';
    const last = out[out.length - 1];
    if (last && NO_START.has(t.text) && !t.space) last.text += t.text;
    else out.push(tok);
  }
  if (pendingOpen) out.push({ text: pendingOpen, space: pendingSpace });
  return out;
}

/**
 * Lines of `text` no wider than `width` (the first `firstWidth`), in `font` at `size`. Explicit
 * newlines start new lines; an empty text gives one empty line.
 */
export function wrapText(text: string, font: CjkPdfFont, size: number, width: number, firstWidth = width): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineW = 0;
    const limit = () => (lines.length === 0 ? firstWidth : width);
    const push = () => {
      lines.push(line);
      line = '';
      lineW = 0;
    };
    for (const tok of tokens(paragraph)) {
      const sep = tok.space && line ? ' ' : '';
      const w = font.widthOf(sep + tok.text, size);
      if (lineW + w <= limit() + 0.01) {
        line += sep + tok.text;
        lineW += w;
        continue;
      }
      if (line) push();
      const alone = font.widthOf(tok.text, size);
      if (alone <= limit() + 0.01) {
        line = tok.text;
        lineW = alone;
        continue;
      }
      // A word wider than the line: break inside it, character by character.
      for (const ch of tok.text) {
        const cw = font.widthOf(ch, size);
        if (line && lineW + cw > limit() + 0.01) push();
        line += ch;
        lineW += cw;
      }
    }
    push();
  }
  return lines;
}

// ── the page canvas ───────────────────────────────────────────────────────────────────────────

class Page {
  readonly ops: string[] = [];
}

class Writer {
  readonly pages: Page[] = [];
  page!: Page;
  y = BODY_TOP;
  /** Nothing drawn on the current page yet. */
  fresh = true;

  readonly bold: CjkPdfFont;

  constructor(readonly regular: CjkPdfFont) {
    this.bold = regular;
    this.newPage();
  }

  newPage(): void {
    this.page = new Page();
    this.pages.push(this.page);
    this.y = BODY_TOP;
    this.fresh = true;
  }

  /** Room for `height` below the cursor, else a new page. */
  ensure(height: number): void {
    if (this.y - height < BODY_BOTTOM && !this.fresh) this.newPage();
  }

  font(key: FontKey): CjkPdfFont {
    return key === 'B' ? this.bold : this.regular;
  }

  text(s: string, x: number, y: number, size: number, key: FontKey = 'R', gray = 0): void {
    if (!s) return;
    const ink = num(gray);
    // Tr is graphics state, kept across BT … ET: every text says its mode.
    const mode = key === 'B' ? ` 2 Tr ${num(size * 0.035)} w ${ink} G` : ' 0 Tr';
    this.page.ops.push(`${ink} g BT /F ${num(size)} Tf${mode} ${num(x)} ${num(y)} Td ${this.regular.encode(s).toString()} Tj ET`);
    this.fresh = false;
  }

  aligned(s: string, x: number, width: number, y: number, size: number, align: Align, key: FontKey = 'R'): void {
    const w = this.font(key).widthOf(s, size);
    const dx = align === 'right' ? width - w : align === 'center' ? (width - w) / 2 : 0;
    this.text(s, x + dx, y, size, key);
  }

  rect(x: number, y: number, w: number, h: number, gray: number): void {
    this.page.ops.push(`${num(gray)} g ${num(x)} ${num(y)} ${num(w)} ${num(h)} re f`);
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 0.5, gray = 0.25): void {
    this.page.ops.push(`${num(width)} w ${num(gray)} G ${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S`);
  }
}

// ── blocks ────────────────────────────────────────────────────────────────────────────────────

const BODY_SIZE = 10.5;
const BODY_LEADING = 17;
const SMALL_SIZE = 9;
const SMALL_LEADING = 14;
const TABLE_SIZE = 8.5;
const TABLE_LEADING = 11.5;
const CELL_PAD = 3;
const HEADING: Record<1 | 2 | 3, { size: number; before: number; after: number }> = {
  1: { size: 13.5, before: 12, after: 8 },
  2: { size: 11.5, before: 8, after: 6 },
  3: { size: 10.5, before: 8, after: 5 },
};

function drawTitle(w: Writer, text: string, subtitle: string | null): void {
  w.y -= 90;
  const size = 28;
  w.text(text, MARGIN_X + (TEXT_W - w.bold.widthOf(text, size)) / 2, w.y, size, 'B');
  w.y -= 36;
  if (subtitle !== null) {
    const s = 16;
    w.text(subtitle, MARGIN_X + (TEXT_W - w.bold.widthOf(subtitle, s)) / 2, w.y, s, 'B');
    w.y -= 30;
  }
  w.y -= 30;
}

function drawHeading(w: Writer, level: 1 | 2 | 3, text: string, newPage: boolean): void {
  if (newPage && !w.fresh) w.newPage();
  const { size, before, after } = HEADING[level];
  const lines = wrapText(text, w.bold, size, TEXT_W);
  const leading = size * 1.5;
  if (!w.fresh) w.y -= before;
  // Keep with next: a heading never ends a page alone.
  w.ensure(lines.length * leading + 5 * BODY_LEADING);
  for (const line of lines) {
    w.y -= size;
    w.text(line, MARGIN_X, w.y, size, 'B');
    w.y -= leading - size;
  }
  w.y -= after;
}

function drawParagraph(w: Writer, text: string, indent: boolean, small: boolean): void {
  const size = small ? SMALL_SIZE : BODY_SIZE;
  const leading = small ? SMALL_LEADING : BODY_LEADING;
  const indentW = indent ? 2 * size : 0;
  const lines = wrapText(text, w.regular, size, TEXT_W, TEXT_W - indentW);
  lines.forEach((line, i) => {
    w.ensure(leading);
    w.y -= leading;
    w.text(line, MARGIN_X + (i === 0 ? indentW : 0), w.y + (leading - size) * 0.45, size);
  });
  w.y -= small ? 3 : 5;
}

function drawKeyValues(w: Writer, rows: { key: string; value: string }[]): void {
  const size = 11;
  const leading = 21;
  const keyW = Math.min(170, Math.max(...rows.map((r) => w.bold.widthOf(r.key, size))) + 14);
  const x = MARGIN_X + 30;
  const valueW = TEXT_W - 30 - keyW;
  for (const { key, value } of rows) {
    // A digest or an id is one word: set it smaller so it stays on one line (and stays one word to a reader).
    const natural = w.regular.widthOf(value, size);
    const oneWord = /^[\x21-\x7e]+$/.test(value) && natural > valueW;
    const valueSize = oneWord ? Math.max(6.5, Math.floor(((size * valueW) / natural) * 10) / 10) : size;
    const lines = wrapText(value, w.regular, valueSize, valueW);
    w.ensure(leading * lines.length);
    w.y -= leading;
    w.text(key, x, w.y, size, 'B');
    lines.forEach((line, i) => {
      if (i > 0) w.y -= leading;
      w.text(line, x + keyW, w.y, valueSize);
    });
  }
  w.y -= 14;
}

/** Column index groups: the key columns then as many others as fit, for each chunk. */
function columnChunks(columns: readonly TableColumn[], keyColumns: number): number[][] {
  const total = columns.reduce((a, c) => a + c.width, 0);
  if (total <= TEXT_W) return [columns.map((_, i) => i)];
  const keys = columns.slice(0, keyColumns).map((_, i) => i);
  const keyW = keys.reduce((a, i) => a + (columns[i] as TableColumn).width, 0);
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let width = keyW;
  for (let i = keyColumns; i < columns.length; i++) {
    const cw = (columns[i] as TableColumn).width;
    if (chunk.length > 0 && width + cw > TEXT_W) {
      chunks.push([...keys, ...chunk]);
      chunk = [];
      width = keyW;
    }
    chunk.push(i);
    width += cw;
  }
  if (chunk.length > 0 || chunks.length === 0) chunks.push([...keys, ...chunk]);
  return chunks;
}

interface TableSpec {
  columns: TableColumn[];
  rows: string[][];
  keyColumns: number;
  strongRows?: number[];
  minRowHeight?: number;
}

function drawTable(w: Writer, table: TableSpec): void {
  for (const chunk of columnChunks(table.columns, table.keyColumns)) drawTableChunk(w, table, chunk);
}

function drawTableChunk(w: Writer, table: TableSpec, chunk: number[]): void {
  const cols = chunk.map((i) => table.columns[i] as TableColumn);
  const natural = cols.reduce((a, c) => a + c.width, 0);
  // Stretch to the text width; a lone key column wider than the page (never in practice) is squeezed.
  const scale = TEXT_W / natural;
  const widths = cols.map((c) => c.width * scale);
  const xs: number[] = [];
  widths.reduce((x, cw) => (xs.push(x), x + cw), MARGIN_X);
  const strong = new Set(table.strongRows ?? []);
  const cellLines = (cells: readonly string[], key: FontKey) =>
    chunk.map((ci, k) => wrapText(cells[ci] ?? '', w.font(key), TABLE_SIZE, Math.max(4, (widths[k] as number) - 2 * CELL_PAD)));
  const header = cellLines(
    table.columns.map((c) => c.title),
    'B',
  );
  const headerH = Math.max(...header.map((l) => l.length)) * TABLE_LEADING + 2 * CELL_PAD;

  const drawRow = (lines: string[][], height: number, key: FontKey, shade: number | null, alignHeader: boolean) => {
    const top = w.y;
    if (shade !== null) w.rect(MARGIN_X, top - height, TEXT_W, height, shade);
    lines.forEach((cell, k) => {
      const x = xs[k] as number;
      const cw = widths[k] as number;
      const align: Align = alignHeader ? 'center' : (cols[k]?.align ?? 'left');
      cell.forEach((line, li) => {
        w.aligned(line, x + CELL_PAD, cw - 2 * CELL_PAD, top - CELL_PAD - TABLE_SIZE - li * TABLE_LEADING + 1, TABLE_SIZE, align, key);
      });
    });
    // Borders: top, bottom, and the verticals of this row.
    w.line(MARGIN_X, top, MARGIN_X + TEXT_W, top);
    w.line(MARGIN_X, top - height, MARGIN_X + TEXT_W, top - height);
    for (const x of [...xs, MARGIN_X + TEXT_W]) w.line(x, top, x, top - height);
    w.y -= height;
  };
  const drawHeader = () => drawRow(header, headerH, 'B', 0.9, true);

  // The header row never ends a page alone: room for it and the first row (when that row fits a page).
  const firstH = table.rows.length === 0 ? 0 : Math.max(...cellLines(table.rows[0] as string[], 'R').map((l) => l.length)) * TABLE_LEADING + 2 * CELL_PAD;
  w.ensure(headerH + Math.min(Math.max(firstH, table.minRowHeight ?? 0), BODY_TOP - BODY_BOTTOM - headerH));
  drawHeader();
  table.rows.forEach((cells, ri) => {
    const key: FontKey = strong.has(ri) ? 'B' : 'R';
    let lines = cellLines(cells, key);
    const minH = table.minRowHeight ?? 0;
    for (;;) {
      const needed = Math.max(...lines.map((l) => l.length));
      const height = Math.max(needed * TABLE_LEADING + 2 * CELL_PAD, minH);
      if (w.y - height >= BODY_BOTTOM) {
        drawRow(lines, height, key, null, false);
        break;
      }
      const fit = Math.floor((w.y - BODY_BOTTOM - 2 * CELL_PAD) / TABLE_LEADING);
      // Split a row only when it could not fit on a page of its own; else move it whole.
      const pageRoom = Math.floor((BODY_TOP - BODY_BOTTOM - headerH - 2 * CELL_PAD) / TABLE_LEADING);
      if (needed > pageRoom && fit >= 2) {
        drawRow(
          lines.map((l) => l.slice(0, fit)),
          fit * TABLE_LEADING + 2 * CELL_PAD,
          key,
          null,
          false,
        );
        lines = lines.map((l) => l.slice(fit));
      }
      w.newPage();
      drawHeader();
    }
  });
  w.y -= 10;
}

// ── the document ──────────────────────────────────────────────────────────────────────────────

function drawBlock(w: Writer, block: Block): void {
  switch (block.kind) {
    case 'title':
      drawTitle(w, block.text, block.subtitle);
      return;
    case 'heading':
      drawHeading(w, block.level, block.text, block.newPage === true);
      return;
    case 'paragraph':
      drawParagraph(w, block.text, block.indent === true, block.small === true);
      return;
    case 'keyValues':
      drawKeyValues(w, block.rows);
      return;
    case 'table':
      drawTable(w, block);
      return;
    case 'pageBreak':
      if (!w.fresh) w.newPage();
      return;
  }
}

/** The diagonal mark, drawn first so the page's text lies over it. */
function watermark(w: Writer, mark: string): string {
  const size = 88;
  const width = w.bold.widthOf(mark, size);
  const angle = (35 * Math.PI) / 180;
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  // Centre the text's middle on the page's centre.
  const cx = PAGE_W / 2 - (c * width) / 2 + (s * size * 0.35);
  const cy = PAGE_H / 2 - (s * width) / 2 - (c * size * 0.35);
  return `0.78 g BT /F ${size} Tf 0 Tr ${num(c)} ${num(s)} ${num(-s)} ${num(c)} ${num(cx)} ${num(cy)} Tm ${w.bold.encode(mark).toString()} Tj ET`;
}

export async function layoutPdf(document: ReportDocument, meta: LayoutMeta): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  // Every text the pages will show, so the face chosen has all of it.
  const text = JSON.stringify(document) + translate('zh-CN', 'reportPdf.footer', { page: 0, pages: 0 });
  const regular = new CjkPdfFont(doc, await reportFace(text));
  const bold = regular;
  const w = new Writer(regular);
  for (const block of document.blocks) drawBlock(w, block);
  if (w.fresh && w.pages.length > 1) w.pages.pop();

  const ctx = doc.context;
  const resources = ctx.register(ctx.obj({ Font: { F: regular.ref } }));
  const pages = w.pages.length;
  w.pages.forEach((page, i) => {
    w.page = page;
    const under = document.mark === null ? [] : [watermark(w, document.mark)];
    // Running header and footer.
    w.text(document.header, MARGIN_X, PAGE_H - 38, 8.5, 'R', 0.3);
    const right = document.mark ?? document.headerMark;
    if (right !== null) w.text(right, PAGE_W - MARGIN_X - bold.widthOf(right, 9), PAGE_H - 38, 9, 'B', 0);
    w.line(MARGIN_X, PAGE_H - 44, PAGE_W - MARGIN_X, PAGE_H - 44, 0.6, 0.4);
    const footer = translate('zh-CN', 'reportPdf.footer', { page: i + 1, pages });
    w.text(footer, (PAGE_W - regular.widthOf(footer, 8.5)) / 2, 30, 8.5, 'R', 0.3);
    const content = [...under, ...page.ops].join('\n');
    const pdfPage = doc.addPage([PAGE_W, PAGE_H]);
    pdfPage.node.set(PDFName.of('Resources'), resources);
    pdfPage.node.set(PDFName.of('Contents'), ctx.register(ctx.flateStream(content)) as PDFRef);
  });

  doc.setTitle(document.title);
  doc.setSubject(document.subject);
  doc.setKeywords(document.keywords);
  doc.setCreator(meta.creator);
  doc.setProducer(meta.producer);
  doc.setCreationDate(meta.date);
  doc.setModificationDate(meta.date);
  doc.setLanguage('zh-CN');
  const id = PDFHexString.of(meta.fileId);
  const ids = PDFArray.withContext(ctx);
  ids.push(id);
  ids.push(id);
  ctx.trailerInfo.ID = ids;

  await regular.embed();
  return doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false });
}

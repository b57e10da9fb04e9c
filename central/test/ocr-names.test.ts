import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { ImageRedaction } from '@kawei/shared/api/booth-roster.ts';
import { buildNeedles } from '@kawei/shared/tender/blind-match.ts';
import { paintRedactions } from '@kawei/shared/tender/blind-redactor.node.ts';
import { loadPdfjs, napiCanvas, pdfjsPaths } from '@kawei/shared/tender/pdfjs.node.ts';
import { findNamesInWords, ocrNames, OcrUnavailableError, parseTesseractTsv } from '../src/projects/ocr-names.node.ts';
import { checkTenderFiles } from '../src/projects/tender-file-check.node.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();

const NAME = '南岭虚构科技股份有限公司';
const BIDDERS = [
  { code: 'A', name: '华东示例建设有限公司', aliases: [] },
  { code: 'B', name: NAME, aliases: [] },
];

/**
 * A three-page A4 PDF: pages 1 and 3 text only (Helvetica, no bidder name), page 2 the same line and
 * a PNG of a "business licence" drawn with Noto Sans CJK: the name only inside the image. Returns the
 * rectangle of the name's ink in PDF user space, from the drawing coordinates and the font metrics.
 */
async function makeNameImagePdf(): Promise<{ bytes: Uint8Array; nameRect: { x: number; y: number; width: number; height: number } }> {
  const [PW, PH, FONT] = [1200, 500, 56];
  const canvas = napiCanvas().createCanvas(PW, PH);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, PW, PH);
  ctx.fillStyle = 'black';
  ctx.font = `${FONT}px "Noto Sans CJK SC"`;
  ctx.textBaseline = 'top';
  ctx.fillText('营业执照（副本）', 80, 60);
  ctx.fillText('名称：', 80, 200);
  const nameX = 80 + ctx.measureText('名称：').width;
  ctx.fillText(NAME, nameX, 200);
  // The ink of the name (not its advance box: full-width glyphs have side bearings).
  const ink = ctx.measureText(NAME);
  ctx.fillText('住所：示例市高新区创新路一号', 80, 340);
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const image = await doc.embedPng(await canvas.encode('png'));
  const at = { x: 60, y: 400, width: 480, height: 200 };
  for (let p = 1; p <= 3; p++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`Technical proposal, page ${p}`, { x: 60, y: 760, size: 14, font, color: rgb(0, 0, 0) });
    if (p === 2) page.drawImage(image, at);
  }
  const k = at.width / PW; // same in y: 200/500 = 480/1200
  const [x0, x1] = [nameX - ink.actualBoundingBoxLeft, nameX + ink.actualBoundingBoxRight];
  const [y0, y1] = [200 - ink.actualBoundingBoxAscent, 200 + ink.actualBoundingBoxDescent]; // baseline "top": ascent ≤ 0
  return { bytes: await doc.save(), nameRect: { x: at.x + x0 * k, y: at.y + at.height - y1 * k, width: (x1 - x0) * k, height: (y1 - y0) * k } };
}

function union(redactions: readonly ImageRedaction[]) {
  const rects = redactions.flatMap((r) => r.rects);
  const x0 = Math.min(...rects.map((r) => r.x));
  const y0 = Math.min(...rects.map((r) => r.y));
  return { x: x0, y: y0, width: Math.max(...rects.map((r) => r.x + r.width)) - x0, height: Math.max(...rects.map((r) => r.y + r.height)) - y0 };
}

/** Pure black pixels (glyph cores) inside a PDF rectangle of page 2 rendered at scale 2, with the given rects painted. */
async function blackPixelsIn(pdfBytes: Uint8Array, area: { x: number; y: number; width: number; height: number }, redactions: readonly ImageRedaction[]): Promise<number> {
  const pdfjs = await loadPdfjs();
  const pdf = await pdfjs.getDocument({ data: new Uint8Array(pdfBytes), ...pdfjsPaths(), verbosity: 0 }).promise;
  try {
    const page = await pdf.getPage(2);
    const viewport = page.getViewport({ scale: 2 });
    const canvas = napiCanvas().createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const ctx = canvas.getContext('2d');
    await page.render({ canvas: canvas as unknown as HTMLCanvasElement, viewport }).promise;
    paintRedactions(ctx, viewport, redactions);
    const [x1, y1, x2, y2] = viewport.convertToViewportRectangle([area.x, area.y, area.x + area.width, area.y + area.height]);
    const left = Math.ceil(Math.min(x1, x2));
    const top = Math.ceil(Math.min(y1, y2));
    const data = ctx.getImageData(left, top, Math.floor(Math.max(x1, x2)) - left, Math.floor(Math.max(y1, y2)) - top).data;
    let black = 0;
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 20 && (data[i + 1] ?? 255) < 20 && (data[i + 2] ?? 255) < 20) black++;
    return black;
  } finally {
    await pdf.destroy();
  }
}

describe('OCR output → names (no tesseract needed)', () => {
  const tsv = [
    'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
    '4\t1\t1\t1\t1\t0\t100\t100\t400\t40\t-1\t',
    '5\t1\t1\t1\t1\t1\t100\t100\t40\t40\t91\t名称',
    '5\t1\t1\t1\t1\t2\t300\t100\t40\t40\t90\t南',
    '5\t1\t1\t1\t1\t3\t340\t102\t80\t38\t90\t岭虚构',
    '5\t1\t1\t1\t2\t1\t100\t160\t120\t40\t88\t科技股份',
    '5\t1\t1\t1\t2\t2\t220\t160\t160\t40\t88\t有限公司',
    '5\t1\t1\t1\t2\t3\t400\t160\t40\t40\t88\t 2026',
    '5\t1\t1\t1\t3\t1\t100\t220\t40\t40\t95\t   ',
  ].join('\n');

  it('reads the words of the TSV, skipping empty ones', () => {
    const words = parseTesseractTsv(tsv);
    expect(words.map((w) => w.text)).toEqual(['名称', '南', '岭虚构', '科技股份', '有限公司', '2026']);
    expect(words[1]).toMatchObject({ left: 300, top: 100, width: 40, height: 40, line: '1/1/1' });
    expect(parseTesseractTsv('')).toEqual([]);
  });

  it('matches across one-character words and a line break: one padded box per line', () => {
    const found = findNamesInWords(parseTesseractTsv(tsv), buildNeedles(BIDDERS));
    expect(found).toEqual([
      {
        code: 'B',
        boxes: [
          { left: 300 - 16, top: 100 - 8, width: 120 + 32, height: 40 + 16 },
          { left: 100 - 16, top: 160 - 8, width: 280 + 32, height: 40 + 16 },
        ],
      },
    ]);
  });
});

describe('OCR of page images (tesseract chi_sim+eng)', () => {
  beforeAll(() => requireTool('tesseract'));
  afterEach(() => {
    delete process.env['KAWEI_TESSERACT'];
  });

  it('finds the name drawn inside an image on page 2, with code B, covering where it was drawn; nothing else', async () => {
    const { bytes, nameRect } = await makeNameImagePdf();
    const path = join(tempDir(), 'scan.pdf');
    writeFileSync(path, bytes);
    const progress: number[] = [];
    const result = await ocrNames({ path, pages: [1, 2, 3], bidders: BIDDERS, onPage: (p) => progress.push(p.page) });
    expect(progress).toEqual([1, 2, 3]);
    expect(result.failedPages).toEqual([]);
    expect(result.pages).toEqual([1, 2, 3]);
    expect(result.redactions.map((r) => [r.page, r.code])).toEqual([[2, 'B']]); // bidder A is in no image
    const got = union(result.redactions);
    const tol = 1;
    expect(got.x).toBeLessThanOrEqual(nameRect.x + tol);
    expect(got.y).toBeLessThanOrEqual(nameRect.y + tol);
    expect(got.x + got.width).toBeGreaterThanOrEqual(nameRect.x + nameRect.width - tol);
    expect(got.y + got.height).toBeGreaterThanOrEqual(nameRect.y + nameRect.height - tol);
    // … and not much more: not the label before it, not the lines above and below (56 pt apart)
    expect(got.x).toBeGreaterThan(nameRect.x - 20);
    expect(got.width).toBeLessThan(nameRect.width + 40);
    expect(got.height).toBeLessThan(nameRect.height * 3);

    // painted as the booth paints them, no glyph pixel of the name is left
    expect(await blackPixelsIn(bytes, nameRect, [])).toBeGreaterThan(100);
    expect(await blackPixelsIn(bytes, nameRect, result.redactions)).toBe(0);
  });

  it('publish checks OCR only the image pages of a blind file', async () => {
    const { bytes } = await makeNameImagePdf();
    const absolute = join(tempDir(), 'scan.pdf');
    writeFileSync(absolute, bytes);
    const pages: number[] = [];
    const check = await checkTenderFiles({ files: [{ path: 'scan.pdf', absolute, bidder: 'B' }], blindBidders: BIDDERS, onOcrPage: (p) => pages.push(p.page) });
    expect(check.ocr).toEqual({ available: true, reason: null });
    expect(pages).toEqual([2]);
    expect(check.files[0]).toMatchObject({ imagePages: [2], ocr: { pages: [2], failedPages: [], redactions: [{ page: 2, code: 'B' }] } });

    const off = await checkTenderFiles({ files: [{ path: 'scan.pdf', absolute, bidder: 'B' }], blindBidders: BIDDERS, ocr: false });
    expect(off.ocr).toMatchObject({ available: false });
    expect(off.files[0]).toMatchObject({ imagePages: [2], ocr: null });
  });

  it('a missing tesseract is OcrUnavailableError; a failing one leaves the page not OCR\'d', async () => {
    const { bytes } = await makeNameImagePdf();
    const dir = tempDir();
    const path = join(dir, 'scan.pdf');
    writeFileSync(path, bytes);
    process.env['KAWEI_TESSERACT'] = '/nonexistent/tesseract';
    await expect(ocrNames({ path, pages: [2], bidders: BIDDERS })).rejects.toBeInstanceOf(OcrUnavailableError);
    const check = await checkTenderFiles({ files: [{ path: 'scan.pdf', absolute: path, bidder: 'B' }], blindBidders: BIDDERS });
    expect(check.ocr).toMatchObject({ available: false, reason: { english: expect.stringMatching(/cannot run the OCR program \/nonexistent\/tesseract \(not found/) } });
    expect(check.files[0]).toMatchObject({ imagePages: [2], ocr: null });
    delete process.env['KAWEI_TESSERACT'];

    // lists its languages, then fails on every image
    const fake = join(dir, 'fake-tesseract');
    writeFileSync(fake, '#!/bin/sh\nif [ "$1" = --list-langs ]; then printf \'List of available languages (2):\\nchi_sim\\neng\\n\'; exit 0; fi\necho broken >&2\nexit 3\n');
    chmodSync(fake, 0o755);
    const failed = await ocrNames({ path, pages: [2], bidders: BIDDERS, tesseract: fake });
    expect(failed).toEqual({ redactions: [], pages: [], failedPages: [{ page: 2, reason: 'exit 3: broken' }] });
  });
});

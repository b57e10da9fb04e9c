import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CJK_COLLECTION } from '../../src/tender/cjk-font.node.ts';
import { CjkPdfFont, cidOfGlyph } from '../../src/tender/pdf-cjk-font.node.ts';

/**
 * The CJK font of the demo tenders: a HarfBuzz subset embedded as CIDFontType0C, text encoded by CID.
 * poppler is the independent reader: pdffonts must see an embedded subset with ToUnicode and no
 * error, pdftotext must give the text back character for character (through ToUnicode), and
 * pdftoppm must draw ink for every character (a code naming no glyph of the subset draws nothing).
 */

const hasPoppler = spawnSync('pdftotext', ['-v']).status === 0;
const hasFont = existsSync(DEFAULT_CJK_COLLECTION);
if (!hasPoppler || !hasFont) console.warn('pdf-cjk-font: poppler-utils or fonts-noto-cjk missing, PDF checks SKIPPED');

const dir = mkdtempSync(join(tmpdir(), 'kawei-cjk-font-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cidOfGlyph', () => {
  it('reads charset formats 0 and 1/2 (ranges), and refuses a glyph outside them', () => {
    expect(cidOfGlyph({ version: 0, glyphs: [34, 9544] }, 2)).toBe(9544);
    const ranges = { version: 1, ranges: [{ first: 34, nLeft: 2, offset: 0 }, { first: 9544, nLeft: 0, offset: 3 }] };
    expect([0, 1, 2, 3, 4].map((g) => cidOfGlyph(ranges, g))).toEqual([0, 34, 35, 36, 9544]);
    expect(() => cidOfGlyph(ranges, 5)).toThrow(/字形 5.*glyph 5/);
  });
});

describe.skipIf(!hasPoppler || !hasFont)('CjkPdfFont', () => {
  it('round-trips Chinese and Latin text through poppler, embedded as a small subset', async () => {
    const lines = ['投标人：华东示例建设有限公司（盖章）', 'KW-2026-001 Ltd. 报价 ¥1,234.50', '龘靐齉 〇一二三'];
    const doc = await PDFDocument.create();
    const font = new CjkPdfFont(doc);
    const page = doc.addPage([595, 842]);
    page.node.setFontDictionary(PDFName.of('F1'), font.ref);
    lines.forEach((line, i) => {
      const ops = `BT /F1 14 Tf 60 ${760 - 30 * i} Td ${font.encode(line).toString()} Tj ET\n`;
      const content = doc.context.flateStream(ops);
      page.node.addContentStream(doc.context.register(content));
    });
    await font.embed();
    const bytes = await doc.save();
    const file = join(dir, 'cjk.pdf');
    writeFileSync(file, bytes);

    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' });
    expect(fonts.stderr).toBe('');
    expect(fonts.stdout).toMatch(/[A-Z]{6}\+NotoSansCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/);
    const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text.stderr).toBe('');
    expect(text.stdout.split('\n').map((l) => l.trim()).filter(Boolean)).toEqual(lines);

    // Ink per character cell: each line is drawn in 14 pt cells from x = 60 (CJK full width, Latin narrower).
    spawnSync('pdftoppm', ['-r', '72', '-gray', '-png', '-singlefile', file, join(dir, 'page')]);
    const png = PNG.sync.read(readFileSync(join(dir, 'page.png')));
    const dark = (x0: number, y0: number, w: number, h: number): number => {
      let n = 0;
      for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) if ((png.data[(y * png.width + x) * 4] as number) < 128) n++;
      return n;
    };
    const top = (i: number): number => 842 - (760 - 30 * i) - 13;
    for (const [i, chars] of [[0, 18], [2, 3]] as const) {
      for (let c = 0; c < chars; c++) expect(dark(60 + 14 * c, top(i), 14, 17), `line ${i} char ${c}`).toBeGreaterThan(0);
    }

    // The font program is a subset: a few KB, not the 16 MB of the collection.
    const fontFiles = doc.context
      .enumerateIndirectObjects()
      .map(([, obj]) => obj)
      .filter((obj): obj is PDFRawStream => obj instanceof PDFRawStream && obj.dict.get(PDFName.of('Subtype'))?.toString() === '/CIDFontType0C');
    expect(fontFiles).toHaveLength(1);
    expect(fontFiles[0]?.contents.length).toBeLessThan(60_000);
  });
});

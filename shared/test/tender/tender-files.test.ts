import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { buildNeedles, countNames, normalizeText } from '../../src/tender/blind-match.ts';
import { makeTenderPdf, type TenderPdfResult } from '../../src/tender/make-tender-pdf.node.ts';
import { openTenderDocument, type TenderDocument, TenderFileError } from '../../src/tender/tender-document.node.ts';

/**
 * A real tender PDF made in the run (12 pages, the bidder's name drawn in red so that its ink can be
 * found on a rendered page without the matcher), opened blind and open, checked with poppler.
 */

const NAME = '华东示例建设有限公司';
const ENGLISH = 'Huadong Shili Construction Co., Ltd.';
const bidders = [
  { name: NAME, code: 'A', aliases: [ENGLISH] },
  { name: '示例（北方）工程咨询有限公司', code: 'B' },
  { name: '南岭虚构科技股份有限公司', code: 'C' },
];
const needles = buildNeedles(bidders);
const RED: [number, number, number] = [0.9, 0, 0];

let dir = '';
let file = '';
let made: TenderPdfResult;
let blind: TenderDocument;
let open: TenderDocument;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kawei-tender-'));
  made = await makeTenderPdf({
    bidder: { name: NAME, englishName: ENGLISH },
    project: { name: '示例市第一中学教学楼改扩建工程', code: 'SL-2026-0815', tenderee: '示例市公共资源交易中心' },
    pages: 12,
    nameColor: RED,
  });
  file = join(dir, made.fileName);
  writeFileSync(file, made.bytes);
  blind = await openTenderDocument({ path: file }, { fileId: 'f1', blind: { bidders } });
  open = await openTenderDocument({ path: file }, { fileId: 'f2' });
});

afterAll(async () => {
  await blind?.close();
  await open?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const allNeedleTexts = needles.map((n) => n.text);
const leaks = (text: string) => allNeedleTexts.filter((n) => normalizeText(text).includes(n));

describe('demo tender PDF', () => {
  it('is a valid PDF poppler reads: pages, subset CJK fonts without errors, the name in its metadata', () => {
    requireTool('poppler');
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+12/);
    expect(info).toContain(NAME); // Title/Author/Producer: what the blind path must strip
    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' });
    expect(fonts.stderr).toBe('');
    expect(fonts.stdout).toMatch(/[A-Z]{6}\+NotoSansCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/);
    expect(made.fileName).toContain(NAME);
  });
});

describe('blind tender file', () => {
  it('gives the renderer only an id, a page count and a page size', () => {
    expect(blind.info).toEqual({ fileId: 'f1', pageCount: 12, pageSize: { width: 595.28, height: 841.89 }, blind: true });
  });

  it('finds on every page as many names as poppler’s pdftotext shows, and as many as were drawn', async () => {
    requireTool('poppler');
    const pages = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).split('\f');
    for (let p = 1; p <= blind.info.pageCount; p++) {
      const ours = (await blind.redactions(p)).length;
      const poppler = [...countNames(pages[p - 1] ?? '', needles).values()].reduce((a, b) => a + b, 0);
      expect({ page: p, ours }).toEqual({ page: p, ours: poppler });
      expect({ page: p, ours }).toEqual({ page: p, ours: made.namesPerPage[p] });
    }
  });

  it('covers names split over two text runs and over a line break', async () => {
    let sameLine = 0;
    let acrossLines = 0;
    for (let p = 1; p <= blind.info.pageCount; p++) {
      for (const box of await blind.redactions(p)) {
        if (box.rects.length < 2) continue;
        const ys = box.rects.map((r) => Math.round(r.y));
        if (new Set(ys).size === 1) sameLine++;
        else acrossLines++;
      }
    }
    expect(sameLine).toBeGreaterThan(0);
    expect(acrossLines).toBeGreaterThan(0);
  });

  it('emits no name in any text item, across items, outline entry or search result', async () => {
    const emitted: unknown[] = [blind.info];
    for (let p = 1; p <= blind.info.pageCount; p++) {
      const layer = await blind.textLayer(p);
      for (const item of layer.items) expect(leaks(item.text)).toEqual([]);
      expect(leaks(layer.items.map((i) => i.text).join(''))).toEqual([]); // a name's characters in order across items
      expect(layer.items.some((i) => i.text.includes('投标人A'))).toBe(true);
      emitted.push(layer);
    }
    const outline = await blind.outline();
    expect(outline.map((o) => o.title)).toContain('一、投标函（投标人A）');
    emitted.push(outline);
    for (const q of [NAME, '华东示例', '示例建设', ENGLISH, 'Huadong', '投标人A', '有限公司']) emitted.push(await blind.search(q));
    expect(await blind.search(NAME)).toEqual([]);
    expect((await blind.search('投标人A')).length).toBe(12);
    const json = JSON.stringify(emitted);
    expect(leaks(json)).toEqual([]);
    expect(json).not.toMatch(/huadong/i);
    expect(json).not.toContain(made.fileName);
  });

  it('paints over every pixel of every name: no name ink survives, and the boxes are solid', async () => {
    const isNameInk = (d: Buffer, i: number) => (d[i] ?? 0) - Math.max(d[i + 1] ?? 0, d[i + 2] ?? 0) > 60;
    for (let p = 1; p <= blind.info.pageCount; p++) {
      const before = PNG.sync.read(Buffer.from((await open.renderPage(p, 1)).bytes));
      const after = PNG.sync.read(Buffer.from((await blind.renderPage(p, 1)).bytes));
      expect([after.width, after.height]).toEqual([before.width, before.height]);
      let inkBefore = 0;
      let inkAfter = 0;
      for (let i = 0; i < before.data.length; i += 4) {
        if (isNameInk(before.data, i)) inkBefore++;
        if (isNameInk(after.data, i)) inkAfter++;
      }
      expect(inkBefore).toBeGreaterThan(100); // the names are there to be covered
      expect({ page: p, inkAfter }).toEqual({ page: p, inkAfter: 0 });
      // Inside each box (1 px in from the edge): only the box colour and the grey/white label.
      for (const box of await blind.redactions(p)) {
        for (const r of box.rects) {
          const x0 = Math.ceil(r.x) + 1;
          const x1 = Math.floor(r.x + r.width) - 1;
          const y0 = Math.ceil(after.height - (r.y + r.height)) + 1;
          const y1 = Math.floor(after.height - r.y) - 1;
          let solid = 0;
          let total = 0;
          for (let y = y0; y <= y1; y++) {
            for (let x = x0; x <= x1; x++) {
              const i = (y * after.width + x) * 4;
              const [r0 = 0, g0 = 0, b0 = 0] = [after.data[i], after.data[i + 1], after.data[i + 2]];
              expect(Math.abs(r0 - g0) + Math.abs(g0 - b0)).toBeLessThan(6);
              if (r0 === 38 && g0 === 38 && b0 === 38) solid++;
              total++;
            }
          }
          expect(solid / total).toBeGreaterThan(0.6);
        }
      }
    }
  });

  it('renders lazily and caches per page and scale; JPEG on request', async () => {
    const a = await blind.renderPage(5, 0.5);
    const b = await blind.renderPage(5, 0.5);
    expect(b).toBe(a);
    const jpeg = await blind.renderPage(5, 0.5, { format: 'jpeg', quality: 70 });
    expect(jpeg.mime).toBe('image/jpeg');
    expect([jpeg.bytes[0], jpeg.bytes[1]]).toEqual([0xff, 0xd8]);
  });
});

describe('open (non-blind) tender file', () => {
  it('shows the names through the same interface', async () => {
    expect(open.info.blind).toBe(false);
    const layer = await open.textLayer(3);
    expect(normalizeText(layer.items.map((i) => i.text).join(''))).toContain(normalizeText(NAME));
    expect((await open.outline()).map((o) => o.title)).toContain(`一、投标函（${NAME}）`);
    const hits = await open.search(NAME);
    expect(hits.length).toBe(12); // the cover, and every other page in its header and footer
    expect(await open.redactions(3)).toEqual([]);
  });
});

describe('bad input', () => {
  it('refuses garbage, an empty file and out-of-range pages with bilingual errors, without crashing', async () => {
    await expect(openTenderDocument({ data: new TextEncoder().encode('not a pdf at all') })).rejects.toMatchObject({ code: 'TENDER_UNREADABLE' });
    await expect(openTenderDocument({ data: made.bytes.slice(0, 400) })).rejects.toBeInstanceOf(TenderFileError);
    await expect(openTenderDocument({ path: join(dir, 'missing.pdf') })).rejects.toMatchObject({ code: 'TENDER_UNREADABLE' });
    await expect(openTenderDocument({ data: made.bytes }, { blind: { bidders: [{ name: 'x', code: 'A' }] } })).rejects.toMatchObject({ code: 'TENDER_BAD_OPTIONS' });
    await expect(blind.renderPage(13)).rejects.toMatchObject({ code: 'TENDER_PAGE_RANGE' });
    await expect(blind.renderPage(1, 50)).rejects.toThrow(/缩放比例.*scale/);
  });
});

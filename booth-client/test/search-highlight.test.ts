import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { makeTenderPdf, type TenderPdfResult } from '@kawei/shared/tender/make-tender-pdf.node.ts';
import { openTenderDocument } from '@kawei/shared/tender/tender-document.node.ts';
import { createBoothFiles, type BoothFiles } from '../src/services/files/booth-files.node.ts';
import {
  findOccurrences,
  highlightRects,
  rangeRect,
  SearchHighlights,
  type LayerItem,
  type Rect,
  type TextLayerLike,
} from '../src/renderer/search-highlight.ts';

/**
 * Search highlighting (booth-client/src/renderer/search-highlight.ts): hand-made text layers for the
 * matching and geometry rules, then real text layers of a generated tender served by the booth's
 * file service (blind and open), checked against the trusted side's own search and against the ink
 * of the rendered page.
 */

const PAGE = { width: 595.28, height: 841.89 };
/** A horizontal item at font size `size`: the layer's box is 1.1 em high (0.2 below the baseline, 0.9 above). */
const item = (text: string, x: number, y: number, size: number, width?: number): LayerItem => ({
  text,
  x,
  y,
  width: width ?? [...text].reduce((w, c) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(c) ? 1 : 0.5), 0) * size,
  height: 1.1 * size,
});
const layer = (...items: LayerItem[]): TextLayerLike => ({ ...PAGE, items });
/** Unpadded geometry of one occurrence's boxes (the padding is checked separately). */
const close = (actual: Rect, expected: Rect, tolerance = 0.01) => {
  expect(Math.abs(actual.x - expected.x)).toBeLessThan(tolerance);
  expect(Math.abs(actual.y - expected.y)).toBeLessThan(tolerance);
  expect(Math.abs(actual.width - expected.width)).toBeLessThan(tolerance);
  expect(Math.abs(actual.height - expected.height)).toBeLessThan(tolerance);
};
const contains = (outer: Rect, inner: Rect) =>
  inner.x >= outer.x - 1e-6 && inner.y >= outer.y - 1e-6 && inner.x + inner.width <= outer.x + outer.width + 1e-6 && inner.y + inner.height <= outer.y + outer.height + 1e-6;

describe('matching: the trusted side search, character for character', () => {
  it('finds the query case-insensitively, NFKC-normalised, with whitespace and zero-width characters ignored', () => {
    const items = [item('ＰＤＦ Report（第一版）', 64, 100, 11), item('报\u200b价 表', 64, 120, 11)];
    expect(findOccurrences(items, 'pdf report')).toEqual([[{ item: 0, start: 0, end: 10 }]]);
    expect(findOccurrences(items, 'PDFREPORT(第一版)')).toEqual([[{ item: 0, start: 0, end: 15 }]]);
    // Characters dropped inside an item are inside the piece.
    expect(findOccurrences(items, '报价表')).toEqual([[{ item: 1, start: 0, end: 5 }]]);
    expect(findOccurrences(items, '   ')).toEqual([]);
    expect(findOccurrences(items, '没有')).toEqual([]);
  });

  it('counts non-overlapping occurrences from the left, as the search does', () => {
    const items = [item('aaaa', 0, 0, 10), item('aaa', 0, 20, 10)];
    // "aaaaaaa" concatenated: "aa" ×3; "aaa" ×2.
    expect(findOccurrences(items, 'aa').length).toBe(3);
    expect(findOccurrences(items, 'AAA').map((o) => o.map((p) => p.item))).toEqual([[0], [0, 1]]);
  });

  it('follows a query across adjacent items: two runs, a space item, a line end', () => {
    const items = [item('投标人：华东示例', 64, 100, 12), item('建设', 172, 100, 12), item(' ', 196, 100, 12), item('有限公司', 202, 100, 12)];
    expect(findOccurrences(items, '华东示例建设有限公司')).toEqual([
      [
        { item: 0, start: 4, end: 8 },
        { item: 1, start: 0, end: 2 },
        { item: 3, start: 0, end: 4 },
      ],
    ]);
  });
});

describe('geometry', () => {
  it('a whole item is its box; a part of it by character position (CJK one em, Latin from a width table)', () => {
    const heading = item('三、技术方案说明', 64, 100, 11);
    close(rangeRect(heading, 0, 8), { x: 64, y: 100, width: 88, height: 12.1 });
    close(rangeRect(heading, 2, 6), { x: 64 + 22, y: 100, width: 44, height: 12.1 });
    // Mixed, as pdf.js measured it in a generated tender: "1. " is 14.85 pt at 13 pt (Latin widths
    // are estimated from a table: digit ≈ 0.55 em, full stop ≈ 0.28, space ≈ 0.25).
    const mixed = item('1. 施工组织设计', 64, 100, 13, 92.85);
    close(rangeRect(mixed, 3, 7), { x: 64 + 14.85, y: 100, width: 4 * 13, height: 14.3 }, 1);
    // Scaled so the total is exact when the item is a little wider or narrower than its natural width.
    const wide = item('技术方案', 0, 0, 10, 48);
    close(rangeRect(wide, 2, 4), { x: 24, y: 0, width: 24, height: 11 });
  });

  it('a code label takes the width of the name it replaced; text after a cut name sits at the end', () => {
    // Blind: 华东示例建设有限公司保证华东 (14 em) became 投标人A保证华东 in the same box.
    const line = item('投标人A保证华东', 64, 100, 11, 14 * 11);
    close(rangeRect(line, 4, 6), { x: 64 + 10 * 11, y: 100, width: 22, height: 12.1 });
    close(rangeRect(line, 0, 4), { x: 64, y: 100, width: 110, height: 12.1 });
    // The name in two runs: 华东示例建 (label) + 设有限公司（公章）, the second run cut to （公章） in its 9 em box.
    const items = [item('投标人A', 264, 571, 12, 60), item('（公章）', 324, 571, 12, 108)];
    const [box] = highlightRects(layer(...items), '公章')[0] ?? [];
    expect(box).toBeDefined();
    const em = 12;
    expect(Math.abs(box!.x + 0.12 * em - (324 + 5 * em + em))).toBeLessThan(0.01);
    expect(Math.abs(box!.width - 0.24 * em - 2 * em)).toBeLessThan(0.01);
    // The same text not after a label: spread over its box as usual.
    close(rangeRect(items[1]!, 1, 3), { x: 324 + 27, y: 571, width: 54, height: 13.2 });
  });

  it('upright (rotated) items and empty boxes give the whole item', () => {
    const upright: LayerItem = { text: '技术方案', x: 30, y: 200, width: 12.1, height: 44 };
    close(rangeRect(upright, 1, 3), { x: 30, y: 200, width: 12.1, height: 44 });
  });

  it('one box per line: runs on one line merge, a line end gives two, a wide gap (a dot leader) too', () => {
    const twoRuns = layer(item('投标人：华东示例', 64, 100, 12), item('建设有限公司', 160, 100, 12));
    const [runs] = highlightRects(twoRuns, '华东示例建设');
    expect(runs).toHaveLength(1);
    const em = 12;
    close(runs![0]!, { x: 64 + 4 * em - 0.12 * em, y: 100 - 0.08 * em, width: 6 * em + 0.24 * em, height: 1.1 * em + 0.16 * em });

    const lineEnd = layer(item('我们承诺技术', 64, 100, 11), item('方案可行', 64, 119, 11));
    const [broken] = highlightRects(lineEnd, '技术方案');
    expect(broken).toHaveLength(2);
    expect(broken![0]!.y).toBeLessThan(broken![1]!.y);

    const toc = layer(item('封面', 64, 104, 11), item(' ', 86, 104, 11, 439.17), item('1', 525.17, 104, 11));
    expect(highlightRects(toc, '封面1')[0]).toHaveLength(2);
  });

  it('boxes are padded a little and stay on the page', () => {
    const corner = layer(item('技术方案', 0, 0, 10));
    const [[box]] = highlightRects(corner, '技术') as [[Rect]];
    expect(box).toEqual({ x: 0, y: 0, width: 20 + 1.2, height: 11 + 0.8 });
  });
});

describe('the viewer cache', () => {
  it('asks for a page layer once (concurrent askers share it), keeps boxes per page and query, forgets failures', async () => {
    let asked = 0;
    let fail = true;
    const highlights = new SearchHighlights(async (_fileId, page) => {
      asked++;
      await new Promise((r) => setTimeout(r, 5));
      if (page === 9 && fail) throw new Error('FILE_UNAVAILABLE');
      return layer(item(`第${page}页技术方案`, 64, 100, 11));
    }, 2);
    const [a, b] = await Promise.all([highlights.load('f', 1, '技术方案'), highlights.load('f', 1, '技术方案')]);
    expect(a).toBe(b);
    expect(asked).toBe(1);
    expect(a.occurrences).toHaveLength(1);
    expect(highlights.get('f', 1, ' 技术方案 ')).toBe(a);
    await highlights.load('f', 1, '方案');
    expect(asked).toBe(1);
    await expect(highlights.load('f', 9, '方案')).rejects.toThrow('FILE_UNAVAILABLE');
    fail = false;
    await highlights.load('f', 9, '方案');
    expect(asked).toBe(3);
    await highlights.load('f', 2, '方案');
    await highlights.load('f', 3, '方案');
    expect(highlights.layerCount).toBe(2);
    expect(highlights.get('g', 1, '技术方案')).toBeUndefined();
  });
});

describe('real text layers of a generated tender (booth file service)', () => {
  const A = { code: 'A', name: '华东示例建设有限公司', aliases: ['Huadong Shili Construction Co., Ltd.'] };
  const B = { code: 'B', name: '南岭虚构科技股份有限公司', aliases: ['南岭科技'] };
  const RED: [number, number, number] = [0.9, 0, 0];
  const project = { name: '示例市第一中学教学楼改扩建工程', code: 'SL-2026-0815', tenderee: '示例市公共资源交易中心' };
  let root = '';
  let pdf: TenderPdfResult;
  const services: BoothFiles[] = [];
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  async function open(blind: boolean): Promise<{ files: BoothFiles; fileId: string }> {
    const files = createBoothFiles({
      dataDir: join(root, blind ? 'blind' : 'open'),
      fetchFile: async () => new Uint8Array(pdf.bytes),
      watermark: () => ({ codename: 'HK-37', booth: '第3评标室 02号' }),
      imageFormat: 'png',
    });
    services.push(files);
    const payload: ProjectBoothPayload = {
      date: '2026-05-01',
      project: project.code,
      title: project.name,
      blind,
      startsAt: null,
      endsAt: null,
      criteria: [{ id: 'tech', name: '技术', max: 60 }],
      bidders: [A, B],
      files: [{ sha256: sha(pdf.bytes), bytes: pdf.bytes.byteLength, bidder: 'A', title: 'A' }],
    };
    files.setProject(payload);
    await files.prefetch();
    const [first] = files.listFiles();
    return { files, fileId: first!.fileId };
  }

  let blind: { files: BoothFiles; fileId: string };
  let openFiles: { files: BoothFiles; fileId: string };
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'kawei-highlight-'));
    pdf = await makeTenderPdf({ bidder: { name: A.name, englishName: A.aliases[0] }, project, pages: 8, nameColor: RED, seed: 1 });
    blind = await open(true);
    openFiles = await open(false);
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.close()));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('every hit the search reports is highlighted, as many times as it counts, inside the page', async () => {
    for (const { files, fileId } of [blind, openFiles]) {
      for (const query of ['技术方案', '投标人A', '施工', '三、技术方案', '第 5 页', 'sl-2026', '（公章）', '示例市第一中学教学楼改扩建工程投标文件']) {
        const hits = await files.searchFile({ fileId, query });
        const byPage = new Map(hits.map((h) => [h.page, h.count]));
        for (let page = 1; page <= pdf.pageCount; page++) {
          const text = await files.getTextLayer({ fileId, page });
          const found = highlightRects(text, query);
          expect({ query, page, count: found.length }).toEqual({ query, page, count: byPage.get(page) ?? 0 });
          for (const rects of found) {
            expect(rects.length).toBeGreaterThan(0);
            for (const r of rects) {
              expect(r.width).toBeGreaterThan(0);
              expect(contains({ x: 0, y: 0, width: text.width, height: text.height }, r)).toBe(true);
            }
          }
        }
      }
    }
  });

  it('a bidder name in a blind file: no hit, no highlight', async () => {
    for (const query of [A.name, '华东示例', 'Huadong Shili', B.name]) {
      expect(await blind.files.searchFile({ fileId: blind.fileId, query })).toEqual([]);
      for (let page = 1; page <= pdf.pageCount; page++) {
        expect(highlightRects(await blind.files.getTextLayer({ fileId: blind.fileId, page }), query)).toEqual([]);
      }
    }
  });

  it('a heading, and the same words ending the running header: boxes over the ink of those words', async () => {
    const hits = await blind.files.searchFile({ fileId: blind.fileId, query: '技术方案' });
    const section = hits.find((h) => h.count >= 2);
    expect(section).toBeDefined();
    const page = section!.page;
    const text = await blind.files.getTextLayer({ fileId: blind.fileId, page });
    const found = highlightRects(text, '技术方案');
    const scale = 2;
    const doc = await openTenderDocument({ data: pdf.bytes }, { blind: { bidders: [A, B] } });
    try {
      const png = PNG.sync.read(Buffer.from((await doc.renderPage(page, scale)).bytes));
      const ink = (r: Rect) => inkColumns(png, r, scale);
      for (const [box] of found) {
        // Ink under the box, over most of its width (four glyphs, no gap wider than one).
        const columns = ink(box!);
        expect(columns.size).toBeGreaterThan(0.5 * box!.width * scale);
        // Both lines end with the words: right after the box, the line is blank (the box is not short).
        const em = box!.height / 1.26;
        const after = { ...box!, x: box!.x + box!.width + 0.15 * em, width: 3 * em };
        expect(ink(after).size).toBe(0);
      }
    } finally {
      await doc.close();
    }
  });

  it("a code label's box covers the name it stands for (the name's red ink on the open page)", async () => {
    const doc = await openTenderDocument({ data: pdf.bytes });
    const scale = 1.5;
    try {
      for (let page = 1; page <= pdf.pageCount; page++) {
        const text = await blind.files.getTextLayer({ fileId: blind.fileId, page });
        const boxes = highlightRects(text, '投标人A').flat();
        const png = PNG.sync.read(Buffer.from((await doc.renderPage(page, scale)).bytes));
        const outside: string[] = [];
        const boxHasRed = boxes.map(() => false);
        let red = 0;
        for (let y = 0; y < png.height; y++) {
          for (let x = 0; x < png.width; x++) {
            const i = (y * png.width + x) * 4;
            if (!((png.data[i] ?? 0) > 170 && (png.data[i + 1] ?? 0) < 90 && (png.data[i + 2] ?? 0) < 90)) continue;
            red++;
            const px = x / scale;
            const py = y / scale;
            // One point of slack: anti-aliased edges of the last glyph.
            const inside = boxes.map((b) => px >= b.x - 1 && px <= b.x + b.width + 1 && py >= b.y - 1 && py <= b.y + b.height + 1);
            inside.forEach((yes, k) => {
              if (yes) boxHasRed[k] = true;
            });
            if (!inside.includes(true)) outside.push(`${px.toFixed(0)},${py.toFixed(0)}`);
          }
        }
        expect(red).toBeGreaterThan(0);
        // And no box marks a place without a name.
        expect(boxHasRed.every(Boolean)).toBe(true);
        expect({ page, outside: outside.length, sample: outside.slice(0, 5) }).toEqual({ page, outside: 0, sample: [] });
      }
    } finally {
      await doc.close();
    }
  });

  it('the same words in the blind and the open layer get nearly the same box', async () => {
    for (let page = 1; page <= pdf.pageCount; page++) {
      const blindText = await blind.files.getTextLayer({ fileId: blind.fileId, page });
      const openText = await openFiles.files.getTextLayer({ fileId: openFiles.fileId, page });
      // Words that follow a name on its line: the label must not shift them.
      for (const query of ['保证', '将对施工人员', '负责对施', '（公章）', '法定代表人']) {
        const a = highlightRects(blindText, query).flat();
        const b = highlightRects(openText, query).flat();
        expect(a.length).toBe(b.length);
        a.forEach((r, i) => {
          const o = b[i]!;
          const em = o.height / 1.26;
          expect(Math.abs(r.x - o.x)).toBeLessThan(0.6 * em);
          expect(Math.abs(r.x + r.width - (o.x + o.width))).toBeLessThan(0.6 * em);
        });
      }
    }
  });
});

/** Columns (in pixels) inside the box with dark ink. */
function inkColumns(png: PNG, r: Rect, scale: number): Set<number> {
  const columns = new Set<number>();
  const x0 = Math.max(0, Math.floor(r.x * scale));
  const x1 = Math.min(png.width, Math.ceil((r.x + r.width) * scale));
  const y0 = Math.max(0, Math.floor(r.y * scale));
  const y1 = Math.min(png.height, Math.ceil((r.y + r.height) * scale));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * 4;
      if ((png.data[i] ?? 255) + (png.data[i + 1] ?? 255) + (png.data[i + 2] ?? 255) < 3 * 160) columns.add(x);
    }
  }
  return columns;
}

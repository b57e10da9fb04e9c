import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImageOps, imageShareOfOperatorList } from '../../src/tender/image-coverage.ts';
import { openTenderDocument, type TenderDocument } from '../../src/tender/tender-document.node.ts';
import { IMAGE_PAGE, IMAGE_SHARE, makeImagePdf } from './image-pdf.node.ts';

/** The share of a page covered by raster images, on a real PDF made with pdf-lib and on op lists. */

let doc: TenderDocument;

beforeAll(async () => {
  doc = await openTenderDocument({ data: await makeImagePdf() }, { blind: { bidders: [{ code: 'A', name: '华东示例建设有限公司' }] } });
});

afterAll(async () => {
  await doc?.close();
});

describe('image share of a page', () => {
  it('measures the image on page 2 and nothing on the text pages', async () => {
    expect(await doc.imageShare(IMAGE_PAGE)).toBeCloseTo(IMAGE_SHARE, 1);
    expect(Math.abs((await doc.imageShare(IMAGE_PAGE)) - IMAGE_SHARE)).toBeLessThanOrEqual(0.05);
    expect(await doc.imageShare(1)).toBe(0);
    expect(await doc.imageShare(3)).toBe(0);
  });

  it('comes with the rendered page', async () => {
    const page = await doc.renderPage(IMAGE_PAGE, 0.5);
    expect(Math.abs(page.imageShare - IMAGE_SHARE)).toBeLessThanOrEqual(0.05);
    expect((await doc.renderPage(1, 0.5)).imageShare).toBe(0);
  });

  it('follows save/restore, transforms and forms; counts overlaps once; clips to the page', () => {
    const ops: ImageOps = {
      save: 10, restore: 11, transform: 12, paintFormXObjectBegin: 74, paintFormXObjectEnd: 75, paintImageMaskXObject: 83,
      paintImageMaskXObjectGroup: 84, paintImageXObject: 85, paintInlineImageXObject: 86, paintInlineImageXObjectGroup: 87,
      paintImageXObjectRepeat: 88, paintImageMaskXObjectRepeat: 89,
    };
    const view = [0, 0, 100, 100];
    const share = (list: [number, unknown[]][]) => imageShareOfOperatorList({ fnArray: list.map((o) => o[0]), argsArray: list.map((o) => o[1]) }, ops, view);
    // A 50 × 50 image, drawn twice on the same spot, then a unit-square one after the restore (tiny).
    const quarter: [number, unknown[]][] = [[10, []], [12, [50, 0, 0, 50, 0, 0]], [85, ['img']], [86, [{}]], [11, []]];
    expect(share(quarter)).toBeCloseTo(0.25, 2);
    expect(share([...quarter, [85, ['img']]])).toBeLessThan(0.26);
    // Inside a form XObject scaled 2×: 25 × 25 → 50 × 50, half of it off the page.
    expect(share([[74, [[2, 0, 0, 2, 50, 0], [0, 0, 100, 100]]], [12, [25, 0, 0, 25, 0, 0]], [83, [{}]], [75, []]])).toBeCloseTo(0.25, 2);
    // Repeats: four 10 × 10 copies.
    expect(share([[88, ['img', 10, 10, [0, 0, 20, 0, 40, 0, 60, 0]]]])).toBeCloseTo(0.04, 2);
    // No images: text, paths.
    expect(share([[10, []], [12, [1, 0, 0, 1, 5, 5]], [11, []]])).toBe(0);
  });
});

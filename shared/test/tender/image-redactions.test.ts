import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageRedaction } from '../../src/tender/image-redaction.ts';
import { openTenderDocument, type TenderDocument } from '../../src/tender/tender-document.node.ts';
import { IMAGE_PAGE, makeImagePdf } from './image-pdf.node.ts';

/**
 * Names the central's OCR found inside page images (`blind.imageRedactions`, PDF user space): painted
 * on blind pages like the text-layer boxes, listed by `redactions(page)`, ignored by open files.
 * makeImagePdf's page 2 carries a red image at x = 0.2 W, y = 0.25 H, 0.5 W × 0.6 H (origin bottom-left);
 * the OCR box covers a part of it, so red must vanish inside the box and stay outside it.
 */

const [W, H] = [595.28, 841.89];
const bidders = [
  { name: '华东示例建设有限公司', code: 'A' },
  { name: '南岭虚构科技股份有限公司', code: 'B' },
];
const IMAGE = { x: W * 0.2, y: H * 0.25, width: W * 0.5, height: H * 0.6 };
const BOX = { x: W * 0.3, y: H * 0.4, width: W * 0.2, height: H * 0.25 };
const ocr: ImageRedaction[] = [{ page: IMAGE_PAGE, code: 'A', rects: [BOX] }];
const SCALE = 1;
const BORDER = 2;

let bytes: Uint8Array;
const docs: TenderDocument[] = [];

beforeAll(async () => {
  bytes = await makeImagePdf();
});

afterAll(async () => {
  await Promise.all(docs.map((d) => d.close()));
});

async function opened(blind: boolean, redactions: ImageRedaction[] = ocr): Promise<TenderDocument> {
  const doc = await openTenderDocument({ data: bytes }, blind ? { blind: { bidders, imageRedactions: redactions } } : {});
  docs.push(doc);
  return doc;
}

/** A PDF rectangle (y up) in device pixels (y down) at SCALE, shrunk by `inset` px on every side. */
function pixels(r: { x: number; y: number; width: number; height: number }, inset: number) {
  return {
    left: Math.ceil(r.x * SCALE) + inset,
    right: Math.floor((r.x + r.width) * SCALE) - inset,
    top: Math.ceil((H - r.y - r.height) * SCALE) + inset,
    bottom: Math.floor((H - r.y) * SCALE) - inset,
  };
}

const isRed = (png: PNG, x: number, y: number) => {
  const i = (y * png.width + x) * 4;
  return (png.data[i] ?? 0) > 170 && (png.data[i + 1] ?? 0) < 90 && (png.data[i + 2] ?? 0) < 90;
};

/** Red pixels inside the box (shrunk by BORDER), and inside the image but outside the box (grown by BORDER). */
async function redInAndOut(doc: TenderDocument): Promise<{ inside: number; outside: number; insideTotal: number }> {
  const png = PNG.sync.read(Buffer.from((await doc.renderPage(IMAGE_PAGE, SCALE, { format: 'png' })).bytes));
  const box = pixels(BOX, BORDER);
  const grown = pixels(BOX, -BORDER);
  const image = pixels(IMAGE, BORDER);
  let inside = 0;
  let insideTotal = 0;
  let outside = 0;
  for (let y = image.top; y < image.bottom; y++) {
    for (let x = image.left; x < image.right; x++) {
      const inBox = x >= box.left && x < box.right && y >= box.top && y < box.bottom;
      const inGrown = x >= grown.left && x < grown.right && y >= grown.top && y < grown.bottom;
      if (inBox) {
        insideTotal++;
        if (isRed(png, x, y)) inside++;
      } else if (!inGrown && isRed(png, x, y)) outside++;
    }
  }
  return { inside, outside, insideTotal };
}

describe('OCR boxes from the central (imageRedactions)', () => {
  it('blind: the box is painted over the image (no red inside it), the rest of the image stays', async () => {
    const doc = await opened(true);
    const { inside, outside, insideTotal } = await redInAndOut(doc);
    expect(insideTotal).toBeGreaterThan(10_000);
    expect(inside).toBe(0);
    expect(outside).toBeGreaterThan(50_000);
    // Pages without OCR boxes are untouched by them.
    expect(await doc.redactions(1)).toEqual([]);
  });

  it('blind: redactions(page) lists the OCR box with its code, marked as from an image', async () => {
    const doc = await opened(true);
    const boxes = await doc.redactions(IMAGE_PAGE);
    expect(boxes).toEqual([{ code: 'A', rects: [BOX], source: 'image' }]);
    // A copy: the caller cannot change what is painted.
    boxes[0]!.rects[0]!.width = 0;
    expect((await doc.redactions(IMAGE_PAGE))[0]!.rects[0]).toEqual(BOX);
  });

  it('open: nothing is painted (the same red image shows inside the box), no boxes listed', async () => {
    const doc = await opened(false);
    const { inside, insideTotal } = await redInAndOut(doc);
    expect(inside).toBe(insideTotal);
    expect(await doc.redactions(IMAGE_PAGE)).toEqual([]);
  });

  it('refuses bad boxes at open with TENDER_BAD_OPTIONS', async () => {
    const bad = (imageRedactions: unknown) => openTenderDocument({ data: bytes }, { blind: { bidders, imageRedactions: imageRedactions as ImageRedaction[] } });
    await expect(bad([{ page: -1, code: 'A', rects: [BOX] }])).rejects.toMatchObject({ code: 'TENDER_BAD_OPTIONS' });
    await expect(bad([{ page: 2, code: 'A', rects: [{ ...BOX, x: Number.NaN }] }])).rejects.toMatchObject({ code: 'TENDER_BAD_OPTIONS' });
    await expect(bad([{ page: 2, code: 'A', rects: [{ ...BOX, width: -5 }] }])).rejects.toMatchObject({ code: 'TENDER_BAD_OPTIONS' });
    await expect(bad([{ page: 2, code: 'A', rects: [] }])).rejects.toMatchObject({ code: 'TENDER_BAD_OPTIONS' });
    await expect(bad('garbage')).rejects.toMatchObject({ code: 'TENDER_BAD_OPTIONS' });
    // A page the file does not have, or a code not among the bidders: boxes made for another file.
    await expect(bad([{ page: 4, code: 'A', rects: [BOX] }])).rejects.toMatchObject({ code: 'TENDER_BAD_OPTIONS', message: expect.stringMatching(/page 4/) });
    await expect(bad([{ page: 2, code: 'Z', rects: [BOX] }])).rejects.toMatchObject({ code: 'TENDER_BAD_OPTIONS', message: expect.stringMatching(/code Z/) });
  });
});

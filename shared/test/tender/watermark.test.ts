import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenderPdf } from '../../src/tender/make-tender-pdf.node.ts';
import { napiCanvas } from '../../src/tender/pdfjs.node.ts';
import { openTenderDocument, type TenderDocument, TenderFileError } from '../../src/tender/tender-document.node.ts';
import { formatMinute, paintWatermark, watermarkFontPx, watermarkText, WATERMARK_STYLE } from '../../src/tender/watermark.ts';

/**
 * The page watermark burnt in on the trusted side: a page rendered with and without it differs only
 * by the tiled watermark text, across the whole page, semi-transparent (paper still light, body text
 * still dark), at a size that can be read; on a blind page it goes over the boxes and reveals nothing.
 */

const NAME = '华东示例建设有限公司';
const RED: [number, number, number] = [0.9, 0, 0];
const bidders = [{ name: NAME, code: 'A', aliases: [] }];
const TEXT = watermarkText({ codename: 'HK-37', booth: '第3评标室 02号', at: Date.UTC(2026, 4, 1, 1, 30, 42) });

let open: TenderDocument;
let blind: TenderDocument;

beforeAll(async () => {
  const made = await makeTenderPdf({
    bidder: { name: NAME },
    project: { name: '示例市第一中学教学楼改扩建工程', code: 'SL-2026-0815', tenderee: '示例市公共资源交易中心' },
    pages: 8,
    nameColor: RED,
  });
  open = await openTenderDocument({ data: made.bytes }, { fileId: 'w1' });
  blind = await openTenderDocument({ data: made.bytes }, { fileId: 'w2', blind: { bidders } });
});

afterAll(async () => {
  await open?.close();
  await blind?.close();
});

const decode = (bytes: Uint8Array) => PNG.sync.read(Buffer.from(bytes));
const lum = (d: Buffer, i: number) => 0.299 * (d[i] ?? 0) + 0.587 * (d[i + 1] ?? 0) + 0.114 * (d[i + 2] ?? 0);

describe('watermark text', () => {
  it('names the code name, the booth and the minute in China Standard Time', () => {
    expect(TEXT).toBe('HK-37 · 第3评标室 02号 · 2026-05-01 09:30');
    expect(formatMinute(Date.UTC(2026, 11, 31, 16, 0, 59))).toBe('2027-01-01 00:00');
    expect(formatMinute(Date.UTC(2026, 11, 31, 16, 0, 59), 0)).toBe('2026-12-31 16:00');
  });
});

describe('watermarked page', () => {
  it('differs from the plain page by watermark ink all over it, semi-transparent, body text kept dark', async () => {
    const scale = 1.5;
    const plain = decode((await open.renderPage(3, scale)).bytes);
    const marked = decode((await open.renderPage(3, scale, { watermark: { text: TEXT } })).bytes);
    expect([marked.width, marked.height]).toEqual([plain.width, plain.height]);

    // Reference: the watermark alone on white paper, painted the same way.
    const { createCanvas } = napiCanvas();
    const ref = createCanvas(plain.width, plain.height);
    const rctx = ref.getContext('2d');
    rctx.fillStyle = '#fff';
    rctx.fillRect(0, 0, ref.width, ref.height);
    const copies = paintWatermark(rctx, ref.width, ref.height, scale, { text: TEXT });
    expect(copies).toBeGreaterThan(10);
    const refPx = rctx.getImageData(0, 0, ref.width, ref.height).data;

    const W = plain.width;
    const H = plain.height;
    const grid = new Array<number>(9).fill(0);
    let changed = 0;
    let paperInk = 0;
    let paperInkAgree = 0;
    const drops: number[] = [];
    let darkText = 0;
    let darkTextKept = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 4;
        const a = lum(plain.data, i);
        const b = lum(marked.data, i);
        const r = 0.299 * (refPx[i] ?? 0) + 0.587 * (refPx[i + 1] ?? 0) + 0.114 * (refPx[i + 2] ?? 0);
        if (Math.abs(a - b) > 2) {
          changed++;
          grid[Math.min(2, Math.floor((3 * y) / H)) * 3 + Math.min(2, Math.floor((3 * x) / W))]! += 1;
        }
        if (a > 250) {
          // White paper: the page's change is the reference's ink, pixel for pixel.
          if (r < 250) {
            paperInk++;
            if (Math.abs(b - r) <= 3) paperInkAgree++;
            drops.push(a - b);
          }
        }
        if (a < 60) {
          darkText++;
          if (b < 80) darkTextKept++;
        }
      }
    }
    // Tiled over the whole page: ink in each ninth.
    for (const cell of grid) expect(cell).toBeGreaterThan(200);
    expect(changed / (W * H)).toBeGreaterThan(0.02);
    expect(changed / (W * H)).toBeLessThan(0.3);
    // Exactly the watermark text where the paper is white (crisp glyphs, nothing else drawn).
    expect(paperInkAgree / paperInk).toBeGreaterThan(0.97);
    // Semi-transparent: the glyph cores lower white paper by a readable but not opaque amount.
    drops.sort((x, y) => x - y);
    const strong = drops[Math.floor(drops.length * 0.9)] ?? 0;
    expect(strong).toBeGreaterThan(30);
    expect(strong).toBeLessThan(120);
    // The page's own text stays dark under the watermark.
    expect(darkTextKept / darkText).toBeGreaterThan(0.99);
    // Legible size: ≥ 12 px glyphs at reading scales.
    expect(watermarkFontPx(1)).toBeGreaterThanOrEqual(12);
    expect(watermarkFontPx(scale)).toBeGreaterThanOrEqual(18);
    expect(WATERMARK_STYLE.opacity).toBeLessThan(0.5);
  });

  it('goes over the blind-review boxes without uncovering a name', async () => {
    const page = 1;
    const boxes = await blind.redactions(page);
    expect(boxes.length).toBeGreaterThan(0);
    const img = decode((await blind.renderPage(page, 1, { watermark: { text: TEXT } })).bytes);
    const plainOpen = decode((await open.renderPage(page, 1)).bytes);
    let redOpen = 0;
    let redBlind = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      const isRed = (d: Buffer) => (d[i] ?? 0) > 170 && (d[i + 1] ?? 0) < 90 && (d[i + 2] ?? 0) < 90;
      if (isRed(plainOpen.data)) redOpen++;
      if (isRed(img.data)) redBlind++;
    }
    expect(redOpen).toBeGreaterThan(100);
    expect(redBlind).toBe(0);
  });

  it('is part of the cache key, and a new minute renders afresh', async () => {
    const a = await open.renderPage(2, 1, { watermark: { text: TEXT } });
    const again = await open.renderPage(2, 1, { watermark: { text: TEXT } });
    const later = await open.renderPage(2, 1, { watermark: { text: TEXT.replace('09:30', '09:31') } });
    expect(again).toBe(a);
    expect(Buffer.from(later.bytes).equals(Buffer.from(a.bytes))).toBe(false);
    const jpeg = await open.renderPage(2, 1, { format: 'jpeg', watermark: { text: TEXT } });
    expect(jpeg.mime).toBe('image/jpeg');
  });

  it('refuses an empty watermark', async () => {
    await expect(open.renderPage(2, 1, { watermark: { text: '  ' } })).rejects.toBeInstanceOf(TenderFileError);
  });
});

import { PNG } from 'pngjs';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';

/**
 * A three-page A4 PDF for the image checks: pages 1 and 3 text only, page 2 a line of text and a
 * red PNG drawn over 50 % × 60 % of the page (30 % of its area), at an offset.
 */
export const IMAGE_PAGE = 2;
export const IMAGE_SHARE = 0.3;

export async function makeImagePdf(): Promise<Uint8Array> {
  const png = new PNG({ width: 40, height: 30 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([230, 0, 0, 255], i);
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const image = await doc.embedPng(PNG.sync.write(png));
  const [width, height] = [595.28, 841.89];
  for (let p = 1; p <= 3; p++) {
    const page = doc.addPage([width, height]);
    page.drawText(`Technical proposal, page ${p}`, { x: 60, y: height - 80, size: 14, font, color: rgb(0, 0, 0) });
    if (p === IMAGE_PAGE) page.drawImage(image, { x: width * 0.2, y: height * 0.25, width: width * 0.5, height: height * 0.6 });
  }
  return doc.save();
}

/**
 * How much of a page raster images cover, from pdf.js's operator list: blind review (暗标) covers
 * every bidder name the text matcher finds, and a name inside an image (a scanned letterhead, a
 * seal, a photo of a sign) is not text. The booth cannot read images, so it tells the expert and
 * the staff when a blind page carries a real share of them (`unverifiedImages`).
 *
 * Every image op of pdf.js paints the unit square through the current transform (CTM), possibly
 * times a per-copy matrix (groups, repeats). We follow `save`/`restore`/`transform` and form
 * XObjects, take each painted unit square's axis-aligned bounding box in PDF user space, clip it to
 * the page's view box, and mark the cells of a GRID × GRID raster of the page it touches. The
 * share is the marked cells' fraction: overlapping images count once, and a cell an image only
 * grazes counts whole, so the estimate errs up (by at most about two cells per image edge), never
 * down. Clips are ignored, which also errs up. Images inside Type3 glyphs and annotations are not
 * in the page's list (blind pages are rendered without annotations).
 */

/** The op numbers this needs, from pdf.js's `OPS` (passed in so this file does not load pdf.js). */
export interface ImageOps {
  save: number;
  restore: number;
  transform: number;
  paintFormXObjectBegin: number;
  paintFormXObjectEnd: number;
  paintImageXObject: number;
  paintInlineImageXObject: number;
  paintImageMaskXObject: number;
  paintImageXObjectRepeat: number;
  paintImageMaskXObjectRepeat: number;
  paintInlineImageXObjectGroup: number;
  paintImageMaskXObjectGroup: number;
}

export interface OperatorListLike {
  fnArray: readonly number[];
  argsArray: readonly unknown[];
}

type Matrix = readonly [number, number, number, number, number, number];

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
/** Cells per side of the coverage raster: 1/256 of a page side is about 2.3 pt on A4. */
const GRID = 256;

/** m1 × m2 in PDF order: a point goes through m1 first, then m2 (as `cm` concatenates). */
function multiply(m1: Matrix, m2: Matrix): Matrix {
  return [
    m1[0] * m2[0] + m1[1] * m2[2],
    m1[0] * m2[1] + m1[1] * m2[3],
    m1[2] * m2[0] + m1[3] * m2[2],
    m1[2] * m2[1] + m1[3] * m2[3],
    m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
    m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
  ];
}

function asMatrix(value: unknown): Matrix | null {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) return null;
  const a = Array.from(value as ArrayLike<unknown>);
  if (a.length < 6 || !a.slice(0, 6).every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  return a.slice(0, 6) as unknown as Matrix;
}

function numbers(value: unknown): number[] {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) return [];
  return Array.from(value as ArrayLike<unknown>).filter((n): n is number => typeof n === 'number');
}

/**
 * Share (0…1) of the page's view box ([x1, y1, x2, y2], PDF user space, as pdf.js's `page.view`)
 * covered by raster images in `list`.
 */
export function imageShareOfOperatorList(list: OperatorListLike, ops: ImageOps, view: readonly number[]): number {
  const [vx1 = 0, vy1 = 0, vx2 = 0, vy2 = 0] = view;
  const left = Math.min(vx1, vx2);
  const bottom = Math.min(vy1, vy2);
  const width = Math.abs(vx2 - vx1);
  const height = Math.abs(vy2 - vy1);
  if (!(width > 0 && height > 0)) return 0;

  const cells = new Uint8Array(GRID * GRID);
  let marked = 0;
  /** Paint the unit square through `m` (user space). */
  const paint = (m: Matrix) => {
    const xs = [m[4], m[0] + m[4], m[2] + m[4], m[0] + m[2] + m[4]];
    const ys = [m[5], m[1] + m[5], m[3] + m[5], m[1] + m[3] + m[5]];
    const fx1 = (Math.min(...xs) - left) / width;
    const fx2 = (Math.max(...xs) - left) / width;
    const fy1 = (Math.min(...ys) - bottom) / height;
    const fy2 = (Math.max(...ys) - bottom) / height;
    if (![fx1, fx2, fy1, fy2].every(Number.isFinite)) return;
    const cx1 = Math.max(0, Math.floor(fx1 * GRID));
    const cx2 = Math.min(GRID, Math.ceil(fx2 * GRID));
    const cy1 = Math.max(0, Math.floor(fy1 * GRID));
    const cy2 = Math.min(GRID, Math.ceil(fy2 * GRID));
    for (let y = cy1; y < cy2; y++) {
      for (let x = cx1; x < cx2; x++) {
        const at = y * GRID + x;
        if (cells[at] === 0) {
          cells[at] = 1;
          marked++;
        }
      }
    }
  };

  let ctm: Matrix = IDENTITY;
  const stack: Matrix[] = [];
  const { fnArray, argsArray } = list;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = (argsArray[i] ?? []) as unknown[];
    switch (fn) {
      case ops.save:
        stack.push(ctm);
        break;
      case ops.restore:
        ctm = stack.pop() ?? ctm;
        break;
      case ops.transform: {
        const m = asMatrix(args);
        if (m) ctm = multiply(m, ctm);
        break;
      }
      case ops.paintFormXObjectBegin: {
        stack.push(ctm);
        const m = asMatrix(args[0]);
        if (m) ctm = multiply(m, ctm);
        break;
      }
      case ops.paintFormXObjectEnd:
        ctm = stack.pop() ?? ctm;
        break;
      case ops.paintImageXObject:
      case ops.paintInlineImageXObject:
      case ops.paintImageMaskXObject:
        paint(ctm);
        break;
      case ops.paintImageXObjectRepeat: {
        // [objId, scaleX, scaleY, positions]
        const [, sx, sy, positions] = args as [unknown, number, number, unknown];
        const p = numbers(positions);
        for (let k = 0; k + 1 < p.length; k += 2) paint(multiply([sx, 0, 0, sy, p[k] ?? 0, p[k + 1] ?? 0], ctm));
        break;
      }
      case ops.paintImageMaskXObjectRepeat: {
        // [img, scaleX, skewX, skewY, scaleY, positions]
        const [, sx, kx, ky, sy, positions] = args as [unknown, number, number, number, number, unknown];
        const p = numbers(positions);
        for (let k = 0; k + 1 < p.length; k += 2) paint(multiply([sx, kx ?? 0, ky ?? 0, sy, p[k] ?? 0, p[k + 1] ?? 0], ctm));
        break;
      }
      case ops.paintInlineImageXObjectGroup:
      case ops.paintImageMaskXObjectGroup: {
        // Inline group: [imgData, map of { transform }]; mask group: [images of { transform }].
        const entries = (fn === ops.paintInlineImageXObjectGroup ? args[1] : args[0]) as unknown;
        if (!Array.isArray(entries)) break;
        for (const entry of entries as { transform?: unknown }[]) {
          const m = asMatrix(entry?.transform);
          if (m) paint(multiply(m, ctm));
        }
        break;
      }
      default:
        break;
    }
  }
  return Math.min(1, Math.max(0, marked / (GRID * GRID)));
}

/**
 * Where a stretch of a text item sits on the page. pdf.js gives each text item its text matrix
 * (`transform`, font size folded in) and its total advance (`width`), not per-glyph advances, so a
 * character's share of the width is estimated: wide (CJK, full-width) characters count 1, others ½,
 * scaled so the item's total is exact. The box then gets a margin on every side; for blind review a
 * box a little too big is the right error.
 */

export interface TextItemGeometry {
  str: string;
  /** [a, b, c, d, e, f]: text space → PDF user space, font size included. */
  transform: readonly number[];
  /** Advance of the whole item in user space along the baseline. */
  width: number;
}

/** An axis-aligned rectangle in PDF user space (y up): lower-left corner and size. */
export interface PdfRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u3000-\u303f]|[\ud840-\ud8bf][\udc00-\udfff]/;

function weights(str: string): number[] {
  const out: number[] = [];
  for (const char of str) {
    const w = WIDE.test(char) ? 1 : 0.5;
    out.push(w);
    if (char.length === 2) out.push(0); // surrogate pair: one weight for two code units
  }
  return out;
}

/** Margins in ems of the font size. */
const PAD_SIDE = 0.12;
const PAD_BELOW = 0.3;
const PAD_ABOVE = 1.05;

export function rectOfRange(item: TextItemGeometry, start: number, end: number): PdfRect {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = item.transform;
  const w = weights(item.str);
  const total = w.reduce((s, x) => s + x, 0) || 1;
  const k = item.width / total;
  let before = 0;
  let inside = 0;
  w.forEach((x, i) => {
    if (i < start) before += x;
    else if (i < end) inside += x;
  });
  const along = Math.hypot(a, b) || 1; // font size × horizontal scale
  const size = Math.hypot(c, d) || along; // font size
  const ux = a / along;
  const uy = b / along; // baseline direction
  const vx = c / size;
  const vy = d / size; // "up" direction
  const s0 = before * k - PAD_SIDE * size;
  const s1 = (before + inside) * k + PAD_SIDE * size;
  const t0 = -PAD_BELOW * size;
  const t1 = PAD_ABOVE * size;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of [s0, s1]) {
    for (const t of [t0, t1]) {
      xs.push(e + ux * s + vx * t);
      ys.push(f + uy * s + vy * t);
    }
  }
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/** The whole item's box without margins (for the text layer). */
export function rectOfItem(item: TextItemGeometry): PdfRect {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = item.transform;
  const along = Math.hypot(a, b) || 1;
  const size = Math.hypot(c, d) || along;
  const ux = a / along;
  const uy = b / along;
  const vx = c / size;
  const vy = d / size;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of [0, item.width]) {
    for (const t of [-0.2 * size, 0.9 * size]) {
      xs.push(e + ux * s + vx * t);
      ys.push(f + uy * s + vy * t);
    }
  }
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

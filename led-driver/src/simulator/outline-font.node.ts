/**
 * Glyph outlines for the panel picture, read by fontkit (the maintained OpenType reader pdf-lib
 * uses): one face of a TTC picked by family name (Debian's fonts-noto-cjk ships
 * NotoSansCJK-Regular.ttc), its cmap and advances, and each glyph's path flattened into closed
 * polygons for `rasteriseLine`. Hints are irrelevant: a 16-dot rendering is thresholded anyway.
 */
import fontkit from '@pdf-lib/fontkit';
import type { Contour, GlyphOutline, OutlineFont } from './dot-matrix.ts';
import { bilingualError } from '@kawei/shared/i18n/bilingual.ts';

/** The slice of fontkit's font object used here (its published typings lack TTCs and OS/2 fields). */
interface FontkitFace {
  familyName: string | null;
  unitsPerEm: number;
  ascent: number;
  descent: number;
  'OS/2'?: { typoAscender: number; typoDescender: number };
  glyphForCodePoint(codePoint: number): {
    advanceWidth: number;
    path: { commands: { command: string; args: number[] }[] };
  };
}

interface FontkitCollection {
  fonts: FontkitFace[];
}

/** Points each cubic (or quadratic) curve is flattened into. */
const CURVE_STEPS = 8;

export class FontkitOutlineFont implements OutlineFont {
  readonly family: string;
  readonly unitsPerEm: number;
  /** Top and bottom of the ideographic em box (OS/2 typo ascender/descender), font units. */
  readonly ascender: number;
  readonly descender: number;
  private readonly face: FontkitFace;

  /** `bytes`: an OTF, or a TTC from which the first face whose family name contains `family` is taken. */
  constructor(bytes: Uint8Array, family = 'SC') {
    const opened = fontkit.create(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as unknown as
      | FontkitFace
      | FontkitCollection;
    const faces = 'fonts' in opened ? opened.fonts : [opened];
    const face = faces.find((f) => (f.familyName ?? '').includes(family)) ?? faces[0];
    if (!face) throw bilingualError('ledDriver.panel.noFace');
    this.face = face;
    this.family = face.familyName ?? '';
    this.unitsPerEm = face.unitsPerEm;
    const os2 = face['OS/2'];
    this.ascender = os2 ? os2.typoAscender : face.ascent;
    this.descender = os2 ? os2.typoDescender : face.descent;
  }

  /** The outline of `codePoint` (glyph 0, .notdef, when the font lacks it). */
  outline(codePoint: number): GlyphOutline {
    const glyph = this.face.glyphForCodePoint(codePoint);
    return { contours: flatten(glyph.path.commands), advance: glyph.advanceWidth };
  }
}

function flatten(commands: readonly { command: string; args: number[] }[]): Contour[] {
  const contours: Contour[] = [];
  let contour: Contour = [];
  let x = 0;
  let y = 0;
  const close = (): void => {
    if (contour.length > 1) contours.push(contour);
    contour = [];
  };
  const curve = (point: (t: number, u: number) => [number, number]): void => {
    for (let k = 1; k <= CURVE_STEPS; k++) {
      const t = k / CURVE_STEPS;
      [x, y] = point(t, 1 - t);
      contour.push({ x, y });
    }
  };
  for (const { command, args: a } of commands) {
    const [x0, y0] = [x, y];
    if (command === 'moveTo') {
      close();
      [x, y] = [a[0] ?? 0, a[1] ?? 0];
      contour.push({ x, y });
    } else if (command === 'lineTo') {
      [x, y] = [a[0] ?? 0, a[1] ?? 0];
      contour.push({ x, y });
    } else if (command === 'bezierCurveTo') {
      const [x1, y1, x2, y2, x3, y3] = a as [number, number, number, number, number, number];
      curve((t, u) => [
        u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3,
        u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3,
      ]);
    } else if (command === 'quadraticCurveTo') {
      const [x1, y1, x2, y2] = a as [number, number, number, number];
      curve((t, u) => [u * u * x0 + 2 * u * t * x1 + t * t * x2, u * u * y0 + 2 * u * t * y1 + t * t * y2]);
    } else if (command === 'closePath') {
      close();
    }
  }
  close();
  return contours;
}

/**
 * Text to LED dots, as a panel's controller font lays it out: every hanzi takes a full square cell
 * (16×16 on a 16-dot line) and every ASCII character a half cell (8×16), which is also how
 * `ledTextCells` counts width. Outlines come from any font with `outline()`; each dot is lit when
 * enough of it is covered (sampled on a sub-grid, non-zero winding). Pure: no file, no canvas.
 */
export interface Point {
  x: number;
  y: number;
}

/** One closed contour, curves already flattened into points (font units, y up). */
export type Contour = Point[];

export interface GlyphOutline {
  contours: Contour[];
  advance: number;
}

export interface OutlineFont {
  readonly ascender: number;
  readonly descender: number;
  outline(codePoint: number): GlyphOutline;
}

export interface DotLine {
  width: number;
  height: number;
  /** 1 = lit, row-major. */
  dots: Uint8Array;
}

export interface RasteriseOptions {
  /** Dots per line (default 16). */
  height?: number;
  /** Width of the line in dots; the text is clipped to it. Default: the text's own width. */
  width?: number;
  align?: 'left' | 'center';
  /** Share of a dot that must be inside the glyph for it to light (default 0.4). */
  threshold?: number;
  /** Samples per dot along each axis (default 4). */
  supersample?: number;
}

interface Edge {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function cellWidth(codePoint: number, height: number): number {
  return codePoint < 0x80 ? height / 2 : height;
}

export function rasteriseLine(font: OutlineFont, text: string, o: RasteriseOptions = {}): DotLine {
  const height = o.height ?? 16;
  const n = o.supersample ?? 4;
  const threshold = o.threshold ?? 0.4;
  const chars = [...text].map((c) => c.codePointAt(0) ?? 0x3f);
  const textWidth = chars.reduce((w, cp) => w + cellWidth(cp, height), 0);
  const width = o.width ?? textWidth;
  const dots = new Uint8Array(width * height);
  let penX = (o.align ?? 'center') === 'center' ? Math.max(0, Math.floor((width - textWidth) / 2)) : 0;
  const scale = height / (font.ascender - font.descender);
  for (const cp of chars) {
    const cell = cellWidth(cp, height);
    if (cp !== 0x20 && penX < width) {
      const g = font.outline(cp);
      // Proportional Latin glyphs are squeezed into the half cell, as an 8×16 LED font is.
      const sx = Math.min(scale, g.advance > 0 ? cell / g.advance : scale);
      const offset = penX + (cell - g.advance * sx) / 2;
      const edges: Edge[] = [];
      for (const contour of g.contours) {
        for (let i = 0; i < contour.length; i++) {
          const a = contour[i] as { x: number; y: number };
          const b = contour[(i + 1) % contour.length] as { x: number; y: number };
          edges.push({ x0: offset + a.x * sx, y0: (font.ascender - a.y) * scale, x1: offset + b.x * sx, y1: (font.ascender - b.y) * scale });
        }
      }
      for (let dy = 0; dy < height; dy++) {
        for (let dx = Math.floor(penX); dx < Math.min(width, Math.ceil(penX + cell)); dx++) {
          let inside = 0;
          for (let sy = 0; sy < n; sy++) {
            const py = dy + (sy + 0.5) / n;
            for (let sxi = 0; sxi < n; sxi++) {
              const px = dx + (sxi + 0.5) / n;
              let winding = 0;
              for (const e of edges) {
                if ((e.y0 <= py) === (e.y1 <= py)) continue;
                const x = e.x0 + ((py - e.y0) * (e.x1 - e.x0)) / (e.y1 - e.y0);
                if (x > px) winding += e.y1 > e.y0 ? 1 : -1;
              }
              if (winding !== 0) inside++;
            }
          }
          if (inside / (n * n) >= threshold) dots[dy * width + dx] = 1;
        }
      }
    }
    penX += cell;
  }
  return { width, height, dots };
}

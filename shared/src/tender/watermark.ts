import { z } from 'zod';

/**
 * The booth's page watermark: the expert's code name for the day, the booth label and the time to the
 * minute, tiled diagonally over the whole page, semi-transparent, painted on the trusted side on the
 * same canvas as the page (after the blind-review boxes), so the renderer only ever receives
 * watermarked pixels. A photo of the screen names the booth, the code name and the minute.
 *
 * Pure: it paints through a minimal 2D-context interface (@napi-rs/canvas in Node).
 */

/** China Standard Time (no daylight saving): what the watermark's clock shows by default. */
export const WATERMARK_UTC_OFFSET_MINUTES = 8 * 60;

/**
 * Style. Opacity 0.22 of a dark slate blue lowers white paper by ≈ 45 grey levels: plainly readable in
 * a photo, while black body text under it stays black and stays legible. The size follows the zoom
 * (points at scale 1), with a floor so thumbnails still carry it.
 */
export const WATERMARK_STYLE = {
  color: 'rgb(40, 60, 120)',
  opacity: 0.22,
  angleDeg: -30,
  /** Font size in PDF points (multiplied by the render scale). */
  fontPt: 13,
  minFontPx: 8,
  /** Horizontal gap between two copies on a row, and the distance between rows, in font sizes. */
  gapEm: 4,
  rowEm: 6,
} as const;

export const watermarkOptionsSchema = z.object({
  /** One line: `HK-37 · 第3评标室 02号 · 2026-05-01 09:30` (see watermarkText). */
  text: z.string().trim().min(1).max(200),
  opacity: z.number().min(0.05).max(1).optional(),
});
export type WatermarkOptions = z.input<typeof watermarkOptionsSchema>;

/** `YYYY-MM-DD HH:mm` at the given offset from UTC (the booth's wall clock, to the minute). */
export function formatMinute(atMs: number, utcOffsetMinutes: number = WATERMARK_UTC_OFFSET_MINUTES): string {
  const d = new Date(Math.floor(atMs / 60_000) * 60_000 + utcOffsetMinutes * 60_000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
}

/** The watermark line: code name, booth label, time to the minute. */
export function watermarkText(input: { codename: string; booth: string; at: number; utcOffsetMinutes?: number }): string {
  return `${input.codename} · ${input.booth} · ${formatMinute(input.at, input.utcOffsetMinutes)}`;
}

export interface WatermarkCtx {
  fillStyle: unknown;
  font: string;
  globalAlpha: number;
  textBaseline: string;
  save(): void;
  restore(): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
}

export const WATERMARK_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif';

/** The font size in pixels the watermark uses at a render scale. */
export const watermarkFontPx = (scale: number): number => Math.max(WATERMARK_STYLE.minFontPx, Math.round(WATERMARK_STYLE.fontPt * scale));

/**
 * Tiles `text` over a width × height canvas along the diagonal: rows at WATERMARK_STYLE.angleDeg,
 * every other row shifted by half a period, covering the corners too. Returns how many copies were
 * drawn (tests, and a guard that something was drawn at all).
 */
export function paintWatermark(ctx: WatermarkCtx, width: number, height: number, scale: number, options: WatermarkOptions): number {
  const { text, opacity } = watermarkOptionsSchema.parse(options);
  const px = watermarkFontPx(scale);
  ctx.save();
  try {
    ctx.globalAlpha = opacity ?? WATERMARK_STYLE.opacity;
    ctx.fillStyle = WATERMARK_STYLE.color;
    ctx.font = `${px}px ${WATERMARK_FONT_FAMILY}`;
    ctx.textBaseline = 'middle';
    const textW = Math.max(1, ctx.measureText(text).width);
    const period = textW + px * WATERMARK_STYLE.gapEm;
    const rowH = px * WATERMARK_STYLE.rowEm;
    // Rotate about the centre; the rotated grid must cover the page's circumscribed circle.
    const half = Math.ceil(Math.hypot(width, height) / 2);
    ctx.translate(width / 2, height / 2);
    ctx.rotate((WATERMARK_STYLE.angleDeg * Math.PI) / 180);
    let drawn = 0;
    let row = 0;
    for (let y = -half; y <= half; y += rowH, row++) {
      const shift = row % 2 === 0 ? 0 : period / 2;
      for (let x = -half - period + shift; x <= half; x += period) {
        ctx.fillText(text, x, y);
        drawn++;
      }
    }
    return drawn;
  } finally {
    ctx.restore();
  }
}

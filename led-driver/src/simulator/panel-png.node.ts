/**
 * A picture of the panel for the docs: each area is one 16-dot line of round LEDs on black, lit in
 * amber (or red), unlit ones faintly visible as on a real module. Glyphs are drawn from an installed
 * outline font (Debian's fonts-noto-cjk by default) read by fontkit, and the PNG is written by pngjs
 * (both pure JavaScript), so rendering needs no native module and no network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { type OutlineFont, rasteriseLine } from './dot-matrix.ts';
import type { LedPanelSimulator } from './led-panel-simulator.ts';
import { FontkitOutlineFont } from './outline-font.node.ts';
import { bilingualError } from '@kawei/shared/i18n/bilingual.ts';

export const DEFAULT_PANEL_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

const fonts = new Map<string, FontkitOutlineFont>();

/** The Simplified Chinese face of an OTF/TTC; a clear error when the file is not there. */
export function loadPanelFont(path = DEFAULT_PANEL_FONT): FontkitOutlineFont {
  const cached = fonts.get(path);
  if (cached) return cached;
  if (!existsSync(path)) {
    throw bilingualError('ledDriver.panel.noFontFile', { path });
  }
  const font = new FontkitOutlineFont(readFileSync(path), 'SC');
  fonts.set(path, font);
  return font;
}

export const LED_COLORS = {
  amber: [255, 176, 0],
  red: [255, 40, 20],
} as const;

export interface PanelPngOptions {
  /** Panel width in dots (default 128). */
  widthDots?: number;
  /** Dots per area line (default 16). */
  lineHeight?: number;
  color?: keyof typeof LED_COLORS;
  /** Pixels from one dot centre to the next (default 6). */
  pitch?: number;
  /** Dark border around the dots, in dots (default 2). */
  marginDots?: number;
  /** 1..16; dims the lit dots as the panel's brightness would (default 16). */
  brightness?: number;
  font?: OutlineFont;
  fontPath?: string;
}

export interface PanelPicture {
  png: Buffer;
  width: number;
  height: number;
  /** Pixel rectangle of each area line, in order: for tests and captions. */
  lines: { y: number; height: number }[];
}

/** Render `lines` (one per area, '' for a blank area) as a dot-matrix panel. */
export function renderPanelPicture(lines: readonly string[], o: PanelPngOptions = {}): PanelPicture {
  const font = o.font ?? loadPanelFont(o.fontPath);
  const widthDots = o.widthDots ?? 128;
  const lineHeight = o.lineHeight ?? 16;
  const pitch = o.pitch ?? 6;
  const margin = o.marginDots ?? 2;
  const level = Math.min(16, Math.max(1, o.brightness ?? 16));
  const base = LED_COLORS[o.color ?? 'amber'];
  const k = 0.35 + (0.65 * level) / 16;
  const lit = base.map((c) => Math.round(c * k));
  const unlit = base.map((c) => Math.round(c * 0.14));
  const bg = [10, 10, 10];
  const cols = widthDots + 2 * margin;
  const rows = lines.length * lineHeight + 2 * margin;
  const width = cols * pitch;
  const height = rows * pitch;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.set(bg, i * 3);

  const radius = pitch * 0.38;
  const drawDot = (col: number, row: number, color: readonly number[]): void => {
    const cx = (col + 0.5) * pitch;
    const cy = (row + 0.5) * pitch;
    for (let y = Math.floor(cy - radius - 1); y <= Math.ceil(cy + radius + 1); y++) {
      for (let x = Math.floor(cx - radius - 1); x <= Math.ceil(cx + radius + 1); x++) {
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const a = Math.min(1, Math.max(0, radius + 0.5 - d));
        if (a <= 0) continue;
        const p = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) rgb[p + c] = Math.round((rgb[p + c] as number) * (1 - a) + (color[c] as number) * a);
      }
    }
  };

  const rects: PanelPicture['lines'] = [];
  lines.forEach((text, i) => {
    const line = rasteriseLine(font, text, { height: lineHeight, width: widthDots });
    const top = margin + i * lineHeight;
    rects.push({ y: top * pitch, height: lineHeight * pitch });
    for (let r = 0; r < lineHeight; r++) {
      for (let c = 0; c < widthDots; c++) drawDot(margin + c, top + r, line.dots[r * widthDots + c] ? lit : unlit);
    }
  });
  return { png: encodePng(width, height, rgb), width, height, lines: rects };
}

/** The simulator's current content, one line per area (the first `areas` areas). */
export function renderPanelSimulator(panel: LedPanelSimulator, areas: number, o: PanelPngOptions = {}): PanelPicture {
  return renderPanelPicture(panel.lines(areas), { brightness: panel.brightness, ...o });
}

/**
 * 8-bit RGB, no interlace. Filter 0 and zlib's default strategy: pngjs's defaults (adaptive filters,
 * run-length deflate) make this picture of flat dots 40 times larger (124 KB instead of 3 KB).
 */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const image = { width, height, data: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength) };
  return PNG.sync.write(image as PNG, {
    colorType: 2,
    inputColorType: 2,
    inputHasAlpha: false,
    filterType: 0,
    deflateLevel: 9,
    deflateStrategy: 0,
  });
}

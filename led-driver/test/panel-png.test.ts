/**
 * The docs picture: decode the PNG (written by pngjs) with an independent reader (chunk CRCs, IHDR,
 * inflate, unfilter) and check that the text line has lit dots and the blank area none. Needs
 * Debian's fonts-noto-cjk; fails, naming the package, when it is missing.
 */
import { crc32, inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { formatSeatMessage } from '../src/led-driver.ts';
import { createBxProtocol } from '../src/led-display.ts';
import { rasteriseLine } from '../src/simulator/dot-matrix.ts';
import { LedPanelSimulator } from '../src/simulator/led-panel-simulator.ts';
import { loadPanelFont, renderPanelPicture, renderPanelSimulator } from '../src/simulator/panel-png.node.ts';

interface Decoded {
  width: number;
  height: number;
  rgb: Uint8Array;
}

function decodePng(png: Buffer): Decoded {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    types.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9], data[10], data[11], data[12]]).toEqual([8, 2, 0, 0, 0]);
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  expect(types[0]).toBe('IHDR');
  expect(types.at(-1)).toBe('IEND');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  expect(raw.length).toBe(height * (stride + 1));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x] as number;
      const left = x >= 3 ? (rgb[y * stride + x - 3] as number) : 0;
      const up = y > 0 ? (rgb[(y - 1) * stride + x] as number) : 0;
      const ul = x >= 3 && y > 0 ? (rgb[(y - 1) * stride + x - 3] as number) : 0;
      const p = left + up - ul;
      const paeth = Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - ul) ? left : Math.abs(p - up) <= Math.abs(p - ul) ? up : ul;
      const pred = [0, left, up, (left + up) >> 1, paeth][filter] ?? 0;
      rgb[y * stride + x] = (v + pred) & 0xff;
    }
  }
  return { width, height, rgb };
}

/** Pixels bright enough to be a lit amber LED (unlit dots are about a seventh as bright). */
function litPixels(d: Decoded, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < d.width; x++) {
      const p = (y * d.width + x) * 3;
      if ((d.rgb[p] as number) > 180 && (d.rgb[p + 1] as number) > 100) n++;
    }
  }
  return n;
}

describe('panel PNG', () => {
  beforeAll(() => requireTool('noto-cjk'));
  it('the seat call lights dots in its line and none in the blank area', () => {
    const panel = new LedPanelSimulator({ protocol: 'onbon-bx', areaCount: 2 });
    panel.receive(createBxProtocol().encodeShowText(0, formatSeatMessage(3, 'A5')));
    const pic = renderPanelSimulator(panel, 2, { widthDots: 128, pitch: 6 });
    const d = decodePng(pic.png);
    expect([d.width, d.height]).toEqual([(128 + 4) * 6, (32 + 4) * 6]);
    const [text, blank] = pic.lines as [{ y: number; height: number }, { y: number; height: number }];
    expect(litPixels(d, text.y, text.y + text.height)).toBeGreaterThan(2000);
    expect(litPixels(d, blank.y, blank.y + blank.height)).toBe(0);
    expect(litPixels(d, 0, text.y)).toBe(0); // the border
  });

  it('glyphs come out of the CJK font as real shapes: 号 and A differ, a space is empty', () => {
    const font = loadPanelFont();
    expect(font.family).toContain('SC');
    const hao = rasteriseLine(font, '号');
    const a = rasteriseLine(font, 'A');
    expect([hao.width, a.width]).toEqual([16, 8]);
    const count = (l: { dots: Uint8Array }): number => l.dots.reduce((s, v) => s + v, 0);
    expect(count(hao)).toBeGreaterThan(30);
    expect(count(a)).toBeGreaterThan(10);
    expect(count(rasteriseLine(font, ' '))).toBe(0);
    // 号 has a box (口) on top: some row in its upper half is lit at both sides and dark between.
    const boxRow = Array.from({ length: 8 }, (_, y) => {
      const lit = Array.from({ length: 16 }, (_, x) => x).filter((x) => hao.dots[y * 16 + x] === 1);
      return lit.length === 2 && (lit[1] as number) - (lit[0] as number) >= 6;
    });
    expect(boxRow.some(Boolean)).toBe(true);
  });

  it('a missing font file is a clear bilingual error', () => {
    expect(() => renderPanelPicture(['A5'], { fontPath: '/nonexistent/font.ttc' })).toThrow(/找不到字体文件.*font file .* not found/s);
  });
});

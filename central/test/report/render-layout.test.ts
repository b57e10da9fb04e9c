import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { CjkPdfFont } from '@kawei/shared/tender/pdf-cjk-font.node.ts';
import { wrapText } from '../../src/report/pdf-layout.node.ts';

describe('wrapText', async () => {
  const font = new CjkPdfFont(await PDFDocument.create());
  const size = 10;

  it('breaks Chinese between any two characters, never wider than the line', () => {
    const text = '评标委员会按照招标文件规定的评标标准和方法对投标文件进行了系统的评审和比较。'.repeat(3);
    const lines = wrapText(text, font, size, 120);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(font.widthOf(line, size)).toBeLessThanOrEqual(120.01);
    expect(lines.join('')).toBe(text);
    // Full lines: the break is at the last character that fits.
    for (const line of lines.slice(0, -1)) expect(font.widthOf(line, size) + font.widthOf('评', size)).toBeGreaterThan(120);
  });

  it('breaks Latin between words and keeps each word whole', () => {
    const text = 'The schedule in section 4.2 omits the winter works entirely and the bond certificate 2026-BOND-000123 is a copy';
    const lines = wrapText(text, font, size, 110);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      expect(font.widthOf(line, size)).toBeLessThanOrEqual(110.01);
      expect(line).toBe(line.trim());
    }
    expect(lines.join(' ')).toBe(text);
  });

  it('breaks inside a word only when it is wider than the line (a SHA-256)', () => {
    const sha = 'ab'.repeat(32);
    const lines = wrapText(sha, font, size, 100);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe(sha);
  });

  it('never starts a line with closing punctuation nor ends one with opening punctuation', () => {
    const text = '价格分（低价优先法），评标基准价÷投标报价×30。'.repeat(6);
    for (let width = 40; width <= 200; width += 7) {
      const lines = wrapText(text, font, size, width);
      for (const line of lines.slice(1)) expect(line[0], `${width}: ${line}`).not.toMatch(/[，。）：；、]/);
      for (const line of lines.slice(0, -1)) expect(line.at(-1), `${width}: ${line}`).not.toBe('（');
      expect(lines.join('')).toBe(text);
    }
  });

  it('keeps explicit newlines and the first-line indent', () => {
    expect(wrapText('甲\n乙', font, size, 100)).toEqual(['甲', '乙']);
    expect(wrapText('', font, size, 100)).toEqual(['']);
    const lines = wrapText('一二三四五六七八九十', font, size, 50, 30);
    expect(font.widthOf(lines[0] as string, size)).toBeLessThanOrEqual(30.01);
    expect(lines[0]?.length).toBeLessThan((lines[1] as string).length);
  });
});

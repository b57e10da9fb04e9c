import { describe, expect, it } from 'vitest';
import { rectOfRange } from '../../src/tender/blind-geometry.ts';
import { buildNeedles, countNames, findNames, normalizeText, redactItems, redactString } from '../../src/tender/blind-match.ts';

const bidders = [
  { name: '华东示例建设有限公司', code: 'A', aliases: ['Huadong Shili Construction Co., Ltd.'] },
  { name: '示例（北方）工程咨询有限公司', code: 'B' },
  { name: '南岭虚构科技股份有限公司', code: 'C', aliases: ['南岭虚构'] },
];
const needles = buildNeedles(bidders);

describe('blind matcher', () => {
  it('normalises full-width forms, case and every kind of space', () => {
    expect(normalizeText('ＡＢＣ　华东 示例\u200b（北方）')).toBe('abc华东示例(北方)');
  });

  it('finds a name inside one run, across runs and across a line break, and maps it back to the items', () => {
    const items = ['我方华东示例建设有限公司承诺', '本项目由华东示例', '建设有限', '公司负责', '', '华东示', '例建设有限公司'];
    const matches = findNames(items, needles);
    expect(matches).toHaveLength(3);
    expect(matches[0]).toEqual({ code: 'A', pieces: [{ item: 0, start: 2, end: 12 }] });
    expect(matches[1]?.pieces).toEqual([
      { item: 1, start: 4, end: 8 },
      { item: 2, start: 0, end: 4 },
      { item: 3, start: 0, end: 2 },
    ]);
    expect(matches[2]?.pieces.map((p) => p.item)).toEqual([5, 6]);
    const out = redactItems(items, matches);
    expect(out).toEqual(['我方投标人A承诺', '本项目由投标人A', '', '负责', '', '投标人A', '']);
  });

  it('matches half-width brackets, an ideographic space inside, capitals, and the derived short form', () => {
    expect(countNames('示例(北方)工程咨询有限公司', needles).get('B')).toBe(1);
    expect(countNames('华东示例　建设有限公司', needles).get('A')).toBe(1);
    expect(countNames('HUADONG SHILI CONSTRUCTION CO., LTD.', needles).get('A')).toBe(1);
    expect(countNames('由华东示例建设负责', needles).get('A')).toBe(1); // 有限公司 taken off
    expect(countNames('南岭虚构科技股份有限公司与南岭虚构', needles).get('C')).toBe(2); // overlapping alias merged
  });

  it('leaves near misses alone', () => {
    expect(countNames('华东地区的示例建设工程，北方工程咨询', needles).size).toBe(0);
    expect(redactString('一、投标函（华东示例建设有限公司）', needles)).toBe('一、投标函（投标人A）');
  });

  it('refuses duplicate codes and a name shared by two bidders', () => {
    expect(() => buildNeedles([{ name: '甲乙丙丁公司', code: 'A' }, { name: '戊己庚辛公司', code: 'A' }])).toThrow();
    expect(() => buildNeedles([{ name: '甲乙丙丁公司', code: 'A' }, { name: '戊己庚辛公司', code: 'B', aliases: ['甲乙丙丁公司'] }])).toThrow(/two bidders/);
  });

  it('places a range of a CJK item by its share of the width, with a margin', () => {
    const item = { str: '一二三四', transform: [10, 0, 0, 10, 100, 500], width: 40 };
    const r = rectOfRange(item, 1, 3);
    expect(r.x).toBeCloseTo(110 - 1.2);
    expect(r.width).toBeCloseTo(20 + 2.4);
    expect(r.y).toBeLessThan(500);
    expect(r.y + r.height).toBeGreaterThan(509);
  });
});

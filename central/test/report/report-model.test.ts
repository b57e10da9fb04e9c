import { describe, expect, it } from 'vitest';
import { formatMoney, formatPoints, formatScore, formatTime, reportModel, type Block } from '../../src/report/report-model.ts';
import { finalCommittee } from './render-fixtures.ts';

const AT = Date.UTC(2026, 11, 7, 8, 30);
const textOf = (blocks: Block[]): string => JSON.stringify(blocks);
const headings = (blocks: Block[]) => blocks.flatMap((b) => (b.kind === 'heading' && b.level === 1 ? [b.text] : []));

describe('the report model', () => {
  const fc = finalCommittee();

  it('formats numbers as printed', () => {
    expect(formatMoney(1_234_567.891)).toBe('1,234,567.89');
    expect(formatMoney(950_000)).toBe('950,000.00');
    expect(formatMoney(12.5)).toBe('12.50');
    expect(formatScore(87.3, 2)).toBe('87.30');
    expect(formatScore(null, 2)).toBe('—');
    expect(formatPoints(24.5)).toBe('24.5');
    expect(formatTime(Date.UTC(2026, 11, 7, 16, 5))).toBe('2026-12-08 00:05 UTC+8');
  });

  it('never carries an expert id or a real name; a blind report no bidder name', () => {
    const doc = reportModel({ state: fc.state, material: fc.material, kind: 'final', dissents: [], renderedAt: AT });
    const text = textOf(doc.blocks);
    for (const m of fc.state.members) {
      expect(text).not.toContain(m.expert);
      expect(text).toContain(m.codename);
    }
    for (const identity of fc.identities) expect(text).not.toContain(identity.name);
    for (const b of fc.material.bidders) expect(text).not.toContain(b.name);
    const open = reportModel({ state: fc.state, material: { ...fc.material, blind: false }, kind: 'final', dissents: [], renderedAt: AT });
    for (const b of fc.material.bidders) expect(textOf(open.blocks)).toContain(b.name);
  });

  it('has the body sections, then the ten attachments, then the signature page', () => {
    const doc = reportModel({ state: fc.state, material: fc.material, kind: 'final', dissents: [], renderedAt: AT });
    const h = headings(doc.blocks);
    expect(h[0]).toBe('一、基本情况和数据');
    for (const part of ['评标委员会成员名单', '开标记录', '评标办法、评审标准和因素', '否决投标情况', '评标结果及排序', '推荐中标候选人', '复核情况', '澄清、说明、补正事项纪要', '评审专家更换情况', '保留意见']) {
      expect(h.some((x) => x.endsWith(part)), part).toBe(true);
    }
    const annexes = h.filter((x) => x.startsWith('附件'));
    expect(annexes).toHaveLength(10);
    expect(annexes[0]).toBe('附件1　初步评审表');
    expect(h.at(-1)).toBe('评标委员会成员及监标人签字');
    expect(doc.mark).toBeNull();
    const last = doc.blocks.at(-1);
    expect(last?.kind).toBe('table');
    if (last?.kind === 'table') {
      expect(last.rows.map((r) => r[1])).toEqual(['K01', 'K02', 'K03', 'K04', 'K90', '']);
      expect(last.rows.at(-1)?.[0]).toBe('监标人');
    }
  });

  it('the draft carries the mark and says dissents come before signing; the final lists them by seat', () => {
    const draft = reportModel({ state: fc.state, material: fc.material, kind: 'draft', dissents: [], renderedAt: AT });
    expect(draft.mark).toBe('征求意见稿');
    expect(textOf(draft.blocks)).toContain('保留意见在签署前收集');
    const final = reportModel({
      state: fc.state,
      material: fc.material,
      kind: 'final',
      dissents: [
        { codename: 'K04', judge: 4, text: '第二条意见', signedAt: AT },
        { codename: 'K02', judge: 2, text: '第一条意见', signedAt: AT },
      ],
      renderedAt: AT,
    });
    const text = textOf(final.blocks);
    expect(text.indexOf('第一条意见')).toBeLessThan(text.indexOf('第二条意见'));
    expect(text).toContain('评委2（K02）');
  });

  it('procurement always states replacements; engineering only when there were some', () => {
    const none = finalCommittee({ replacement: false, recheck: false, members: 3, bids: 4, items: 3 });
    const eng = headings(reportModel({ state: none.state, material: { ...none.material, category: 'engineering' }, kind: 'final', dissents: [], renderedAt: AT }).blocks);
    const proc = headings(reportModel({ state: none.state, material: { ...none.material, category: 'procurement' }, kind: 'final', dissents: [], renderedAt: AT }).blocks);
    expect(eng.some((x) => x.endsWith('评审专家更换情况'))).toBe(false);
    expect(proc.some((x) => x.endsWith('评审专家更换情况'))).toBe(true);
    for (const h of [eng, proc]) expect(h.some((x) => x.endsWith('开标记录'))).toBe(true);
  });

  it('one score table per passed bid: items as rows, 评委1…n as columns, a total row', () => {
    const big = finalCommittee({ members: 9, bids: 5, items: 30 });
    const doc = reportModel({ state: big.state, material: big.material, kind: 'final', dissents: [], renderedAt: AT });
    const start = doc.blocks.findIndex((b) => b.kind === 'heading' && b.text.includes('评委评分明细表'));
    const tables = doc.blocks.slice(start).filter((b): b is Extract<Block, { kind: 'table' }> => b.kind === 'table').slice(0, big.state.passed.length);
    expect(tables).toHaveLength(big.state.passed.length);
    for (const t of tables) {
      expect(t.columns.map((c) => c.title.split('\n')[0]).slice(2)).toEqual(['评委1', '评委2', '评委3', '评委4', '评委5', '评委6', '评委7', '评委8', '评委9']);
      expect(t.rows).toHaveLength(31);
      expect(t.rows.at(-1)?.[0]).toBe('合计');
      // Fits the text width (483 pt) without splitting into column chunks.
      expect(t.columns.reduce((a, c) => a + c.width, 0)).toBeLessThanOrEqual(483);
    }
  });
});

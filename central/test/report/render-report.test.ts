import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import type { CommitteeState } from '../../src/committee/committee-types.ts';
import { formatMoney, formatPoints, formatScore, judgeLabelOf } from '../../src/report/report-model.ts';
import { renderIdentityAnnex, renderReport, renderUnblindingAnnex, REPORT_RENDERER_VERSION, type DissentEntry } from '../../src/report/render-report.node.ts';
import { loadCjkFont } from '@kawei/shared/tender/cjk-font.node.ts';
import { CjkPdfFont } from '@kawei/shared/tender/pdf-cjk-font.node.ts';
import { reportFace } from '../../src/report/layout-font.node.ts';
import { finalCommittee } from './render-fixtures.ts';
import { blankWords, pdfFonts, pdfInfo, pdfText, wordBoxes } from './render-tools.ts';

const AT = Date.UTC(2026, 11, 7, 8, 30);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** pdftotext breaks lines (and sometimes words) where the layout did: compare without whitespace. */
const squeeze = (s: string) => s.replace(/\s+/g, '');

/** The current sheets' scores of the seated members, in seat order (what the matrix must print). */
function matrixOf(state: CommitteeState): { judge: string; scores: Record<string, Record<string, number | null>> }[] {
  return state.members
    .filter((m) => m.active)
    .sort((a, b) => a.judge - b.judge)
    .map((m) => {
      const revision = state.requiredRevision[m.codename] ?? 1;
      const sheet = state.sheets.find((s) => !s.void && s.codename === m.codename && s.revision === revision);
      if (!sheet) throw new Error(`no sheet for ${m.codename}`);
      return { judge: m.codename, scores: sheet.sheet.scores };
    });
}

const LONG_DISSENT =
  '本人对投标 B02 的技术方案评分持保留意见：该投标的施工组织设计对关键工序的安排不够具体，' +
  'the schedule in section 4.2 omits the winter works entirely, 且质量保证措施与招标文件第三章第 5.1 款的要求存在明显差距。'.repeat(4);

describe('the evaluation report', () => {
  const fc = finalCommittee(); // 5 members, 6 bids, 8 items, blind, procurement, a re-check and a replacement
  const dissents: DissentEntry[] = [
    { codename: 'K02', judge: 2, text: LONG_DISSENT, signedAt: AT - 60_000 },
    { codename: 'K04', judge: 4, text: '对价格分的计算方法无异议，但认为评审时间过短。', signedAt: AT - 30_000 },
  ];

  it('is deterministic: the same input gives the same bytes, a classic xref, dates from renderedAt', async () => {
    const input = { state: fc.state, material: fc.material, kind: 'draft' as const, dissents: [], renderedAt: AT };
    const a = await renderReport(input);
    const b = await renderReport(structuredClone(input));
    expect(sha256(a)).toBe(sha256(b));
    const later = await renderReport({ ...input, renderedAt: AT + 1000 });
    expect(sha256(later)).not.toBe(sha256(a));
    const raw = Buffer.from(a).toString('latin1');
    expect(raw).toContain('\nxref\n');
    expect(raw).not.toContain('/ObjStm');
    expect(raw).toMatch(/\/ID \[ <[0-9A-F]{32}> <[0-9A-F]{32}> \]/i);
    const info = pdfInfo(a);
    expect(info.Creator).toBe(REPORT_RENDERER_VERSION);
    expect(info.Producer).toBe(REPORT_RENDERER_VERSION);
    expect(info.CreationDate).toMatch(/Dec\s+7 08:30:00 2026/);
    expect(info['Page size']).toContain('595.28 x 841.89');
  });

  it('round-trips every name, code and number it prints; no real name, no bidder name (blind)', async () => {
    const pdf = await renderReport({ state: fc.state, material: fc.material, kind: 'final', dissents, renderedAt: AT });
    const text = pdfText(pdf);
    const flat = squeeze(text);
    const { state } = fc;
    for (const s of ['评标报告', fc.material.title, fc.material.centreName, state.opened.project, state.opened.date, '政府采购项目', '综合评分法']) expect(flat).toContain(squeeze(s));
    for (const bid of state.opened.bids) {
      expect(text).toContain(bid.code);
      expect(text).toContain(formatMoney(bid.price));
    }
    for (const m of state.members) expect(text).toContain(m.codename);
    const rules = state.opened.rules;
    const d = rules.settings.decimals;
    for (const row of state.results?.rows ?? []) {
      for (const n of [row.expertScore, row.priceScore, row.score]) expect(text).toContain(formatScore(n, d));
      for (const t of row.totals) expect(text).toContain(formatScore(t, d));
    }
    // The dissents, word for word, with who and when.
    for (const dissent of dissents) expect(flat).toContain(squeeze(dissent.text));
    expect(flat).toContain(squeeze(`${judgeLabelOf(2)}（K02）`));
    // The re-check (reason code 04) and the replacement (K05 → K90).
    expect(flat).toContain('04畸高畸低');
    expect(flat).toContain('已由K90接替');
    expect(flat).toContain(squeeze('该项评分明显偏离其他评委'));
    // Privacy.
    for (const identity of fc.identities) {
      expect(text).not.toContain(identity.name);
      expect(text).not.toContain(identity.expertId);
    }
    for (const bidder of fc.material.bidders) expect(flat).not.toContain(squeeze(bidder.name));
    // Final: no draft mark.
    expect(text).not.toContain('征求意见稿');
  });

  it("prints each judge's score of each item in its place (per-bid matrix, items × 评委1…n)", async () => {
    const pdf = await renderReport({ state: fc.state, material: fc.material, kind: 'final', dissents: [], renderedAt: AT });
    const layout = pdfText(pdf, undefined, true);
    const matrix = matrixOf(fc.state);
    const items = fc.state.opened.rules.items.filter((i) => i.group !== 'price');
    // The annex itself: the last heading of that name (the body's list of attachments names it first).
    const start = layout.lastIndexOf('评委评分明细表');
    const end = layout.lastIndexOf('价格分计算表');
    expect(start).toBeGreaterThan(0);
    let bid: string | null = null;
    const seen = new Set<string>();
    for (const line of layout.slice(start, end).split('\n')) {
      const heading = /投标 (B\d\d)/.exec(line);
      if (heading) bid = heading[1] as string;
      const row = /^\s*(i\d+)\S*\s+(.*)$/.exec(line);
      if (!row || bid === null) continue;
      const item = items.find((i) => i.id === row[1]);
      if (!item) continue;
      const expected = [formatPoints(item.max), ...matrix.map((j) => formatPoints(j.scores[bid as string]?.[item.id]))];
      expect(row[2]?.trim().split(/\s+/), `${bid} ${item.id}`).toEqual(expected);
      seen.add(`${bid}/${item.id}`);
    }
    expect(seen.size).toBe(fc.state.passed.length * items.length);
  });

  it('marks the draft on every page, numbers every page, and draws every word (pdftoppm against the word boxes)', async () => {
    const pdf = await renderReport({ state: fc.state, material: fc.material, kind: 'draft', dissents: [], renderedAt: AT });
    const pages = Number(pdfInfo(pdf).Pages);
    expect(pages).toBeGreaterThan(4);
    for (let page = 1; page <= pages; page++) {
      const text = pdfText(pdf, { first: page, last: page });
      expect(text, `page ${page}`).toContain('征求意见稿');
      expect(text, `page ${page}`).toContain(`第 ${page} 页 共 ${pages} 页`);
      expect(text, `page ${page}`).toContain(fc.state.opened.project);
    }
    expect(pdfText(pdf)).toContain('保留意见在签署前收集');
    expect(wordBoxes(pdf).length).toBeGreaterThan(500);
    expect(blankWords(pdf)).toEqual([]);
    const fonts = pdfFonts(pdf);
    expect(fonts.length).toBe(1);
    expect(fonts[0]).toMatchObject({ emb: 'yes', sub: 'yes', uni: 'yes' });
    expect(fonts[0]?.type).toContain('CID');
  });

  it('the blank-word check can fail: invisible text is found', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const font = new CjkPdfFont(doc);
    const page = doc.addPage([300, 200]);
    const key = page.node.newFontDictionary('F', font.ref);
    const { PDFOperator, PDFOperatorNames: Ops, PDFNumber } = await import('pdf-lib');
    page.pushOperators(
      PDFOperator.of(Ops.BeginText),
      PDFOperator.of(Ops.SetFontAndSize, [key, PDFNumber.of(14)]),
      PDFOperator.of(Ops.SetTextRenderingMode, [PDFNumber.of(3)]),
      PDFOperator.of(Ops.MoveText, [PDFNumber.of(20), PDFNumber.of(100)]),
      PDFOperator.of(Ops.ShowText, [font.encode('看不见的字')]),
      PDFOperator.of(Ops.EndText),
    );
    await font.embed();
    const pdf = await doc.save({ useObjectStreams: false });
    expect(pdfText(pdf)).toContain('看不见的字');
    expect(blankWords(pdf).map((w) => w.text)).toEqual(['看不见的字']);
  });

  it('names bidders in an open project; an engineering project without replacements has no replacement section', async () => {
    const open = finalCommittee({ blind: false, category: 'engineering', replacement: false, recheck: false, members: 3, bids: 4, items: 4 });
    const pdf = await renderReport({ state: open.state, material: open.material, kind: 'final', dissents: [], renderedAt: AT });
    const flat = squeeze(pdfText(pdf));
    for (const bidder of open.material.bidders) expect(flat).toContain(squeeze(`${bidder.code} ${bidder.name}`));
    expect(flat).toContain('工程建设项目');
    expect(flat).toContain('开标记录');
    expect(flat).toContain(squeeze('澄清、说明、补正事项纪要'));
    expect(flat).not.toContain('评审专家更换情况');
    expect(flat).toContain(squeeze('评审过程中未进行复核。'));
    expect(flat).toContain(squeeze('无。评标委员会成员均未提出保留意见。'));
    for (const identity of open.identities) expect(flat).not.toContain(identity.name);
    // Procurement states the replacements even when there were none.
    const procurement = await renderReport({ state: open.state, material: { ...open.material, category: 'procurement' }, kind: 'final', dissents: [], renderedAt: AT });
    expect(squeeze(pdfText(procurement))).toContain(squeeze('评审过程中未更换评审专家。'));
  });

  it('renders a lowest-price committee (no scores: evaluated prices, ranking, ties)', async () => {
    const low = finalCommittee({ method: 'lowest_price', members: 3, bids: 6 });
    const pdf = await renderReport({ state: low.state, material: low.material, kind: 'final', dissents: [], renderedAt: AT });
    const text = pdfText(pdf);
    expect(text).toContain('经评审的最低投标价法');
    for (const row of low.state.results?.rows ?? []) expect(text).toContain(formatMoney(row.evaluatedPrice));
    if (low.state.results?.rows.some((r) => r.tied)) expect(text).toContain('并列');
    expect(blankWords(pdf)).toEqual([]);
  });

  it('signature page: one line per seated member (评委n, code name) and the supervisor', async () => {
    const pdf = await renderReport({ state: fc.state, material: fc.material, kind: 'final', dissents: [], renderedAt: AT });
    const pages = Number(pdfInfo(pdf).Pages);
    const last = pdfText(pdf, { first: pages, last: pages }, true);
    expect(last).toContain('PAdES');
    expect(last).toContain('监标人');
    for (const m of fc.state.members.filter((x) => x.active)) expect(last).toMatch(new RegExp(`${judgeLabelOf(m.judge)}\\s+${m.codename}`));
    // The replaced member signs nothing.
    expect(last).not.toMatch(/K05\s/);
  });

  it('a character outside the working face (龘, not in GB 2312) is set from the full face and drawn', async () => {
    expect(await reportFace('评标报告 B01 1,000.00')).not.toBe(loadCjkFont());
    expect(await reportFace('龘')).toBe(loadCjkFont());
    const rare = [{ codename: 'K03', judge: 3, text: '龘字号的投标人名称应予核实。', signedAt: AT }];
    const pdf = await renderReport({ state: fc.state, material: fc.material, kind: 'final', dissents: rare, renderedAt: AT });
    const pages = Number(pdfInfo(pdf).Pages);
    const text = pdfText(pdf);
    expect(text).toContain('龘字号');
    const page = [...Array(pages).keys()].map((i) => i + 1).find((n) => pdfText(pdf, { first: n, last: n }).includes('龘'));
    expect(page).toBeDefined();
    expect(blankWords(pdf, { pages: { first: page as number, last: page as number } })).toEqual([]);
  });

  it('refuses what it cannot render, with a bilingual error', async () => {
    const base = { state: fc.state, material: fc.material, kind: 'final' as const, dissents: [], renderedAt: AT };
    await expect(renderReport({ ...base, state: { ...fc.state, stage: 'results' } })).rejects.toThrow(/尚未确认.*\/ The results are not confirmed/);
    await expect(renderReport({ ...base, material: { ...fc.material, category: 'other' as never } })).rejects.toThrow(/输入不正确/);
    await expect(renderReport({ ...base, renderedAt: -1 })).rejects.toThrow(/输入不正确/);
    await expect(renderReport({ ...base, dissents: [{ codename: 'K05', judge: 5, text: 'x', signedAt: 1 }] })).rejects.toThrow(/不是本委员会的在任成员/);
    await expect(renderReport({ ...base, dissents: [{ codename: 'K02', judge: 3, text: 'x', signedAt: 1 }] })).rejects.toThrow(/K02/);
  });
});

describe('the annexes', () => {
  const fc = finalCommittee({ members: 3, bids: 4, items: 3 });
  const reportSha256 = 'ab'.repeat(32);

  it('unblinding: bid code → bidder name, naming the report, deterministic', async () => {
    const input = { state: fc.state, material: fc.material, reportSha256, renderedAt: AT };
    const pdf = await renderUnblindingAnnex(input);
    expect(sha256(await renderUnblindingAnnex(input))).toBe(sha256(pdf));
    const layout = pdfText(pdf, undefined, true);
    expect(layout).toContain(reportSha256);
    expect(layout).toContain('揭标记录');
    for (const b of fc.material.bidders) expect(layout).toMatch(new RegExp(`${b.code}\\s+${b.name}`));
    for (const identity of fc.identities) expect(layout).not.toContain(identity.name);
    expect(blankWords(pdf)).toEqual([]);
  });

  it('identities: 评委n, code name, expert id and name, replacement, naming the report', async () => {
    const replaced = finalCommittee({ members: 3, bids: 4, items: 3, replacement: true });
    const pdf = await renderIdentityAnnex({ state: replaced.state, material: replaced.material, identities: replaced.identities, reportSha256, renderedAt: AT });
    const layout = pdfText(pdf, undefined, true);
    expect(layout).toContain(reportSha256);
    for (const line of replaced.identities) {
      expect(layout).toMatch(new RegExp(`${judgeLabelOf(line.judge)}\\s+${line.codename}\\s+${line.expertId}\\s+${line.name}`));
    }
    expect(squeeze(layout)).toContain('已由K90接替');
    expect(pdfFonts(pdf)[0]?.emb).toBe('yes');
    expect(blankWords(pdf)).toEqual([]);
    await expect(renderIdentityAnnex({ state: replaced.state, material: replaced.material, identities: replaced.identities, reportSha256: 'nope', renderedAt: AT })).rejects.toThrow(/输入不正确/);
  });
});

describe('a large committee', () => {
  it('9 experts × 20 bids × 30 items: renders to a sane number of pages, every bid matrix present, glyphs drawn', async () => {
    const big = finalCommittee({ members: 9, bids: 20, items: 30 });
    const pdf = await renderReport({ state: big.state, material: big.material, kind: 'final', dissents: [], renderedAt: AT });
    const pages = Number(pdfInfo(pdf).Pages);
    expect(pages).toBeGreaterThan(20);
    expect(pages).toBeLessThan(80);
    const text = pdfText(pdf);
    for (const bid of big.state.passed) expect(text).toContain(`投标 ${bid}`);
    for (const m of big.state.members) expect(text).toContain(m.codename);
    for (const identity of big.identities) expect(text).not.toContain(identity.name);
    // Nine judges fit one table width: no column chunks, so 评委9 sits in the same header as 评委1.
    expect(pdfText(pdf, undefined, true)).toMatch(/评委1\s+评委2\s+评委3\s+评委4\s+评委5\s+评委6\s+评委7\s+评委8\s+评委9/);
    expect(blankWords(pdf, { pages: { first: 10, last: 14 } })).toEqual([]);
  });
});

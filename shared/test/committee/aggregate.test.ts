import { describe, expect, it } from 'vitest';
import { type AggregateInput, type ExpertSheet, aggregate, compareCodes } from '../../src/committee/aggregate.ts';
import { type EvaluationRules, type EvaluationRulesInput, evaluationRulesSchema } from '../../src/committee/evaluation-rules.ts';

function rules(over: Partial<EvaluationRulesInput> = {}, settings: Partial<EvaluationRules['settings']> = {}): EvaluationRules {
  return evaluationRulesSchema.parse({
    method: 'comprehensive',
    groups: [
      { id: 'tech', name: 'Tech' },
      { id: 'biz', name: 'Biz' },
      { id: 'price', name: 'Price' },
    ],
    items: [
      { id: 't1', group: 'tech', name: 'Plan', max: 20, kind: 'subjective' },
      { id: 't2', group: 'tech', name: 'Team', max: 20, kind: 'subjective' },
      { id: 'b1', group: 'biz', name: 'ISO', max: 2, kind: 'objective', options: [0, 2] },
    ],
    price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
    settings,
    ...over,
  });
}

const bids = [
  { code: 'A', price: 100 },
  { code: 'B', price: 120 },
  { code: 'C', price: 80 }, // failed the preliminary review: not passed, not the price benchmark
];

/** Hand-made sheets: A totals 33, 33, 32.5; B totals 36, 35, 37.5. */
function sheets(): ExpertSheet[] {
  return [
    { judge: 'J1', scores: { A: { t1: 16, t2: 15, b1: 2 }, B: { t1: 18, t2: 18, b1: 0 } } },
    { judge: 'J2', scores: { A: { t1: 17, t2: 14, b1: 2 }, B: { t1: 18, t2: 17, b1: 0 } } },
    { judge: 'J3', scores: { A: { t1: 15, t2: 15.5, b1: 2 }, B: { t1: 19, t2: 18.5, b1: 0 } } },
  ];
}

function input(over: Partial<AggregateInput> = {}): AggregateInput {
  return { rules: rules(), bids, passed: ['A', 'B'], sheets: sheets(), ...over };
}

const withScore = (s: ExpertSheet[], judge: string, bid: string, item: string, value: number | null): ExpertSheet[] =>
  s.map((sheet) => (sheet.judge === judge ? { ...sheet, scores: { ...sheet.scores, [bid]: { ...sheet.scores[bid], [item]: value } } } : sheet));

describe('aggregate, comprehensive', () => {
  it('hand-computed: means, price scores, sums, ranks', () => {
    const result = aggregate(input());
    expect(result.blocked).toBe(false);
    expect(result.flags).toEqual([]);
    expect(result.judges).toEqual(['J1', 'J2', 'J3']);
    expect(result.rows).toEqual([
      // A: (33 + 33 + 32.5) / 3 = 32.8333 → 32.83; lowest passed price → 30; 62.83
      { bid: 'A', totals: [33, 33, 32.5], expertScore: 32.83, priceScore: 30, score: 62.83, price: 100, evaluatedPrice: 100, rank: 1, tied: false, recommended: true },
      // B: 108.5 / 3 = 36.1667 → 36.17; 100 / 120 × 30 = 25; 61.17
      { bid: 'B', totals: [36, 35, 37.5], expertScore: 36.17, priceScore: 25, score: 61.17, price: 120, evaluatedPrice: 120, rank: 2, tied: false, recommended: true },
    ]);
  });

  it('does not depend on the order of the sheets or of passed', () => {
    expect(aggregate(input({ sheets: [...sheets()].reverse(), passed: ['B', 'A'] }))).toEqual(aggregate(input()));
  });

  it('refuses while an objective item differs, and says where and who gave what', () => {
    const result = aggregate(input({ sheets: withScore(sheets(), 'J2', 'A', 'b1', 0) }));
    expect(result.blocked).toBe(true);
    expect(result.rows).toEqual([]);
    expect(result.flags).toEqual([
      {
        kind: 'objective_mismatch',
        bid: 'A',
        item: 'b1',
        judge: null,
        blocking: true,
        detail: {
          zh: '客观分 b1 在投标人 A 上各评委打分不一致（J1：2，J2：0，J3：2），无法汇总',
          en: 'objective item b1 differs between the judges on bid A (J1: 2, J2: 0, J3: 2): cannot aggregate',
        },
      },
    ]);
  });

  it('flags an abnormal subjective score without blocking: 8 against the others 18 and 17 (47.5 % of 20)', () => {
    const result = aggregate(input({ sheets: withScore(sheets(), 'J3', 'B', 't2', 8) }));
    expect(result.blocked).toBe(false);
    expect(result.flags.map(({ kind, bid, item, judge, blocking }) => ({ kind, bid, item, judge, blocking }))).toEqual([
      { kind: 'abnormal_score', bid: 'B', item: 't2', judge: 'J3', blocking: false },
    ]);
    expect(result.flags[0]?.detail.en).toBe("judge J3 gave bid B 8 on item t2, 47.5% of the maximum away from the other judges' mean 17.5 (limit 30%)");
    expect(result.rows.find((r) => r.bid === 'B')?.totals).toEqual([36, 35, 27]);
  });

  it('abnormal is strictly more than the share: 20 against 14 and 14 is exactly 30 % of 20, not abnormal', () => {
    let s = withScore(sheets(), 'J1', 'A', 't1', 20);
    s = withScore(s, 'J2', 'A', 't1', 14);
    s = withScore(s, 'J3', 'A', 't1', 14);
    expect(aggregate(input({ sheets: s })).flags).toEqual([]);
    s = withScore(s, 'J1', 'A', 't1', 20);
    s = withScore(s, 'J2', 'A', 't1', 13.5);
    expect(aggregate(input({ sheets: s })).flags.map((f) => [f.kind, f.judge])).toEqual([['abnormal_score', 'J1']]);
  });

  it('needs three judges for an abnormal score', () => {
    const two = withScore(sheets(), 'J1', 'A', 't1', 0).slice(0, 2);
    expect(aggregate(input({ sheets: two })).flags).toEqual([]);
  });

  it('blocks on missing and out-of-range cells, one flag each, bid then item then judge', () => {
    let s = withScore(sheets(), 'J1', 'B', 't2', null);
    s = withScore(s, 'J2', 'A', 't1', 21);
    s = withScore(s, 'J1', 'A', 't1', 15.3);
    s = withScore(s, 'J3', 'A', 'b1', 1);
    const result = aggregate(input({ sheets: s }));
    expect(result.blocked).toBe(true);
    expect(result.rows).toEqual([]);
    expect(result.flags.map((f) => [f.kind, f.bid, f.item, f.judge])).toEqual([
      ['out_of_range', 'A', 't1', 'J1'],
      ['out_of_range', 'A', 't1', 'J2'],
      ['out_of_range', 'A', 'b1', 'J3'],
      ['missing', 'B', 't2', 'J1'],
    ]);
    expect(result.flags[2]?.detail.en).toBe('judge J3 gave bid A 1 on objective item b1, not one of the fixed scores (0 / 2)');
    expect(result.flags[3]?.detail.zh).toBe('评委 J1 未给投标人 B 的评分项 t2 打分');
  });

  it('treats a cell that is not a number (or an inherited name) as missing, and a whole missing bid', () => {
    const s = sheets();
    s[0] = { judge: 'J1', scores: { A: { t1: '16' as unknown as number, t2: 15, b1: 2 } } };
    const result = aggregate(input({ sheets: s, rules: rules({}, {}) }));
    expect(result.flags.map((f) => [f.kind, f.bid, f.item, f.judge])).toEqual([
      ['missing', 'A', 't1', 'J1'],
      ['missing', 'B', 't1', 'J1'],
      ['missing', 'B', 't2', 'J1'],
      ['missing', 'B', 'b1', 'J1'],
    ]);
  });

  it('checks tiers at the central too (a score in no tier), and fills every placeholder of every detail', () => {
    const tiered = rules({
      items: [
        { id: 't1', group: 'tech', name: 'Plan', max: 20, kind: 'subjective', tiers: [{ label: 'A', min: 15, max: 20 }, { label: 'B', min: 0, max: 10 }] },
        { id: 't2', group: 'tech', name: 'Team', max: 20, kind: 'subjective' },
        { id: 'b1', group: 'biz', name: 'ISO', max: 2, kind: 'objective', options: [0, 2] },
      ],
    });
    let s = withScore(sheets(), 'J1', 'A', 't1', 12); // between B (≤ 10) and A (≥ 15)
    s = withScore(s, 'J2', 'A', 't2', 25);
    s = withScore(s, 'J3', 'A', 't2', null);
    s = withScore(s, 'J3', 'B', 'b1', 2);
    s = withScore(s, 'J1', 'B', 't2', 1);
    s[1] = { ...s[1]!, totals: { B: 1 } };
    const result = aggregate(input({ rules: tiered, sheets: s, passed: ['A', 'B', 'Q'] }));
    // B t2: J1 1 against 17 and 18.5 — and with an outlier among "the others", J2 (17 vs 9.75, 36 %) and J3 (18.5 vs 9, 47.5 %) too
    expect(result.flags.map((f) => f.kind).sort()).toEqual(['abnormal_score', 'abnormal_score', 'abnormal_score', 'missing', 'missing', 'objective_mismatch', 'out_of_range', 'out_of_range', 'sum_error']);
    expect(result.flags.find((f) => f.item === 't1')?.detail.en).toBe('judge J1 gave bid A 12 on item t1, in none of its tiers (A 15–20 / B 0–10)');
    for (const f of result.flags) {
      expect(f.detail.zh, f.kind).not.toMatch(/[{}]/);
      expect(f.detail.en, f.kind).not.toMatch(/[{}]/);
      expect(f.detail.zh, f.kind).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('flags a stated total that is not the sum of the items', () => {
    const s = sheets();
    s[0] = { ...s[0]!, totals: { A: 33, B: 35 } };
    const result = aggregate(input({ sheets: s }));
    expect(result.blocked).toBe(true);
    expect(result.flags).toEqual([
      {
        kind: 'sum_error',
        bid: 'B',
        item: null,
        judge: 'J1',
        blocking: true,
        detail: { zh: '评委 J1 对投标人 B 写明的合计 35 分与各项之和 36 分不符', en: 'judge J1 states a total of 35 for bid B, but the items add up to 36' },
      },
    ]);
  });

  it('flags a passed bid missing from the opening record, and no sheets at all', () => {
    expect(aggregate(input({ passed: ['A', 'B', 'Z'] })).flags.map((f) => [f.kind, f.bid])).toEqual([['missing', 'Z']]);
    const none = aggregate(input({ sheets: [] }));
    expect(none.blocked).toBe(true);
    expect(none.flags.map((f) => f.detail.en)).toEqual(['no judge has a score sheet: nothing to aggregate']);
    expect(aggregate(input({ passed: [] }))).toEqual({ blocked: false, flags: [], judges: ['J1', 'J2', 'J3'], rows: [] });
  });

  it('trims the highest and the lowest total with ≥ 5 judges: 50 60 70 80 95 → 70 (untrimmed 71)', () => {
    const r = rules({ groups: [{ id: 'g', name: 'G' }], items: [{ id: 'x', group: 'g', name: 'X', max: 100, kind: 'subjective' }], price: null }, { trim: 'highest_lowest' });
    const five = [50, 60, 70, 80, 95].map((v, i) => ({ judge: `E${i + 1}`, scores: { A: { x: v } } }));
    const trimmed = aggregate({ rules: r, bids, passed: ['A'], sheets: five }).rows[0];
    expect(trimmed).toMatchObject({ totals: [50, 60, 70, 80, 95], expertScore: 70, priceScore: null, score: 70 });
    expect(aggregate({ rules: { ...r, settings: { ...r.settings, trim: 'none' } }, bids, passed: ['A'], sheets: five }).rows[0]?.score).toBe(71);
    // four judges: no trimming (mean of 50 60 70 80 = 65)
    expect(aggregate({ rules: r, bids, passed: ['A'], sheets: five.slice(0, 4) }).rows[0]?.score).toBe(65);
  });

  it('rounds half up, exactly: 8.5 / 8 = 1.0625 → 1.063 (3), 1.06 (2), 1.1 (1), 1 (0)', () => {
    const totals = [1, 1, 1, 1, 1, 1, 1, 1.5];
    const r = rules({ groups: [{ id: 'g', name: 'G' }], items: [{ id: 'x', group: 'g', name: 'X', max: 10, kind: 'subjective' }], price: null });
    const eight = totals.map((v, i) => ({ judge: `E${i + 1}`, scores: { A: { x: v } } }));
    const at = (decimals: number) => aggregate({ rules: { ...r, settings: { ...r.settings, decimals } }, bids, passed: ['A'], sheets: eight }).rows[0]?.expertScore;
    expect([at(3), at(2), at(1), at(0)]).toEqual([1.063, 1.06, 1.1, 1]);
  });

  it('rounds the price score from its exact value: 100 / 300 × 30 = 10 exactly; 100 / 120.03 × 30 = 24.99375… → 24.99', () => {
    const r = rules({ groups: [{ id: 'g', name: 'G' }, { id: 'price', name: 'P' }], items: [{ id: 'x', group: 'g', name: 'X', max: 10, kind: 'subjective' }] });
    const s = ['E1'].map((judge) => ({ judge, scores: { A: { x: 5 }, B: { x: 5 }, D: { x: 5 } } }));
    const opening = [
      { code: 'A', price: 100 },
      { code: 'B', price: 120.03 },
      { code: 'D', price: 300 },
    ];
    const rows = aggregate({ rules: r, bids: opening, passed: ['A', 'B', 'D'], sheets: s }).rows;
    expect(rows.map((row) => [row.bid, row.priceScore, row.score])).toEqual([
      ['A', 30, 35],
      ['B', 24.99, 29.99],
      ['D', 10, 15],
    ]);
  });

  it('ranks equal scores by price, and a tie on both shares the rank', () => {
    const r = rules({ groups: [{ id: 'g', name: 'G' }, { id: 'price', name: 'P' }], items: [{ id: 'x', group: 'g', name: 'X', max: 40, kind: 'subjective' }] });
    const opening = [
      { code: 'A', price: 100 }, // 30 + 30 = 60
      { code: 'B', price: 120 }, // 25 + 35 = 60: same score, dearer → rank 2
      { code: 'C', price: 120 }, // 25 + 35 = 60, same price as B → tied with B
      { code: 'D', price: 200 }, // 15 + 20 = 35
    ];
    const s = [{ judge: 'E1', scores: { A: { x: 30 }, B: { x: 35 }, C: { x: 35 }, D: { x: 20 } } }];
    const rows = aggregate({ rules: { ...r, settings: { ...r.settings, recommend: 2 } }, bids: opening, passed: ['D', 'C', 'B', 'A'], sheets: s }).rows;
    expect(rows.map((row) => [row.bid, row.score, row.rank, row.tied, row.recommended])).toEqual([
      ['A', 60, 1, false, true],
      ['B', 60, 2, true, true],
      ['C', 60, 2, true, true],
      ['D', 35, 4, false, false],
    ]);
  });
});

describe('aggregate, lowest evaluated price', () => {
  it('ranks the passed bids by evaluated price; equal → tied; no points', () => {
    const r = evaluationRulesSchema.parse({ method: 'lowest_price', settings: { recommend: 1 } });
    const opening = [
      { code: 'A', price: 100, evaluatedPrice: 95 },
      { code: 'B', price: 90, evaluatedPrice: 95 },
      { code: 'C', price: 80 },
      { code: 'D', price: 10 }, // rejected
    ];
    const result = aggregate({ rules: r, bids: opening, passed: ['A', 'B', 'C'], sheets: [] });
    expect(result.blocked).toBe(false);
    expect(result.rows).toEqual([
      { bid: 'C', totals: [], expertScore: null, priceScore: null, score: null, price: 80, evaluatedPrice: 80, rank: 1, tied: false, recommended: true },
      { bid: 'A', totals: [], expertScore: null, priceScore: null, score: null, price: 100, evaluatedPrice: 95, rank: 2, tied: true, recommended: false },
      { bid: 'B', totals: [], expertScore: null, priceScore: null, score: null, price: 90, evaluatedPrice: 95, rank: 2, tied: true, recommended: false },
    ]);
  });
});

describe('compareCodes', () => {
  it('compares numbers inside code names as numbers', () => {
    expect(['评委10', '评委2', '评委1', 'B', 'A10', 'A9', 'A09x'].sort(compareCodes)).toEqual(['A9', 'A09x', 'A10', 'B', '评委1', '评委2', '评委10']);
  });
  it('throws on a judge given twice (a caller error)', () => {
    expect(() => aggregate(input({ sheets: [...sheets(), sheets()[0]!] }))).toThrow(/J1/);
  });
});

import { describe, expect, it } from 'vitest';
import { reviewViewSchema, type PreliminarySheet, type ReviewView } from '@kawei/shared/contract/booth-review.ts';
import { scoreSheetSchema, type ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import type { CommitteeBoothPayload } from '@kawei/shared/committee/committee-events.ts';
import { translatorFor } from '@kawei/shared/i18n/messages.ts';
import {
  bidProgress,
  chairActions,
  chairVoteState,
  flagLines,
  preliminaryProblems,
  resultTable,
  reviewStages,
  stepperState,
  waitingText,
} from '../src/renderer/review-view.ts';
import {
  groupCriteria,
  objectiveOptions,
  parseScoreWithin,
  priceLines,
  recheckCells,
  recheckLines,
  isRecheck,
  scoreBounds,
  stepWithin,
  tierOf,
  valueForTier,
} from '../src/renderer/detailed-view.ts';
import { cellKey } from '../src/renderer/booth-view.ts';

const zh = translatorFor('zh-CN');
const en = translatorFor('en');
const SHA = 'a'.repeat(64);

function committee(over: Partial<CommitteeBoothPayload> = {}): CommitteeBoothPayload {
  return {
    date: '2026-12-07',
    project: 'P1',
    codename: 'HK-37',
    version: 3,
    rulesSha256: SHA,
    stage: 'preliminary',
    members: [
      { codename: 'HK-37', judge: '评委1', done: true, chair: false },
      { codename: 'QM-12', judge: '评委2', done: false, chair: false },
      { codename: 'TS-40', judge: '评委3', done: false, chair: false },
    ],
    chair: null,
    chairVotes: 1,
    rejected: [],
    passed: ['A', 'B'],
    revision: 1,
    recheck: null,
    flags: [],
    results: null,
    ...over,
  };
}

/** A view parsed through the contract's schema, so the fixture is one the services could send. */
function view(over: Partial<ReviewView> = {}): ReviewView {
  return reviewViewSchema.parse({
    method: 'comprehensive',
    rules: {
      preliminary: [
        { id: 'q1', name: '营业执照', kind: 'qualification', description: '有效的营业执照' },
        { id: 'c1', name: '投标保证金', kind: 'conformity' },
      ],
      groups: [
        { id: 'tech', name: '技术' },
        { id: 'biz', name: '商务' },
        { id: 'price', name: '价格' },
      ],
      items: [
        { id: 't1', group: 'tech', name: '技术方案', kind: 'subjective', max: 20, tiers: [{ label: '优', min: 16, max: 20 }, { label: '良', min: 10, max: 15.5 }] },
        { id: 'b1', group: 'biz', name: 'ISO 9001', kind: 'objective', max: 2, options: [0, 2] },
      ],
      price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
      settings: {},
    },
    bids: [
      { code: 'A', price: 100000 },
      { code: 'B', price: 120000 },
    ],
    step: 'preliminary',
    preliminary: null,
    committee: null,
    chairVote: null,
    isChair: false,
    waitingFor: [],
    offline: false,
    ...over,
  });
}

describe('stepper', () => {
  it('shows the stages the method has', () => {
    expect(reviewStages(view())).toEqual(['preliminary', 'detailed', 'sign', 'results']);
    const lowest = view({ method: 'lowest_price' });
    expect(reviewStages({ ...lowest, rules: { ...lowest.rules, items: [] } })).toEqual(['preliminary', 'results']);
    const plain = view();
    expect(reviewStages({ ...plain, rules: { ...plain.rules, preliminary: [] } })).toEqual(['detailed', 'sign', 'results']);
  });

  it('maps each step to its stage and whether the expert works or waits', () => {
    expect(stepperState(view({ step: 'preliminary' }))).toMatchObject({ current: 0, status: 'process' });
    expect(stepperState(view({ step: 'wait_preliminary' }))).toMatchObject({ current: 0, status: 'wait' });
    expect(stepperState(view({ step: 'detailed' }))).toMatchObject({ current: 1, status: 'process' });
    expect(stepperState(view({ step: 'wait_results' }))).toMatchObject({ current: 2, status: 'wait' });
    expect(stepperState(view({ step: 'results' }))).toMatchObject({ current: 3, status: 'process' });
    expect(stepperState(view({ step: 'final' }))).toMatchObject({ current: 3, status: 'finish' });
  });

  it('falls to the next stage the method has (lowest price: waiting after preliminary shows results)', () => {
    const lowest = view({ method: 'lowest_price', step: 'wait_results' });
    const state = stepperState({ ...lowest, rules: { ...lowest.rules, items: [] } });
    expect(state.stages[state.current]).toBe('results');
  });

  it('has a label for every stage in both languages', () => {
    for (const stage of reviewStages(view())) {
      expect(zh(`review.stage.${stage}`)).toMatch(/评审|签名/);
      expect(en(`review.stage.${stage}`)).not.toBe('');
    }
  });
});

describe('waiting text', () => {
  it('names the members the preliminary step waits for by code name', () => {
    const text = waitingText(view({ step: 'wait_preliminary', waitingFor: ['QM-12', 'TS-40'], committee: committee() }), zh);
    expect(text).toContain('QM-12、TS-40');
    expect(waitingText(view({ step: 'wait_preliminary', waitingFor: ['QM-12', 'TS-40'] }), en)).toContain('QM-12, TS-40');
  });

  it('says who starts the detailed review once everyone is done', () => {
    const done = committee({ stage: 'preliminary_done' });
    expect(waitingText(view({ step: 'wait_preliminary', committee: done }), zh)).toContain('推选');
    // The services name the chair (or the voters) in waitingFor once the stage is done: not "still reviewing".
    expect(waitingText(view({ step: 'wait_preliminary', waitingFor: ['QM-12'], committee: { ...done, chair: 'QM-12' } }), zh)).toBe(
      '全体评委已完成初步评审。正在等待组长 QM-12 开始详细评审',
    );
    expect(waitingText(view({ step: 'wait_preliminary', waitingFor: ['HK-37', 'QM-12', 'TS-40'], committee: done }), zh)).not.toContain('完成初步评审：');
    expect(waitingText(view({ step: 'wait_preliminary', committee: done }), zh)).toContain('1 / 3');
    expect(waitingText(view({ step: 'wait_preliminary', committee: { ...done, chair: 'QM-12' } }), zh)).toContain('组长 QM-12');
    expect(waitingText(view({ step: 'wait_preliminary', committee: { ...done, chair: 'HK-37' }, isChair: true }), zh)).toContain('开始详细评审');
    const centre = view({ step: 'wait_preliminary', committee: done });
    expect(waitingText({ ...centre, rules: { ...centre.rules, settings: { ...centre.rules.settings, chair: 'centre' } } }, zh)).toContain('中心指定');
    expect(waitingText(view({ step: 'wait_preliminary', committee: null }), zh)).toContain('中心汇总');
  });

  it('says what the results wait for: sheets, a re-check, a blocked aggregation, the chair', () => {
    expect(waitingText(view({ step: 'wait_results', waitingFor: ['TS-40'], committee: committee({ stage: 'detailed' }) }), zh)).toContain('TS-40');
    expect(waitingText(view({ step: 'wait_results', waitingFor: ['TS-40'], committee: committee({ stage: 'recheck' }) }), zh)).toContain('复核评分：TS-40');
    expect(waitingText(view({ step: 'wait_results', committee: committee({ stage: 'blocked', chair: 'QM-12' }) }), zh)).toContain('组长 QM-12 安排复核');
    expect(waitingText(view({ step: 'wait_results', committee: committee({ stage: 'blocked' }), isChair: true }), zh)).toContain('退回复核');
    expect(waitingText(view({ step: 'wait_results', committee: committee({ stage: 'detailed' }) }), zh)).toContain('汇总');
    expect(waitingText(view({ step: 'results', committee: committee({ stage: 'results', chair: 'QM-12' }) }), zh)).toContain('组长 QM-12 确认');
    expect(waitingText(view({ step: 'results', isChair: true }), zh)).toContain('确认评审结果');
  });

  it('is silent while the expert has work of their own', () => {
    expect(waitingText(view({ step: 'preliminary', waitingFor: ['QM-12'] }), zh)).toBeNull();
    expect(waitingText(view({ step: 'detailed' }), zh)).toBeNull();
  });
});

describe('chair', () => {
  it('vote state: open, voted, named, or named by the centre', () => {
    expect(chairVoteState(view())).toBe('open');
    expect(chairVoteState(view({ chairVote: 'QM-12' }))).toBe('voted');
    expect(chairVoteState(view({ chairVote: 'QM-12', committee: committee({ chair: 'QM-12' }) }))).toBe('named');
    const v = view();
    expect(chairVoteState({ ...v, rules: { ...v.rules, settings: { ...v.rules.settings, chair: 'centre' } } })).toBe('centre');
  });

  it("opens the chair's steps by stage, only to the chair, never offline", () => {
    expect(chairActions(view({ isChair: true, committee: committee({ stage: 'preliminary_done' }) }))).toEqual({ startDetailed: true, recheck: false, confirm: false });
    expect(chairActions(view({ isChair: true, committee: committee({ stage: 'detailed' }) }))).toEqual({ startDetailed: false, recheck: false, confirm: false });
    expect(chairActions(view({ isChair: true, committee: committee({ stage: 'blocked' }) }))).toEqual({ startDetailed: false, recheck: true, confirm: false });
    const results = { judges: ['评委1'], rows: [], resultsSha256: SHA };
    expect(chairActions(view({ isChair: true, committee: committee({ stage: 'results', results }) }))).toEqual({ startDetailed: false, recheck: true, confirm: true });
    expect(chairActions(view({ isChair: false, committee: committee({ stage: 'preliminary_done' }) })).startDetailed).toBe(false);
    expect(chairActions(view({ isChair: true, offline: true, committee: committee({ stage: 'preliminary_done' }) })).startDetailed).toBe(false);
    expect(chairActions(view({ isChair: true, committee: committee({ stage: 'final' }) }))).toEqual({ startDetailed: false, recheck: false, confirm: false });
  });

  it('words the flags in Chinese and prefills the re-check from the judge', () => {
    const flags = [
      { kind: 'objective_mismatch', bid: 'B', item: 'b1', judge: '评委2', detail: 'b1 differs' },
      { kind: 'something_new', bid: null, item: null, judge: null, detail: 'x' },
    ];
    const lines = flagLines(view({ committee: committee({ flags }) }), zh);
    expect(lines[0]?.title).toBe('客观分不一致');
    expect(lines[0]?.where).toBe('投标人 B · ISO 9001 · 评委2');
    expect(lines[0]?.recheck).toEqual({ codename: 'QM-12', reason: 'objective_mismatch', cells: [{ bid: 'B', item: 'b1' }] });
    expect(lines[1]?.title).toBe('其他问题');
    expect(lines[1]?.recheck).toBeNull();
    expect(flagLines(view(), zh)).toEqual([]);
  });
});

describe('preliminary review', () => {
  const items = [{ id: 'q1' }, { id: 'c1' }];
  const sheet = (verdicts: PreliminarySheet['verdicts']): PreliminarySheet => ({ status: 'draft', verdicts, problems: [], savedAt: null, submittedAt: null });

  it('counts decided and failed items per bid', () => {
    const s = sheet({ A: { q1: { pass: true, reason: '' }, c1: { pass: false, reason: '未交' } } });
    expect(bidProgress(s, 'A', items)).toEqual({ done: 2, total: 2, failed: 1 });
    expect(bidProgress(s, 'B', items)).toEqual({ done: 0, total: 2, failed: 0 });
  });

  it('lists what blocks submission in screen order, a fail without a reason included', () => {
    const s = sheet({ A: { q1: { pass: true, reason: '' }, c1: { pass: false, reason: '  ' } }, B: { q1: { pass: true, reason: '' } } });
    expect(preliminaryProblems(s, ['A', 'B'], items)).toEqual([
      { bid: 'A', item: 'c1', problem: 'reason_required' },
      { bid: 'B', item: 'c1', problem: 'missing' },
    ]);
    expect(preliminaryProblems(null, ['A'], items).map((p) => p.problem)).toEqual(['missing', 'missing']);
    const done = sheet({ A: { q1: { pass: true, reason: '' }, c1: { pass: false, reason: '保证金未交' } } });
    expect(preliminaryProblems(done, ['A'], items)).toEqual([]);
  });
});

describe('results table', () => {
  const results = {
    judges: ['评委1', '评委2', '评委3'],
    resultsSha256: SHA,
    rows: [
      { bid: 'B', totals: [60, 62.5, 61], expertScore: 61.1667, priceScore: 25, score: 86.1667, price: 120000, evaluatedPrice: 120000, rank: 2, tied: false, recommended: true },
      { bid: 'A', totals: [58, 59, 60], expertScore: 59, priceScore: 30, score: 89, price: 100000, evaluatedPrice: 100000, rank: 1, tied: false, recommended: true },
      { bid: 'D', totals: [40, 40, 40], expertScore: 40, priceScore: 20, score: 60, price: 150000, evaluatedPrice: 150000, rank: 3, tied: true, recommended: false },
      { bid: 'C', totals: [40, 40, 40], expertScore: 40, priceScore: 20, score: 60, price: 150000, evaluatedPrice: 150000, rank: 3, tied: true, recommended: false },
    ],
  };

  it('puts the best rank first, a tie in code order, with the judges as 评委1…n', () => {
    const table = resultTable(results, 'comprehensive', 2);
    expect(table.rows.map((r) => r.bid)).toEqual(['A', 'B', 'C', 'D']);
    expect(table.columns).toEqual(['rank', 'bid', 'judge:0', 'judge:1', 'judge:2', 'expertScore', 'priceScore', 'score']);
    expect(table.judges).toEqual(['评委1', '评委2', '评委3']);
    expect(table.rows[1]?.cells).toMatchObject({ 'judge:1': '62.50', expertScore: '61.17', priceScore: '25.00', score: '86.17', rank: '2' });
    expect(table.rows.filter((r) => r.tied).map((r) => r.bid)).toEqual(['C', 'D']);
    expect(table.rows.filter((r) => r.recommended).map((r) => r.bid)).toEqual(['A', 'B']);
  });

  it('shows prices instead of points for the lowest evaluated price method', () => {
    const table = resultTable({ ...results, rows: results.rows.map((r) => ({ ...r, totals: [null, null, null], expertScore: null, priceScore: null, score: null })) }, 'lowest_price', 2);
    expect(table.columns).toEqual(['rank', 'bid', 'price', 'evaluatedPrice']);
    expect(table.rows[0]?.cells.price).toBe('100,000.00');
  });
});

describe('detailed review', () => {
  function sheet(over: Partial<ScoreSheet> = {}): ScoreSheet {
    return scoreSheetSchema.parse({
      criteria: [
        { id: 'b1', name: 'ISO 9001', max: 2, group: 'biz', kind: 'objective', options: [2, 0, 2] },
        { id: 't1', name: '技术方案', max: 20, group: 'tech', kind: 'subjective', tiers: [{ label: '优', min: 16, max: 20 }, { label: '良', min: 10, max: 15.5 }] },
        { id: 'x9', name: '其他', max: 5, group: 'zzz' },
        { id: 'plain', name: '旧式', max: 10 },
      ],
      bidders: ['A'],
      scores: {},
      notes: {},
      status: 'draft',
      savedAt: null,
      submittedAt: null,
      problems: [],
      ...over,
    });
  }
  const groups = [
    { id: 'tech', name: '技术' },
    { id: 'biz', name: '商务' },
  ];

  it('groups items in the rules’ group order, unknown groups after, ungrouped last', () => {
    const grouped = groupCriteria(sheet().criteria, groups);
    expect(grouped.map((g) => [g.id, g.name, g.criteria.map((c) => c.id), g.max])).toEqual([
      ['tech', '技术', ['t1'], 20],
      ['biz', '商务', ['b1'], 2],
      ['zzz', 'zzz', ['x9'], 5],
      [null, null, ['plain'], 10],
    ]);
    expect(groupCriteria(sheet().criteria.filter((c) => !c.group), [])).toHaveLength(1);
  });

  it('offers only the allowed points of an objective item, once each, ascending', () => {
    expect(objectiveOptions(sheet().criteria[0]!)).toEqual([0, 2]);
  });

  it('keeps a subjective score inside the chosen tier', () => {
    const t1 = sheet().criteria[1]!;
    expect(tierOf(17, t1.tiers ?? [])?.label).toBe('优');
    expect(tierOf(9, t1.tiers ?? [])).toBeNull();
    expect(scoreBounds(t1, '良')).toEqual({ min: 10, max: 15.5 });
    expect(scoreBounds(t1, null)).toEqual({ min: 0, max: 20 });
    expect(stepWithin(null, 1, 10, 15.5)).toBe(10);
    expect(stepWithin(15.5, 1, 10, 15.5)).toBe(15.5);
    expect(stepWithin(10, -1, 10, 15.5)).toBe(10);
    expect(parseScoreWithin('9', 10, 15.5)).toEqual({ ok: false, problem: 'out_of_range' });
    expect(parseScoreWithin('16', 10, 15.5)).toEqual({ ok: false, problem: 'out_of_range' });
    expect(parseScoreWithin('12.5', 10, 15.5)).toEqual({ ok: true, value: 12.5 });
    expect(valueForTier(12, { label: '良', min: 10, max: 15.5 })).toBe(12);
    expect(valueForTier(18, { label: '良', min: 10, max: 15.5 })).toBeNull();
  });

  it('words the new problems in Chinese', () => {
    expect(zh('booth.score.problem.not_an_option')).toContain('分值');
    expect(zh('booth.score.problem.outside_tiers')).toContain('档次');
  });

  it('shows the re-check banner with the reason and marks the cells', () => {
    expect(isRecheck(sheet())).toBe(false);
    const back = sheet({ revision: 2, recheck: { codename: 'HK-37', reason: 'abnormal_score', cells: [{ bid: 'A', item: 't1' }], note: '请核实' } });
    expect(isRecheck(back)).toBe(true);
    expect(recheckCells(back)).toEqual(new Set([cellKey('A', 't1')]));
    const lines = recheckLines(back, zh);
    expect(lines[0]).toContain('第 2 版');
    expect(lines.join('\n')).toContain('评分畸高或畸低');
    expect(lines.join('\n')).toContain('请核实');
    expect(isRecheck(sheet({ revision: 2 }))).toBe(true);
  });

  it('describes the computed price group', () => {
    const lines = priceLines({ formula: 'lowest_over_bid', group: 'price', points: 30 }, [{ id: 'price', name: '价格' }], zh);
    expect(lines.title).toBe('价格（满分 30）');
    expect(lines.formula).toContain('低价优先法');
    const mean = priceLines({ formula: 'mean_deviation', group: 'p', points: 20, downRate: 0, penaltyAbove: 1, penaltyBelow: 0.5 }, [], zh);
    expect(mean.title).toBe('价格分（满分 20）');
    expect(mean.formula).toContain('0.5');
  });
});

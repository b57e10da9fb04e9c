/**
 * The evaluation rules and opening records the committee tests, the Playwright spec and the benchmark
 * publish (project.json `rules` + `bids`, docs/REVIEW.md). Written as project.json carries them
 * (defaults not filled in), so publishing goes through the same checks a centre's file does.
 */
import type { EvaluationRulesInput, OpeningBid } from '@kawei/shared/committee/evaluation-rules.ts';

export interface ProjectBidder {
  code: string;
  name: string;
  aliases: string[];
}

/** Bidders of the tests' projects: real-looking names (trusted side only), codes A…. */
export function bidders(count: number): ProjectBidder[] {
  const names = ['江苏恒通建设集团有限公司', '南京华宇工程有限公司', '苏州广厦建设有限公司', '无锡城建工程有限公司', '常州德胜建设有限公司', '扬州宏达工程有限公司'];
  return Array.from({ length: count }, (_, i) => {
    const code = String.fromCharCode(65 + i);
    return { code, name: names[i] ?? `测试建设${code}有限公司`, aliases: [] };
  });
}

/**
 * 综合评分法 with a preliminary review (two items), technical and business items — subjective with
 * tiers, subjective plain, two objective — and the price computed by lowest_over_bid (30 points).
 * Items: T1 (subjective 0–20, tiers), T2 (subjective 0–10), B1 (objective 0|2), B2 (objective 0|3).
 */
export function comprehensiveRules(settings: EvaluationRulesInput['settings'] = {}): EvaluationRulesInput {
  return {
    method: 'comprehensive',
    preliminary: [
      { id: 'Q1', name: '营业执照', kind: 'qualification', description: '有效的营业执照' },
      { id: 'C1', name: '投标保证金', kind: 'conformity', description: '按招标文件要求提交保证金' },
    ],
    groups: [
      { id: 'tech', name: '技术' },
      { id: 'biz', name: '商务' },
      { id: 'price', name: '价格' },
    ],
    items: [
      {
        id: 'T1',
        group: 'tech',
        name: '施工方案',
        kind: 'subjective',
        max: 20,
        description: '方案完整、针对性强',
        tiers: [
          { label: '优', min: 16, max: 20 },
          { label: '良', min: 11, max: 15.5 },
          { label: '中', min: 6, max: 10.5 },
          { label: '差', min: 0, max: 5.5 },
        ],
      },
      { id: 'T2', group: 'tech', name: '进度计划', kind: 'subjective', max: 10, description: '工期合理' },
      { id: 'B1', group: 'biz', name: 'ISO 9001 证书', kind: 'objective', max: 2, options: [0, 2], description: '有证书得2分' },
      { id: 'B2', group: 'biz', name: '类似业绩', kind: 'objective', max: 3, options: [0, 3], description: '近三年有类似业绩得3分' },
    ],
    price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
    settings: { chair: 'vote', rejection: 'majority', ...settings },
  };
}

/** 经评审的最低投标价法: preliminary review only, then rank by evaluated price. */
export function lowestPriceRules(settings: EvaluationRulesInput['settings'] = {}): EvaluationRulesInput {
  return {
    method: 'lowest_price',
    preliminary: [
      { id: 'Q1', name: '营业执照', kind: 'qualification', description: '有效的营业执照' },
      { id: 'C1', name: '投标保证金', kind: 'conformity', description: '按招标文件要求提交保证金' },
    ],
    groups: [],
    items: [],
    price: null,
    settings: { chair: 'vote', rejection: 'majority', ...settings },
  };
}

/** A comprehensive method with `items` subjective items and no preliminary review (the benchmark's). */
export function scoringOnlyRules(items: number): EvaluationRulesInput {
  return {
    method: 'comprehensive',
    preliminary: [],
    groups: [
      { id: 'tech', name: '技术' },
      { id: 'price', name: '价格' },
    ],
    items: Array.from({ length: items }, (_, i) => ({ id: `T${i + 1}`, group: 'tech', name: `评分项${i + 1}`, kind: 'subjective' as const, max: 10 })),
    price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
    settings: { chair: 'centre' },
  };
}

export function openingBids(prices: readonly number[], evaluated?: readonly number[]): OpeningBid[] {
  return prices.map((price, i) => ({ code: String.fromCharCode(65 + i), price, ...(evaluated?.[i] !== undefined ? { evaluatedPrice: evaluated[i] } : {}) }));
}

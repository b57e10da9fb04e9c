import { describe, expect, it } from 'vitest';
import { evaluationRulesSchema, type EvaluationRulesInput } from '../../src/committee/evaluation-rules.ts';
import { checkEvaluationRules, rulesFromCriteria, totalPoints } from '../../src/committee/rules-check.ts';

/** A realistic comprehensive rule set: 2 preliminary items, tech/business/price groups, computed price. */
function goodRules(): EvaluationRulesInput {
  return {
    method: 'comprehensive',
    preliminary: [
      { id: 'licence', name: 'Business licence', kind: 'qualification' },
      { id: 'bond', name: 'Bid bond', kind: 'conformity' },
    ],
    groups: [
      { id: 'tech', name: 'Technical' },
      { id: 'biz', name: 'Business' },
      { id: 'price', name: 'Price' },
    ],
    items: [
      { id: 't1', group: 'tech', name: 'Plan', max: 20, kind: 'subjective', tiers: [{ label: 'A', min: 16, max: 20 }, { label: 'B', min: 10, max: 16 }] },
      { id: 't2', group: 'tech', name: 'Team', max: 20, kind: 'subjective' },
      { id: 'b1', group: 'biz', name: 'ISO 9001', max: 2, kind: 'objective', options: [0, 2] },
      { id: 'b2', group: 'biz', name: 'Cases', max: 28, kind: 'objective', options: [0, 7, 14, 21, 28] },
    ],
    price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
  };
}

const bids = [
  { code: 'A', price: 100 },
  { code: 'B', price: 120 },
];

function problemsOf(raw: unknown, withBids?: unknown): { zh: string; en: string }[] {
  const result = checkEvaluationRules(raw, withBids as never);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('checkEvaluationRules', () => {
  it('accepts a good rule set and fills in the defaults', () => {
    const result = checkEvaluationRules(goodRules(), bids);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rules.settings).toEqual({ chair: 'vote', rejection: 'majority', trim: 'none', recommend: 3, abnormalShare: 0.3, decimals: 2 });
    expect(totalPoints(result.rules)).toBe(100); // 20 + 20 + 2 + 28 + 30
  });

  it('reports shape problems by field, in both languages', () => {
    const raw = goodRules();
    (raw.items as unknown[])[1] = { id: 't2', group: 'tech', name: 'Team', max: -1, kind: 'subjective' };
    const problems = problemsOf({ ...raw, method: 'lottery' });
    const en = problems.map((p) => p.en);
    expect(en.some((t) => t.includes('method'))).toBe(true);
    expect(en.some((t) => t.includes('items[1].max'))).toBe(true);
    for (const p of problems) expect(p.zh).toMatch(/评标办法/);
  });

  it('reports every semantic problem at once, naming the field', () => {
    const raw = goodRules();
    raw.preliminary = [...(raw.preliminary ?? []), { id: 'bond', name: 'Bond again', kind: 'conformity' }];
    raw.groups = [...(raw.groups ?? []), { id: 'tech', name: 'Tech again' }];
    raw.items = [
      ...(raw.items ?? []),
      { id: 't1', group: 'tech', name: 'Twice', max: 5, kind: 'subjective' },
      { id: 'x1', group: 'nowhere', name: 'Lost', max: 5, kind: 'subjective' },
      { id: 'o1', group: 'biz', name: 'Bad options', max: 3, kind: 'objective', options: [0, 4] },
      {
        id: 's1',
        group: 'biz',
        name: 'Bad tiers',
        max: 10,
        kind: 'subjective',
        tiers: [
          { label: 'A', min: 8, max: 12 },
          { label: 'B', min: 6, max: 9 },
          { label: 'B', min: 5, max: 4 },
        ],
      },
      { id: 'p1', group: 'price', name: 'Typed price', max: 10, kind: 'subjective' },
    ];
    const en = problemsOf(raw, [...bids, { code: 'A', price: 90 }]).map((p) => p.en);
    expect(en).toEqual([
      'preliminary[2].id: the id bond is used twice',
      'groups[3].id: the id tech is used twice',
      'items[4].id: the id t1 is used twice',
      'items[5].group: there is no group nowhere',
      'items[6].options[1]: the option 4 is not between 0 and the maximum 3',
      "items[6].options: an objective item's options must include its maximum 3",
      'items[7].tiers[0]: tier "A" (8–12) is outside 0 to the maximum 10',
      'items[7].tiers[1]: tier "B" overlaps tier "A"',
      'items[7].tiers[2]: tier "B" has its minimum 5 above its maximum 4',
      'items[7].tiers[2].label: the tier name "B" is used twice',
      'price.group: the price score is computed, so group price cannot hold scoring items (p1)',
      'bids[2].code: the bid code A is used twice',
    ]);
  });

  it('allows tiers that only touch (优 16–20, 良 10–16)', () => {
    expect(checkEvaluationRules(goodRules()).ok).toBe(true);
  });

  it('needs the price group to exist', () => {
    const raw = goodRules();
    raw.groups = raw.groups?.filter((g) => g.id !== 'price');
    expect(problemsOf(raw).map((p) => p.en)).toEqual(["price.group: the price score's group price does not exist"]);
  });

  it('comprehensive needs a scoring item', () => {
    const en = problemsOf({ method: 'comprehensive', groups: [{ id: 'p', name: 'P' }], price: { formula: 'lowest_over_bid', group: 'p', points: 100 } }).map((p) => p.en);
    expect(en).toEqual(['items: comprehensive scoring needs at least one scoring item']);
  });

  it('lowest_price has no scoring items and no price rule', () => {
    const raw = goodRules();
    const en = problemsOf({ ...raw, method: 'lowest_price' }).map((p) => p.en);
    expect(en).toEqual([
      'items: the lowest evaluated price method gives no points, so it has no scoring items',
      'price: the lowest evaluated price method computes no price score',
    ]);
    expect(checkEvaluationRules({ method: 'lowest_price', preliminary: raw.preliminary }, bids).ok).toBe(true);
  });

  it('a price rule needs bids; every bid valid', () => {
    expect(problemsOf(goodRules(), []).map((p) => p.en)).toEqual(['bids: the price score needs the bid prices of the opening record']);
    const en = problemsOf(goodRules(), [{ code: 'A', price: 0 }, { code: 'B' }]).map((p) => p.en);
    expect(en).toHaveLength(2);
    expect(en[0]).toMatch(/^opening record: bids\[0\]\.price is not valid: /);
    expect(en[1]).toMatch(/^opening record: bids\[1\]\.price is not valid: /);
  });

  it('says the same in Chinese, with the same field', () => {
    const raw = goodRules();
    raw.items = [...(raw.items ?? []), { id: 'x1', group: 'nowhere', name: 'Lost', max: 5, kind: 'subjective' }];
    expect(problemsOf(raw)).toEqual([{ zh: 'items[4].group：没有分组 nowhere', en: 'items[4].group: there is no group nowhere' }]);
  });

  it('does not crash on junk', () => {
    for (const junk of [null, 42, 'rules', [], { method: 'comprehensive', items: 'x' }]) expect(checkEvaluationRules(junk).ok).toBe(false);
  });
});

describe('rulesFromCriteria', () => {
  it('makes the degenerate rules of a plain criteria project', () => {
    const rules = rulesFromCriteria([
      { id: 'tech', name: 'Tech', max: 50 },
      { id: 'price', name: 'Price', max: 30 },
    ]);
    expect(rules.method).toBe('comprehensive');
    expect(rules.preliminary).toEqual([]);
    expect(rules.price).toBeNull();
    expect(rules.groups).toEqual([{ id: 'all', name: '评分项' }]);
    expect(rules.items).toEqual([
      { id: 'tech', group: 'all', name: 'Tech', description: '', max: 50, kind: 'subjective', tiers: [] },
      { id: 'price', group: 'all', name: 'Price', description: '', max: 30, kind: 'subjective', tiers: [] },
    ]);
    // What the schema would make of it: the same (so booth and central hash the same rules).
    expect(evaluationRulesSchema.parse(rules)).toEqual(rules);
    expect(checkEvaluationRules(rules)).toEqual({ ok: true, rules });
  });
});

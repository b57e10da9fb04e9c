/**
 * The checks of a rule set as a whole (evaluation-rules.ts holds the shapes), pure: what a centre
 * publishing a project learns at once, every problem in one answer, each in Chinese and English and
 * naming the field (`items[3].options[1]`) so it can be found in project.json.
 *
 * Shape problems (zod) come first; the checks that need the whole rule set run once the shape parses:
 * - ids unique among preliminary items, groups and scoring items; every item's group exists;
 * - an objective item's options lie in 0 … max and include max;
 * - a subjective item's tiers lie in 0 … max, have min ≤ max, distinct labels, and do not overlap
 *   (tiers that touch, 优 8–10 / 良 6–8, are common practice and allowed: a score on the shared bound
 *   belongs to either, the expert's chosen tier decides);
 * - the price rule's group exists and holds no typed item (its points are computed);
 * - comprehensive: at least one scoring item, and total points (items' maxima + price points) > 0;
 *   lowest_price: no scoring items and no price rule (bids are ranked by evaluated price);
 * - with the opening record given: every bid valid and its code unique; a price rule needs a bid.
 */
import type { z } from 'zod';
import { type MessagePair, messagePair, withEnglishDetail } from '../i18n/bilingual.ts';
import { translate } from '../i18n/messages.ts';
import { type EvaluationRules, type OpeningBid, evaluationRulesSchema, committeeSettingsSchema, openingBidSchema } from './evaluation-rules.ts';

export type RulesCheck = { ok: true; rules: EvaluationRules } | { ok: false; problems: MessagePair[] };

/** `items[3].options[1]` from a zod path. */
function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out === '' ? '(rules)' : out;
}

function schemaProblems(error: z.ZodError, key: 'committee.rules.schema' | 'committee.rules.bidSchema', prefix: readonly PropertyKey[] = []): MessagePair[] {
  return error.issues.map((issue) => withEnglishDetail(messagePair(key, { field: fieldOf([...prefix, ...issue.path]) }), issue.message));
}

/** Sum of the scoring items' maxima plus the price points: what a bid can get at most. */
export function totalPoints(rules: EvaluationRules): number {
  // Counted in thousandths so 0.1 + 0.2 stays 0.3 (the schema's points have at most a few decimals).
  let milli = 0;
  for (const item of rules.items) milli += Math.round(item.max * 1000);
  if (rules.price !== null) milli += Math.round(rules.price.points * 1000);
  return milli / 1000;
}

function duplicates(list: readonly { id: string }[], field: string, problems: MessagePair[]): void {
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    if (seen.has(entry.id)) problems.push(messagePair('committee.rules.duplicateId', { field: `${field}[${i}].id`, id: entry.id }));
    seen.add(entry.id);
  });
}

function itemProblems(rules: EvaluationRules, problems: MessagePair[]): void {
  const groups = new Set(rules.groups.map((g) => g.id));
  rules.items.forEach((item, i) => {
    const field = `items[${i}]`;
    if (!groups.has(item.group)) problems.push(messagePair('committee.rules.unknownGroup', { field: `${field}.group`, group: item.group }));
    if (item.kind === 'objective') {
      item.options.forEach((value, j) => {
        if (value < 0 || value > item.max) {
          problems.push(messagePair('committee.rules.optionOutOfRange', { field: `${field}.options[${j}]`, value, max: item.max }));
        }
      });
      if (!item.options.includes(item.max)) problems.push(messagePair('committee.rules.optionsWithoutMax', { field: `${field}.options`, max: item.max }));
      return;
    }
    const labels = new Set<string>();
    item.tiers.forEach((tier, j) => {
      const tierField = `${field}.tiers[${j}]`;
      const params = { field: tierField, label: tier.label, min: tier.min, max: tier.max };
      if (tier.min > tier.max) problems.push(messagePair('committee.rules.tierInverted', params));
      if (tier.min < 0 || tier.max > item.max) problems.push(messagePair('committee.rules.tierOutOfRange', { ...params, itemMax: item.max }));
      if (labels.has(tier.label)) problems.push(messagePair('committee.rules.duplicateTier', { field: `${tierField}.label`, label: tier.label }));
      labels.add(tier.label);
      for (let k = 0; k < j; k++) {
        const other = item.tiers[k]!;
        if (tier.min <= tier.max && other.min <= other.max && Math.max(tier.min, other.min) < Math.min(tier.max, other.max)) {
          problems.push(messagePair('committee.rules.tiersOverlap', { field: tierField, label: tier.label, other: other.label }));
        }
      }
    });
  });
}

function methodProblems(rules: EvaluationRules, problems: MessagePair[]): void {
  if (rules.price !== null) {
    const group = rules.price.group;
    if (!rules.groups.some((g) => g.id === group)) problems.push(messagePair('committee.rules.priceGroupUnknown', { field: 'price.group', group }));
    const typed = rules.items.filter((item) => item.group === group).map((item) => item.id);
    if (typed.length > 0) problems.push(messagePair('committee.rules.priceGroupTyped', { field: 'price.group', group, items: typed.join(', ') }));
  }
  if (rules.method === 'comprehensive') {
    if (rules.items.length === 0) problems.push(messagePair('committee.rules.noScoringItems', { field: 'items' }));
    const total = totalPoints(rules);
    if (!(total > 0)) problems.push(messagePair('committee.rules.totalPoints', { field: 'items', total }));
  } else {
    if (rules.items.length > 0) problems.push(messagePair('committee.rules.lowestPriceItems', { field: 'items' }));
    if (rules.price !== null) problems.push(messagePair('committee.rules.lowestPricePrice', { field: 'price' }));
  }
}

function bidProblems(rules: EvaluationRules, bids: readonly unknown[], problems: MessagePair[]): void {
  const codes = new Set<string>();
  bids.forEach((raw, i) => {
    const parsed = openingBidSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...schemaProblems(parsed.error, 'committee.rules.bidSchema', ['bids', i]));
      return;
    }
    if (codes.has(parsed.data.code)) problems.push(messagePair('committee.rules.duplicateBid', { field: `bids[${i}].code`, code: parsed.data.code }));
    codes.add(parsed.data.code);
  });
  if (rules.price !== null && bids.length === 0) problems.push(messagePair('committee.rules.noBids', { field: 'bids' }));
}

/**
 * The rules parsed (defaults filled in) when everything holds; otherwise every problem found. With
 * `bids` (the opening record), the bids are checked against the rules too.
 */
export function checkEvaluationRules(raw: unknown, bids?: readonly OpeningBid[]): RulesCheck {
  const parsed = evaluationRulesSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error, 'committee.rules.schema') };
  const rules = parsed.data;
  const problems: MessagePair[] = [];
  duplicates(rules.preliminary, 'preliminary', problems);
  duplicates(rules.groups, 'groups', problems);
  duplicates(rules.items, 'items', problems);
  itemProblems(rules, problems);
  methodProblems(rules, problems);
  if (bids !== undefined) bidProblems(rules, Array.isArray(bids) ? bids : [], problems);
  return problems.length === 0 ? { ok: true, rules } : { ok: false, problems };
}

/** The group of a plain `criteria` project (its name is data: part of the rules the booths hash). */
export const CRITERIA_GROUP = 'all';

/**
 * The rules of a project that lists only plain `criteria` (material published before issue #13):
 * comprehensive, no preliminary review, one group, every criterion a subjective item without tiers,
 * no computed price (a "价格" criterion stays typed, as it always was), default settings.
 * Ids are kept as the project wrote them, so the booth's stored scores still match; an id outside the
 * rule-id pattern (letters, digits, "_", ".", "-", at most 32) makes rules that evaluationRulesSchema
 * would refuse, which the central's checks report.
 */
export function rulesFromCriteria(criteria: readonly { id: string; name: string; max: number }[]): EvaluationRules {
  return {
    method: 'comprehensive',
    preliminary: [],
    groups: [{ id: CRITERIA_GROUP, name: translate('zh-CN', 'committee.rules.criteriaGroup') }],
    items: criteria.map((c) => ({ id: c.id, group: CRITERIA_GROUP, name: c.name, description: '', max: c.max, kind: 'subjective' as const, tiers: [] })),
    price: null,
    settings: committeeSettingsSchema.parse({}),
  };
}

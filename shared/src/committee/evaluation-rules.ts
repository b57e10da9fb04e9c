/**
 * A project's evaluation method and rules (评标办法), as data: what the booths show and check, what
 * the central aggregates. Shapes only; the checks that need the whole rule set (ids unique, tiers
 * inside the item's range, the price group's points, …) are in rules-check.ts, and the degenerate
 * case of a project that still lists plain `criteria` is `rulesFromCriteria` there.
 *
 * Two methods (docs/REVIEW.md):
 * - `comprehensive` (综合评分法): preliminary review (pass/fail), then every expert scores every bid
 *   that passed on every scoring item; the price item's points are computed from the opening record
 *   by the named formula, never typed; the committee's score of a bid is the mean of the experts'
 *   totals (optionally trimmed) plus its price score.
 * - `lowest_price` (经评审的最低投标价法): preliminary review (pass/fail), then the bids that passed are
 *   ranked by evaluated price (the opening record's `evaluatedPrice`, or the bid price); no points.
 */
import { z } from 'zod';

export const EVALUATION_METHODS = ['comprehensive', 'lowest_price'] as const;
export type EvaluationMethod = (typeof EVALUATION_METHODS)[number];

const ruleId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, 'an id of letters, digits, "_", "." or "-" (at most 32)');
const points = z.number().min(0).max(1000);

/** 资格性审查 (qualification: licences, credit, …) or 符合性审查 (conformity: bond, validity, signature, …). */
export const PRELIMINARY_KINDS = ['qualification', 'conformity'] as const;
export const preliminaryItemSchema = z
  .object({
    id: ruleId,
    name: z.string().trim().min(1).max(80),
    kind: z.enum(PRELIMINARY_KINDS),
    /** What the expert checks, shown beside the pass/fail buttons. */
    description: z.string().trim().max(500).default(''),
  })
  .strict();
export type PreliminaryItem = z.infer<typeof preliminaryItemSchema>;

/** 技术 / 商务 / 价格 …: items are shown and summed by group. */
export const scoringGroupSchema = z.object({ id: ruleId, name: z.string().trim().min(1).max(40) }).strict();
export type ScoringGroup = z.infer<typeof scoringGroupSchema>;

/** A subjective item's tier (优/良/中/差): a score given in this tier lies in [min, max]. */
export const tierSchema = z.object({ label: z.string().trim().min(1).max(8), min: points, max: points }).strict();
export type Tier = z.infer<typeof tierSchema>;

const itemBase = {
  id: ruleId,
  group: ruleId,
  name: z.string().trim().min(1).max(80),
  /** The rule text the expert reads beside the box (评分标准). */
  description: z.string().trim().max(1000).default(''),
  max: z.number().positive().max(1000),
};

/**
 * Objective (客观分): the rule fixes the points (e.g. "ISO 9001 certificate: 2 points, else 0"); every
 * expert must give the same score; `options` lists the only scores allowed (0 and max at least).
 */
export const objectiveItemSchema = z.object({ ...itemBase, kind: z.literal('objective'), options: z.array(points).min(1).max(20) }).strict();
/** Subjective (主观分): any score from 0 to max in half points, or inside one of the tiers when given. */
export const subjectiveItemSchema = z.object({ ...itemBase, kind: z.literal('subjective'), tiers: z.array(tierSchema).max(8).default([]) }).strict();
export const scoringItemSchema = z.discriminatedUnion('kind', [objectiveItemSchema, subjectiveItemSchema]);
export type ObjectiveItem = z.infer<typeof objectiveItemSchema>;
export type SubjectiveItem = z.infer<typeof subjectiveItemSchema>;
export type ScoringItem = z.infer<typeof scoringItemSchema>;

/**
 * Named price formulas (price-formulas.ts), each computed from the valid bids' prices:
 * - `lowest_over_bid` (低价优先法, 政府采购 Order 87 art. 55): benchmark = lowest valid price;
 *   score = benchmark / price × points.
 * - `mean_deviation` (平均值基准法, common in engineering): benchmark = mean of the valid prices × (1 −
 *   `downRate`); score = points − `penaltyAbove` per 1 % above the benchmark, − `penaltyBelow` per
 *   1 % below, never below 0.
 */
export const PRICE_FORMULAS = ['lowest_over_bid', 'mean_deviation'] as const;
export type PriceFormula = (typeof PRICE_FORMULAS)[number];
export const priceRuleSchema = z.discriminatedUnion('formula', [
  z.object({ formula: z.literal('lowest_over_bid'), group: ruleId, points: z.number().positive().max(1000) }).strict(),
  z
    .object({
      formula: z.literal('mean_deviation'),
      group: ruleId,
      points: z.number().positive().max(1000),
      /** 下浮率: the benchmark is the mean × (1 − downRate). */
      downRate: z.number().min(0).max(0.5).default(0),
      /** Points lost per 1 % above the benchmark. */
      penaltyAbove: z.number().min(0).max(100).default(1),
      /** Points lost per 1 % below the benchmark. */
      penaltyBelow: z.number().min(0).max(100).default(0.5),
    })
    .strict(),
]);
export type PriceRule = z.infer<typeof priceRuleSchema>;

/** How a committee decides. Defaults are the common practice (docs/REVIEW.md "Settings"). */
export const committeeSettingsSchema = z
  .object({
    /** Who names the chair (组长): the committee by a vote in the booths, or the centre. */
    chair: z.enum(['vote', 'centre']).default('vote'),
    /** How many experts must fail a bid in preliminary review for the committee to reject it. */
    rejection: z.enum(['majority', 'two_thirds', 'unanimous']).default('majority'),
    /** Drop each bid's highest and lowest expert total before the mean (needs ≥ 5 experts). */
    trim: z.enum(['none', 'highest_lowest']).default('none'),
    /** Recommended candidates, ranked (at most three: Regulation on the Bidding Law art. 53). */
    recommend: z.number().int().min(1).max(3).default(3),
    /** An item score is abnormal when |score − mean of the others| > this share of the item's maximum. */
    abnormalShare: z.number().gt(0).max(1).default(0.3),
    /** Decimals of the published scores (2: 87.35). */
    decimals: z.number().int().min(0).max(4).default(2),
  })
  .strict();
export type CommitteeSettings = z.infer<typeof committeeSettingsSchema>;

export const evaluationRulesSchema = z
  .object({
    method: z.enum(EVALUATION_METHODS),
    preliminary: z.array(preliminaryItemSchema).max(60).default([]),
    groups: z.array(scoringGroupSchema).max(12).default([]),
    items: z.array(scoringItemSchema).max(200).default([]),
    price: priceRuleSchema.nullable().default(null),
    settings: committeeSettingsSchema.prefault({}),
  })
  .strict();
export type EvaluationRules = z.infer<typeof evaluationRulesSchema>;
/** The rules as written in project.json (defaults not yet filled in). */
export type EvaluationRulesInput = z.input<typeof evaluationRulesSchema>;

/** One bid of the opening record (开标记录): the bidder's code, the price read out, in yuan. */
export const openingBidSchema = z
  .object({
    code: z.string().min(1).max(16),
    price: z.number().positive().max(1e13),
    /** 经评审的最低投标价法: the price after the adjustments the rules allow; the bid price when absent. */
    evaluatedPrice: z.number().positive().max(1e13).optional(),
  })
  .strict();
export type OpeningBid = z.infer<typeof openingBidSchema>;

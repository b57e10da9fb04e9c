/**
 * The committee's review as the booth's screen sees it (issue #13, docs/REVIEW.md): the stages the
 * project's method has — preliminary review (资格性/符合性审查, pass/fail per bid and item, a reason
 * on every fail, signed), detailed review (the score sheet: booth-session.ts `ScoreSheet`, signed), then
 * the committee's results — with the chair vote and the chair's steps.
 *
 * Privacy: experts by code name only (other members too), bidders by code in blind projects; the
 * results show experts as 评委1…n. Nothing here carries a name.
 */
import { z } from 'zod';
import { committeeBoothPayloadSchema, CHAIR_STEPS, recheckTargetSchema } from '../committee/committee-view.ts';
import { EVALUATION_METHODS, preliminaryItemSchema, scoringGroupSchema, scoringItemSchema, priceRuleSchema, committeeSettingsSchema, openingBidSchema } from '../committee/evaluation-rules.ts';

/**
 * What this expert does now:
 * - `preliminary`: review every bid pass/fail and sign;
 * - `wait_preliminary`: signed; waiting for the other members (and the chair to start the detailed review);
 * - `detailed`: score the bids that passed and sign (also a sheet sent back for re-check);
 * - `wait_results`: signed; waiting for the other members' sheets, or for a re-check elsewhere;
 * - `results`: the committee's results are shown (provisional until confirmed);
 * - `final`: results confirmed.
 */
export const REVIEW_STEPS = ['preliminary', 'wait_preliminary', 'detailed', 'wait_results', 'results', 'final'] as const;
export type ReviewStep = (typeof REVIEW_STEPS)[number];

export const PRELIMINARY_PROBLEMS = ['missing', 'reason_required'] as const;

export const preliminarySheetSchema = z.object({
  status: z.enum(['draft', 'submitted']),
  /** verdicts[bid][item]: pass null = not yet decided. */
  verdicts: z.record(z.string(), z.record(z.string(), z.object({ pass: z.boolean().nullable(), reason: z.string() }))),
  problems: z.array(z.object({ bid: z.string(), item: z.string(), problem: z.enum(PRELIMINARY_PROBLEMS) })),
  savedAt: z.number().nullable(),
  submittedAt: z.number().nullable(),
});
export type PreliminarySheet = z.infer<typeof preliminarySheetSchema>;

export const reviewViewSchema = z.object({
  method: z.enum(EVALUATION_METHODS),
  /** The rules as the expert reads them (descriptions beside every box). */
  rules: z.object({
    preliminary: z.array(preliminaryItemSchema),
    groups: z.array(scoringGroupSchema),
    items: z.array(scoringItemSchema),
    price: priceRuleSchema.nullable(),
    settings: committeeSettingsSchema,
  }),
  /** The opening record, by bid code (blind projects: codes only). */
  bids: z.array(openingBidSchema),
  step: z.enum(REVIEW_STEPS),
  preliminary: preliminarySheetSchema.nullable(),
  /** The committee as the central last told this booth; null: not heard from the central yet. */
  committee: committeeBoothPayloadSchema.nullable(),
  /** This booth's own chair vote (kept locally until the central has it). */
  chairVote: z.string().nullable(),
  isChair: z.boolean(),
  /** Members whose part the current step waits for (code names). */
  waitingFor: z.array(z.string()),
  /** The central is unreachable right now: work goes on, committee steps wait. */
  offline: z.boolean(),
});
export type ReviewView = z.infer<typeof reviewViewSchema>;

export const chairVoteInputSchema = z.object({ candidate: z.string().min(1).max(32) });

export const savePreliminaryInputSchema = z.object({
  bid: z.string().min(1).max(16),
  item: z.string().min(1).max(32),
  /** Null clears the verdict. */
  pass: z.boolean().nullable(),
  /** Required (non-empty) on submit for every fail; undefined keeps the stored reason. */
  reason: z.string().trim().max(500).optional(),
});

export const chairStepInputSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal(CHAIR_STEPS[0]) }),
  z.object({ step: z.literal(CHAIR_STEPS[1]), recheck: recheckTargetSchema }),
  z.object({ step: z.literal(CHAIR_STEPS[2]), resultsSha256: z.string().regex(/^[0-9a-f]{64}$/) }),
]);

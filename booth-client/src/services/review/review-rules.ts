/**
 * The project's review as the booth holds it, pure: which rules, which bids, which items the expert
 * types, and which bids reach the detailed review.
 *
 * - Rules: the material's `rules`; a project published before issue #13 has only `criteria`, and
 *   reviews under `rulesFromCriteria(criteria)` (comprehensive, no preliminary items, every criterion
 *   a subjective item): the booth behaves exactly as it always did.
 * - Bids: the opening record (`bids`) when given, else the bidder codes (codes only, never names).
 * - The typed items: every scoring item except those of the price group (the price score is computed
 *   from the opening record by the central, never typed).
 * - The detailed review's bids: every bid when the rules have no preliminary items (as today); else
 *   the bids the committee passed, from its latest message — unknown (null) until the committee is
 *   past the preliminary review.
 */
import type { ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import type { CommitteeBoothPayload, CommitteeStage } from '@kawei/shared/committee/committee-events.ts';
import { type EvaluationRules, type OpeningBid, type ScoringItem } from '@kawei/shared/committee/evaluation-rules.ts';
import { rulesFromCriteria } from '@kawei/shared/committee/rules-check.ts';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';

export interface ProjectReview {
  rules: EvaluationRules;
  /** True when the material declared its rules; false for plain `criteria` (the degenerate case). */
  declared: boolean;
  /** Every bid by code, in the material's order. */
  bidCodes: string[];
  /** The opening record with prices (empty for a project published before issue #13). */
  openingBids: OpeningBid[];
}

export function projectReview(payload: ProjectBoothPayload): ProjectReview {
  const declared = payload.rules !== undefined;
  // Plain criteria are not re-validated as rules: their ids may be longer than a rule id, and such a
  // project must keep working exactly as before.
  const rules = payload.rules ?? rulesFromCriteria(payload.criteria);
  const openingBids = payload.bids ?? [];
  const bidCodes = openingBids.length > 0 ? openingBids.map((b) => b.code) : payload.bidders.map((b) => b.code);
  return { rules, declared, bidCodes, openingBids };
}

/** The items the expert scores (the price group's are computed, not typed). */
export function typedItems(rules: EvaluationRules): ScoringItem[] {
  if (rules.method !== 'comprehensive') return [];
  const priceGroup = rules.price?.group ?? null;
  return rules.items.filter((item) => item.group !== priceGroup);
}

/** An item as the score sheet shows it (the rule text beside the box, options or tiers). */
export function criterionOf(item: ScoringItem): ScoreSheet['criteria'][number] {
  const base = { id: item.id, name: item.name, max: item.max, group: item.group, description: item.description, kind: item.kind };
  if (item.kind === 'objective') return { ...base, options: [...item.options] };
  return item.tiers.length > 0 ? { ...base, tiers: item.tiers.map((t) => ({ ...t })) } : base;
}

/** Stages at which the committee has decided which bids go on to the detailed review. */
export const DETAILED_STAGES: readonly CommitteeStage[] = ['detailed', 'blocked', 'recheck', 'results', 'final'];

/**
 * The bids of the detailed review, or null while the committee has not passed them yet (the sheet
 * then waits). Only bids of the opening record count, in its order.
 */
export function detailedBidders(review: ProjectReview, committee: CommitteeBoothPayload | null): string[] | null {
  if (review.rules.method !== 'comprehensive') return null;
  if (review.rules.preliminary.length === 0) return [...review.bidCodes];
  if (committee === null || !DETAILED_STAGES.includes(committee.stage)) return null;
  const passed = new Set(committee.passed);
  return review.bidCodes.filter((code) => passed.has(code));
}

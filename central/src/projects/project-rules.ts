import type { projectBidderSchema, projectCriterionSchema } from '@kawei/shared/api/booth-roster.ts';
import type { EvaluationRules, OpeningBid } from '@kawei/shared/committee/evaluation-rules.ts';
import { type MessagePair, messagePair } from '@kawei/shared/i18n/bilingual.ts';
import type { z } from 'zod';

/**
 * The parts of a project's material that tie the evaluation rules to the rest (pure): the opening
 * record against the bidder list, and the plain criteria a `project.booth` payload still carries.
 */

type Bidder = z.infer<typeof projectBidderSchema>;
type Criterion = z.infer<typeof projectCriterionSchema>;

/** The longest criterion name the booth payload takes (projectCriterionSchema). */
const CRITERION_NAME_MAX = 64;

/**
 * The opening record (开标记录) against the bidders: every bid names a listed bidder, once; with rules
 * every bidder has a bid (the committee ranks the bids of the record, and a computed price score needs
 * every price). Without rules (plain criteria) the record may be absent; when present it is checked
 * the same way.
 */
export function bidProblems(m: { bidders: readonly Bidder[]; bids: readonly OpeningBid[] | null; rulesGiven: boolean }): MessagePair[] {
  if (m.bids === null) return m.rulesGiven ? [messagePair('projects.material.bidsRequired')] : [];
  const problems: MessagePair[] = [];
  const listed = new Set(m.bidders.map((b) => b.code));
  const seen = new Set<string>();
  for (const bid of m.bids) {
    // With rules, checkEvaluationRules reports a code used twice (the committee's own check).
    if (seen.has(bid.code) && !m.rulesGiven) problems.push(messagePair('projects.material.bidTwice', { code: bid.code }));
    seen.add(bid.code);
    if (!listed.has(bid.code)) problems.push(messagePair('projects.material.bidUnknown', { code: bid.code }));
  }
  for (const b of m.bidders) if (!seen.has(b.code)) problems.push(messagePair('projects.material.bidMissing', { code: b.code }));
  return problems;
}

/**
 * The `criteria` of a project.booth payload for material that gives rules only: one per scoring item
 * (its id, name and maximum), what a booth built before issue #13 would show. A lowest-price project
 * has no scoring items, so none: an older booth then refuses the payload (it needs one) instead of
 * showing a score sheet the method does not have. The rules, not these, are what the review follows.
 */
export function criteriaFromRules(rules: EvaluationRules): Criterion[] {
  return rules.items.map((i) => ({ id: i.id, name: i.name.slice(0, CRITERION_NAME_MAX), max: i.max }));
}

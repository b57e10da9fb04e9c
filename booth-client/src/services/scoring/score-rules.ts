/**
 * The score sheet's rules, pure (no store): which cells block a submission and why, and the totals
 * the signed sheet states.
 *
 * The cell rules are the committee's (shared/src/committee/sheet-rules.ts `cellProblem`), so the
 * booth and the central can never disagree: a score is 0 … the item's maximum; a subjective score in
 * half points, inside one of the item's tiers (and the chosen one) when it has tiers, with a written
 * reason (评分说明) when very high or very low; an objective score one of the rule's options. A
 * project with plain criteria has subjective items without tiers: exactly the rules it always had.
 */
import type { ScoringItem } from '@kawei/shared/committee/evaluation-rules.ts';
import { cellProblem } from '@kawei/shared/committee/sheet-rules.ts';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';

export { isOnStep, noteRequired, NOTE_REQUIRED_AT_OR_ABOVE, NOTE_REQUIRED_AT_OR_BELOW, SCORE_STEP } from '@kawei/shared/committee/sheet-rules.ts';

export type Problem = ScoreSheet['problems'][number];

export interface SheetShape {
  criteria: readonly ScoringItem[];
  bidders: readonly string[];
}

type Cells<T> = Readonly<Record<string, Readonly<Record<string, T>>>>;

/** Cells in bidder-then-criterion order, one problem per cell (the first that applies). */
export function sheetProblems(shape: SheetShape, scores: Cells<number | null>, notes: Cells<string>, tiers: Cells<string> = {}): Problem[] {
  const problems: Problem[] = [];
  for (const bidder of shape.bidders) {
    for (const item of shape.criteria) {
      const problem = cellProblem(item, scores[bidder]?.[item.id] ?? null, notes[bidder]?.[item.id] ?? '', tiers[bidder]?.[item.id] ?? null);
      if (problem !== null) problems.push({ bidder, criterion: item.id, problem });
    }
  }
  return problems;
}

/**
 * Each bid's total of the typed items, as the signed sheet states it (the central checks it: a sum
 * error is a re-check reason). Counted in half points, so the sum is exact.
 */
export function sheetTotals(criteria: readonly ScoringItem[], bidders: readonly string[], scores: Cells<number | null>): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const bidder of bidders) {
    let halves = 0;
    for (const item of criteria) halves += Math.round((scores[bidder]?.[item.id] ?? 0) * 2);
    totals[bidder] = halves / 2;
  }
  return totals;
}

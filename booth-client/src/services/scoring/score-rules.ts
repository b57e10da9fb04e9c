/**
 * The score sheet's rules, pure (no store): which cells block a submission and why.
 *
 * - A score is 0 … the criterion's maximum, in steps of 0.5 (the step is also enforced on input).
 * - A very high or very low score needs a written reason (评分说明): the expert must say why a bidder
 *   gets (nearly) everything or (nearly) nothing on a criterion, which is what reviewers of a
 *   disputed evaluation ask first.
 */
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';

/** A score ≥ 90 % of the criterion's maximum needs a note. */
export const NOTE_REQUIRED_AT_OR_ABOVE = 0.9;
/** A score ≤ 20 % of the criterion's maximum needs a note. */
export const NOTE_REQUIRED_AT_OR_BELOW = 0.2;
/** Scores are given in half points. */
export const SCORE_STEP = 0.5;

export type Problem = ScoreSheet['problems'][number];

export interface SheetShape {
  criteria: readonly { id: string; max: number }[];
  bidders: readonly string[];
}

export const isOnStep = (value: number): boolean => Number.isFinite(value) && Math.abs(value / SCORE_STEP - Math.round(value / SCORE_STEP)) < 1e-9;

export function noteRequired(value: number, max: number): boolean {
  return value >= NOTE_REQUIRED_AT_OR_ABOVE * max || value <= NOTE_REQUIRED_AT_OR_BELOW * max;
}

/** Cells in bidder-then-criterion order: missing, out_of_range, or note_required (one problem per cell). */
export function sheetProblems(
  shape: SheetShape,
  scores: Readonly<Record<string, Readonly<Record<string, number | null>>>>,
  notes: Readonly<Record<string, Readonly<Record<string, string>>>>,
): Problem[] {
  const problems: Problem[] = [];
  for (const bidder of shape.bidders) {
    for (const c of shape.criteria) {
      const value = scores[bidder]?.[c.id] ?? null;
      if (value === null) problems.push({ bidder, criterion: c.id, problem: 'missing' });
      else if (value < 0 || value > c.max || !isOnStep(value)) problems.push({ bidder, criterion: c.id, problem: 'out_of_range' });
      else if (noteRequired(value, c.max) && (notes[bidder]?.[c.id] ?? '').trim() === '') {
        problems.push({ bidder, criterion: c.id, problem: 'note_required' });
      }
    }
  }
  return problems;
}

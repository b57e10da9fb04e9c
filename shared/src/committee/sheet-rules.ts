/**
 * The rules of one expert's sheets, pure: the booth checks them as the expert types, the central
 * checks them again on the signed sheet (aggregate.ts). One module so the two can never disagree.
 *
 * Detailed review (one cell = one bid × one scoring item):
 * - subjective: 0 … the item's maximum, in half points; with tiers (优/良/中/差) the score must lie in
 *   one of them, and in the chosen one when the expert chose a tier; a very high (≥ 90 % of the
 *   maximum) or very low (≤ 20 %) score needs a written note (评分说明) — what a reviewer of a
 *   disputed evaluation asks first.
 * - objective: the score must be one of the rule's `options` (the rule fixes the points, so there is
 *   nothing to explain: no note rule).
 * Preliminary review (one cell = one bid × one preliminary item): pass or fail; a fail needs a reason
 * (it becomes the reason of the rejection).
 */
import type { CommitteeSettings, PreliminaryItem, ScoringItem, Tier } from './evaluation-rules.ts';

export type CellProblem = 'missing' | 'out_of_range' | 'note_required' | 'not_an_option' | 'outside_tiers';

/** Subjective scores are given in half points. */
export const SCORE_STEP = 0.5;
/** A subjective score ≥ 90 % of the item's maximum needs a note. */
export const NOTE_REQUIRED_AT_OR_ABOVE = 0.9;
/** A subjective score ≤ 20 % of the item's maximum needs a note. */
export const NOTE_REQUIRED_AT_OR_BELOW = 0.2;

/** Numbers written in the rules (options, tier bounds) are compared with this slack, never with ===. */
const SAME = 1e-9;

export function isOnStep(value: number): boolean {
  const steps = value / SCORE_STEP;
  return Number.isFinite(steps) && Math.abs(steps - Math.round(steps)) < SAME;
}

export function noteRequired(value: number, max: number): boolean {
  return value >= NOTE_REQUIRED_AT_OR_ABOVE * max || value <= NOTE_REQUIRED_AT_OR_BELOW * max;
}

export function inTier(value: number, tier: Tier): boolean {
  return value >= tier.min - SAME && value <= tier.max + SAME;
}

export function isOption(value: number, options: readonly number[]): boolean {
  for (const option of options) if (Math.abs(value - option) < SAME) return true;
  return false;
}

/**
 * The one problem of a cell, the first that applies, or null: missing, then out_of_range (not a
 * finite number in 0 … max; a subjective score off the half-point step), then not_an_option
 * (objective) or outside_tiers (subjective: in no tier, or not in the chosen `tier`, or a chosen
 * label the item does not have), then note_required (subjective only).
 */
export function cellProblem(item: ScoringItem, value: number | null, note: string, tier?: string | null): CellProblem | null {
  if (value === null || value === undefined) return 'missing';
  if (!Number.isFinite(value) || value < 0 || value > item.max) return 'out_of_range';
  if (item.kind === 'objective') return isOption(value, item.options) ? null : 'not_an_option';
  if (!isOnStep(value)) return 'out_of_range';
  if (item.tiers.length > 0) {
    if (tier !== undefined && tier !== null && tier !== '') {
      const chosen = item.tiers.find((t) => t.label === tier);
      if (chosen === undefined || !inTier(value, chosen)) return 'outside_tiers';
    } else if (!item.tiers.some((t) => inTier(value, t))) {
      return 'outside_tiers';
    }
  }
  if (noteRequired(value, item.max) && note.trim() === '') return 'note_required';
  return null;
}

export type PreliminaryVerdicts = Readonly<Record<string, Readonly<Record<string, { pass: boolean | null; reason: string }>>>>;

/** Every unfinished cell of a preliminary review, bid then item in the given orders. */
export function preliminaryProblems(
  items: readonly PreliminaryItem[],
  bids: readonly string[],
  verdicts: PreliminaryVerdicts,
): { bid: string; item: string; problem: 'missing' | 'reason_required' }[] {
  const problems: { bid: string; item: string; problem: 'missing' | 'reason_required' }[] = [];
  for (const bid of bids) {
    const row = Object.hasOwn(verdicts, bid) ? verdicts[bid] : undefined;
    for (const item of items) {
      const verdict = row !== undefined && Object.hasOwn(row, item.id) ? row[item.id] : undefined;
      if (verdict === undefined || verdict.pass === null || verdict.pass === undefined) {
        problems.push({ bid, item: item.id, problem: 'missing' });
      } else if (verdict.pass === false && (verdict.reason ?? '').trim() === '') {
        problems.push({ bid, item: item.id, problem: 'reason_required' });
      }
    }
  }
  return problems;
}

/**
 * Whether the committee rejects a bid that `rejectVotes` of its `members` failed:
 * majority — more than half (3 of 5, 2 of 3, 3 of 4: a tie of 2 of 4 does not reject);
 * two_thirds — at least two thirds (counted in integers: 3 × votes ≥ 2 × members);
 * unanimous — every member. An empty committee rejects nothing.
 */
export function isRejected(rule: CommitteeSettings['rejection'], rejectVotes: number, members: number): boolean {
  if (!(members > 0) || !(rejectVotes > 0)) return false;
  switch (rule) {
    case 'majority':
      return 2 * rejectVotes > members;
    case 'two_thirds':
      return 3 * rejectVotes >= 2 * members;
    case 'unanimous':
      return rejectVotes >= members;
  }
}

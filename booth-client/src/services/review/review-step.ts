/**
 * Where this expert stands in the committee's review, pure: from the booth's own state (its
 * preliminary review, its score sheet) and the committee's last message. The booth decides its own
 * work alone — it never needs the central to go on with it — and the committee's steps wait for the
 * committee (shared/src/contract/booth-review.ts REVIEW_STEPS):
 *
 *   preliminary ──signed──▶ wait_preliminary ──committee: detailed (bids passed)──▶ detailed ──signed──▶ wait_results
 *        ▲ (no preliminary items: straight to detailed)           re-check: revision n+1 ──▶ detailed      │
 *                                                                                     results ◀── committee ┘──▶ final
 *
 * `waitingFor` names (by code name) whom a waiting step waits for: the members who have not done the
 * current stage's part (this booth excluded: its part is signed, perhaps not yet delivered), or the
 * chair when the step is the chair's. Empty when nobody in particular (the central not heard from
 * yet: the view's `offline` says why).
 */
import type { CommitteeBoothPayload } from '@kawei/shared/committee/committee-events.ts';
import type { EvaluationRules } from '@kawei/shared/committee/evaluation-rules.ts';
import type { ReviewStep } from '@kawei/shared/contract/booth-review.ts';

export interface StepInput {
  rules: EvaluationRules;
  /** This booth's code name today. */
  codename: string;
  /** The preliminary review is signed here (true when the rules have no preliminary items). */
  preliminaryDone: boolean;
  /** The committee has told which bids go on to the detailed review (review-rules.ts detailedBidders). */
  detailedOpen: boolean;
  /** This booth's score sheet, when there is one. */
  sheet: { status: 'draft' | 'submitted'; revision: number } | null;
  committee: CommitteeBoothPayload | null;
  /** This booth's own chair vote (kept locally). */
  chairVote: string | null;
}

export interface StepOutput {
  step: ReviewStep;
  waitingFor: string[];
}

const others = (c: CommitteeBoothPayload, me: string): string[] => c.members.filter((m) => !m.done && m.codename !== me).map((m) => m.codename);

/** Whom the chair's absence waits for: the chair, or — while the committee votes — the members yet to vote. */
function chairOrVoters(input: StepInput, c: CommitteeBoothPayload): string[] {
  if (c.chair !== null) return [c.chair];
  if (input.rules.settings.chair !== 'vote') return []; // the centre names the chair
  return c.members.map((m) => m.codename).filter((code) => code !== input.codename || input.chairVote === null);
}

function waitingPreliminary(input: StepInput): string[] {
  const c = input.committee;
  if (c === null) return [];
  if (c.stage === 'preliminary') return others(c, input.codename);
  if (c.stage === 'preliminary_done') return chairOrVoters(input, c);
  return [];
}

function waitingResults(input: StepInput): string[] {
  const c = input.committee;
  if (c === null) return [];
  switch (c.stage) {
    case 'detailed':
    case 'recheck':
      return others(c, input.codename);
    case 'blocked':
      // Aggregation refused: the chair (or the centre) sends a sheet back.
      return c.chair === null ? [] : [c.chair];
    default:
      return [];
  }
}

export function reviewStep(input: StepInput): StepOutput {
  const c = input.committee;
  if (c?.stage === 'final') return { step: 'final', waitingFor: [] };
  const committeeInPreliminary = c === null || c.stage === 'preliminary';
  if (!input.preliminaryDone && committeeInPreliminary) return { step: 'preliminary', waitingFor: [] };

  if (input.rules.method === 'lowest_price') {
    // No points: the bids that passed are ranked by price once the preliminary reviews are in.
    if (c?.stage === 'results') return { step: 'results', waitingFor: c.chair === null ? [] : [c.chair] };
    return { step: 'wait_preliminary', waitingFor: waitingPreliminary(input) };
  }
  if (!input.detailedOpen) return { step: 'wait_preliminary', waitingFor: waitingPreliminary(input) };

  const required = c?.revision ?? 1;
  const sheet = input.sheet;
  if (sheet === null || sheet.status === 'draft' || sheet.revision < required) return { step: 'detailed', waitingFor: [] };
  // Aggregated: provisional until the chair (or the centre) confirms.
  if (c?.stage === 'results') return { step: 'results', waitingFor: c.chair === null ? [] : [c.chair] };
  return { step: 'wait_results', waitingFor: waitingResults(input) };
}

/**
 * What the score sheet follows (scoring/score-sheet.node.ts): the items, the bids, the rules' hash,
 * the signed document's version and the revision the committee asks for. Computed from the project's
 * material and the committee's latest message to this booth; pure apart from the hash.
 */
import type { ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import type { CommitteeBoothPayload, RecheckTarget } from '@kawei/shared/committee/committee-events.ts';
import type { ScoringItem } from '@kawei/shared/committee/evaluation-rules.ts';
import { rulesSha256 } from '@kawei/shared/committee/rules-digest.node.ts';
import { detailedBidders, projectReview, typedItems } from './review-rules.ts';

export interface SheetPlan {
  items: ScoringItem[];
  /** The bids to score ([] while `waiting`). */
  bidders: string[];
  /** The committee has not passed the bids yet (preliminary review under way): nothing to submit. */
  waiting: boolean;
  rulesSha256: string;
  /**
   * 1: a project with plain `criteria` and no committee heard of (the sheet signed exactly as
   * before issue #13); 2: evaluation rules, or a committee reviewing the project (revision, rules'
   * hash, tiers, totals in the signed document).
   */
  documentVersion: 1 | 2;
  /** The revision the committee requires of this booth's sheet (1 until a re-check). */
  revision: number;
  recheck: RecheckTarget | null;
}

export function sheetPlan(payload: ProjectBoothPayload, committee: CommitteeBoothPayload | null): SheetPlan {
  const review = projectReview(payload);
  const bidders = detailedBidders(review, committee);
  return {
    items: typedItems(review.rules),
    bidders: bidders ?? [],
    waiting: bidders === null,
    rulesSha256: rulesSha256(review.rules),
    documentVersion: review.declared || committee !== null ? 2 : 1,
    revision: committee?.revision ?? 1,
    recheck: committee?.recheck ?? null,
  };
}

/**
 * The review's pure rules: which rules a project reviews under (plain criteria included), which bids
 * reach the detailed review, and the step with what it waits for.
 */
import { describe, expect, it } from 'vitest';
import { projectBoothPayloadSchema } from '@kawei/shared/api/booth-roster.ts';
import { detailedBidders, projectReview, typedItems } from '../src/services/review/review-rules.ts';
import { reviewStep, type StepInput } from '../src/services/review/review-step.ts';
import { sheetPlan } from '../src/services/review/sheet-plan.node.ts';
import { CODENAME, projectPayload } from './booth-test-kit.node.ts';
import { committeeMessage, OTHERS, RULES, RULES_SHA256, rulesProject } from './review-fixtures.node.ts';

const rulesMaterial = projectBoothPayloadSchema.parse(rulesProject());
const legacyMaterial = projectBoothPayloadSchema.parse(projectPayload());

describe('the project under review', () => {
  it('a project with plain criteria reviews under rulesFromCriteria: no preliminary, every criterion typed, all bids at once, document version 1', () => {
    const review = projectReview(legacyMaterial);
    expect(review.declared).toBe(false);
    expect(review.rules.preliminary).toEqual([]);
    expect(typedItems(review.rules).map((i) => [i.id, i.max, i.kind])).toEqual([
      ['tech', 50, 'subjective'],
      ['biz', 20, 'subjective'],
      ['price', 30, 'subjective'],
    ]);
    expect(review.bidCodes).toEqual(['A', 'B']);
    expect(review.openingBids).toEqual([]);
    expect(detailedBidders(review, null)).toEqual(['A', 'B']);
    const plan = sheetPlan(legacyMaterial, null);
    expect(plan).toMatchObject({ bidders: ['A', 'B'], waiting: false, documentVersion: 1, revision: 1, recheck: null });
    // A committee reviewing a plain-criteria project: version 2 (revision and rules' hash signed).
    expect(sheetPlan(legacyMaterial, committeeMessage({ stage: 'detailed' })).documentVersion).toBe(2);
  });

  it('a criterion id longer than a rule id still works (plain criteria are not re-validated as rules)', () => {
    const long = projectBoothPayloadSchema.parse(projectPayload({ criteria: [{ id: 'x'.repeat(60), name: '技术', max: 50 }] }));
    expect(sheetPlan(long, null).items.map((i) => i.id)).toEqual(['x'.repeat(60)]);
  });

  it('rules: the price group is computed, not typed; the bids wait for the committee while there are preliminary items', () => {
    const review = projectReview(rulesMaterial);
    expect(review.declared).toBe(true);
    expect(typedItems(review.rules).map((i) => i.id)).toEqual(['iso', 'plan', 'service']);
    expect(review.bidCodes).toEqual(['A', 'B', 'C']);
    expect(detailedBidders(review, null)).toBeNull();
    expect(detailedBidders(review, committeeMessage({ stage: 'preliminary_done', passed: ['A', 'C'] }))).toBeNull();
    expect(detailedBidders(review, committeeMessage({ stage: 'detailed', passed: ['C', 'A', 'Z'] }))).toEqual(['A', 'C']);
    const plan = sheetPlan(rulesMaterial, committeeMessage({ stage: 'recheck', passed: ['A'], revision: 2 }));
    expect(plan).toMatchObject({ bidders: ['A'], waiting: false, documentVersion: 2, revision: 2, rulesSha256: RULES_SHA256 });
    expect(sheetPlan(rulesMaterial, null)).toMatchObject({ bidders: [], waiting: true });
  });
});

describe('the step and what it waits for', () => {
  const base: StepInput = {
    rules: RULES,
    codename: CODENAME,
    preliminaryDone: false,
    detailedOpen: false,
    sheet: { status: 'draft', revision: 1 },
    committee: null,
    chairVote: null,
  };

  it('preliminary until signed, whether or not the central was heard from', () => {
    expect(reviewStep(base)).toEqual({ step: 'preliminary', waitingFor: [] });
    expect(reviewStep({ ...base, committee: committeeMessage({}) }).step).toBe('preliminary');
  });

  it('signed: waits for the members not done (this booth excluded), then for the chair vote, then the chair', () => {
    const signed = { ...base, preliminaryDone: true };
    expect(reviewStep(signed)).toEqual({ step: 'wait_preliminary', waitingFor: [] });
    expect(reviewStep({ ...signed, committee: committeeMessage({ done: [OTHERS[0]] }) })).toEqual({ step: 'wait_preliminary', waitingFor: [OTHERS[1]] });
    const done = committeeMessage({ stage: 'preliminary_done', done: [CODENAME, ...OTHERS] });
    expect(reviewStep({ ...signed, committee: done }).waitingFor).toEqual([CODENAME, ...OTHERS]);
    expect(reviewStep({ ...signed, committee: done, chairVote: OTHERS[0] }).waitingFor).toEqual([...OTHERS]);
    expect(reviewStep({ ...signed, committee: { ...done, chair: OTHERS[1] } }).waitingFor).toEqual([OTHERS[1]]);
  });

  it('detailed once the committee passed the bids; wait_results after signing; detailed again for a re-check; results; final', () => {
    const open = { ...base, preliminaryDone: true, detailedOpen: true };
    const detailed = committeeMessage({ stage: 'detailed', passed: ['A'], done: [OTHERS[0]] });
    expect(reviewStep({ ...open, committee: detailed }).step).toBe('detailed');
    const submitted = { ...open, sheet: { status: 'submitted' as const, revision: 1 } };
    expect(reviewStep({ ...submitted, committee: detailed })).toEqual({ step: 'wait_results', waitingFor: [OTHERS[1]] });
    expect(reviewStep({ ...submitted, committee: { ...detailed, stage: 'blocked', chair: OTHERS[0] } })).toEqual({ step: 'wait_results', waitingFor: [OTHERS[0]] });
    // The committee asks for revision 2 before the booth reopened its sheet: detailed.
    expect(reviewStep({ ...submitted, committee: { ...detailed, stage: 'recheck', revision: 2 } }).step).toBe('detailed');
    expect(reviewStep({ ...submitted, committee: { ...detailed, stage: 'results', chair: OTHERS[0] } })).toEqual({ step: 'results', waitingFor: [OTHERS[0]] });
    expect(reviewStep({ ...base, committee: { ...detailed, stage: 'final' } })).toEqual({ step: 'final', waitingFor: [] });
  });

  it('no preliminary items: straight to detailed; lowest price: no sheet, results after the preliminary', () => {
    const plain = { ...base, rules: { ...RULES, preliminary: [] }, preliminaryDone: true, detailedOpen: true };
    expect(reviewStep(plain).step).toBe('detailed');
    const lowest = { ...base, rules: { ...RULES, method: 'lowest_price' as const }, preliminaryDone: true };
    expect(reviewStep(lowest).step).toBe('wait_preliminary');
    expect(reviewStep({ ...lowest, committee: committeeMessage({ stage: 'results' }) }).step).toBe('results');
  });
});

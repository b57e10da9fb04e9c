import { describe, expect, it } from 'vitest';
import { FAIRNESS_P_MIN, fairnessSummary, measureFairness } from './fairness-measure.ts';

/**
 * Fairness of the draw (issue #4) on the fixed day of fairness-day.ts over 10,000 secrets
 * (fairness-measure.ts says what is measured and how). The test writes nothing: the figures are
 * recorded by `npm run bench -- fairness` in bench/results/fairness.json.
 *
 * The day is feasible and easy, so every draw must succeed. (Until the capacity-aware draw with
 * repair, fdade4e, a greedy draw could paint itself into a corner: 1 seed in 10,000 failed. Infeasible
 * days, and the clear failure they get, are draw-properties.test.ts's.)
 */

const SEEDS = 10_000;

describe('fairness of the draw over 10,000 seeds', () => {
  it('never fails on the feasible day, draws experts of one eligibility class and uses interchangeable booths uniformly', () => {
    const m = measureFairness(SEEDS);
    console.log(fairnessSummary(m));

    expect(m.failures, 'failed draws on a feasible day').toEqual([]);
    expect(m.violations).toBe(0);
    expect(m.day).toEqual({ experts: 60, projects: 8, sites: 2, rooms: 4, booths: 36, seats: 26, alternates: 8 });
    expect(m.experts.df).toBe(15 + 3 + 19 + 9 + 9);
    expect(m.booths.df).toBe(15 + 15 + 3);
    expect(m.experts.p, JSON.stringify(m.expertClasses)).toBeGreaterThan(FAIRNESS_P_MIN);
    expect(m.expertsSeated.p, JSON.stringify(m.expertClassesSeated)).toBeGreaterThan(FAIRNESS_P_MIN);
    expect(m.booths.p, JSON.stringify(m.boothClasses)).toBeGreaterThan(FAIRNESS_P_MIN);
  });
});

import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, exchangeableChiSquare, gammaQ, lnGamma, newTally, recordTrial } from './chi-square.ts';
import { createRng } from './generate-day.ts';

describe('chi-square survival function', () => {
  it('matches the critical values of the tables', () => {
    // [x, df, p] from the standard tables (quantiles computed to full precision)
    const known: [number, number, number][] = [
      [3.841458820694124, 1, 0.05],
      [6.6348966010212145, 1, 0.01],
      [10.827566170662733, 1, 0.001],
      [5.991464547107979, 2, 0.05],
      [7.814727903251178, 3, 0.05],
      [18.307038053275146, 10, 0.05],
      [23.209251158954356, 10, 0.01],
      [124.34211340400407, 100, 0.05],
      [0.454936423119572, 1, 0.5],
      [9.341817765591966, 10, 0.5],
    ];
    for (const [x, df, p] of known) expect(chiSquareSurvival(x, df)).toBeCloseTo(p, 9);
    // scipy.stats.chi2.sf
    expect(chiSquareSurvival(250, 200)).toBeCloseTo(0.009379131668826098, 12);
    expect(chiSquareSurvival(35, 60)).toBeCloseTo(0.9959257796765105, 12);
  });

  it('agrees with the closed forms for even df and with Γ at integers', () => {
    for (const x of [0.1, 1, 2.5, 7, 20, 60]) {
      expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
      expect(chiSquareSurvival(x, 4)).toBeCloseTo(Math.exp(-x / 2) * (1 + x / 2), 12);
    }
    expect(chiSquareSurvival(0, 5)).toBe(1);
    expect(gammaQ(1, 1)).toBeCloseTo(Math.exp(-1), 14);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(lnGamma(171)).toBeCloseTo(706.5730622457874, 8);
  });
});

describe('uniformity within exchangeable classes', () => {
  it('accepts fair k-of-m draws and flags a slight preference for the first unit', () => {
    const rng = createRng(7);
    const trials = 20_000;
    const fair = [newTally(12), newTally(5)];
    const biased = newTally(12);
    for (let t = 0; t < trials; t++) {
      for (const [tally, k] of [
        [fair[0], 1 + rng.int(0, 3)],
        [fair[1], 2],
      ] as const) {
        const picked = new Set(rng.shuffle(Array.from({ length: tally!.counts.length }, (_, i) => i)).slice(0, k));
        recordTrial(tally!, tally!.counts.map((_, i) => picked.has(i)));
      }
      // unit 0 is picked 10 % more often than its share
      const order = rng.shuffle(Array.from({ length: 12 }, (_, i) => i));
      if (rng.chance(0.03) && order.slice(0, 3).indexOf(0) === -1) order.unshift(0);
      const picked = new Set(order.slice(0, 3));
      recordTrial(biased, biased.counts.map((_, i) => picked.has(i)));
    }
    const ok = exchangeableChiSquare(fair);
    expect(ok.df).toBe(11 + 4);
    expect(ok.p).toBeGreaterThan(0.001);
    expect(exchangeableChiSquare([biased]).p).toBeLessThan(1e-6);
  });

  it('is the classical Σ(O−E)²/E for one unit per trial', () => {
    const tally = newTally(4);
    const picks = [0, 1, 2, 3, 0, 0, 1, 2];
    for (const p of picks) recordTrial(tally, [0, 1, 2, 3].map((i) => i === p));
    // O = [3, 2, 2, 1], E = 2 → χ² = (1 + 0 + 0 + 1) / 2 = 1
    expect(exchangeableChiSquare([tally]).chi2).toBeCloseTo(1, 12);
  });
});

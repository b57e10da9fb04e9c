import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriceRule } from '../../src/committee/evaluation-rules.ts';
import { decimalFraction, divRoundHalfUp, fraction, roundedUnits, toNumber } from '../../src/committee/exact-decimal.ts';
import { exactPriceScores, priceScores } from '../../src/committee/price-formulas.ts';

const lowest: PriceRule = { formula: 'lowest_over_bid', group: 'price', points: 30 };
const mean: PriceRule = { formula: 'mean_deviation', group: 'price', points: 30, downRate: 0.05, penaltyAbove: 1, penaltyBelow: 0.5 };

describe('lowest_over_bid', () => {
  it('benchmark / price × points: 100, 125, 200 at 30 points → 30, 24, 15', () => {
    const s = priceScores(lowest, [
      { code: 'A', price: 100 },
      { code: 'B', price: 125 },
      { code: 'C', price: 200 },
    ]);
    expect([...s]).toEqual([
      ['A', 30],
      ['B', 24],
      ['C', 15],
    ]);
  });
  it('is exact on decimals: 1,234,567.89 / 1,500,000 × 30 = 24.6913578 exactly', () => {
    const s = exactPriceScores(lowest, [
      { code: 'A', price: 1234567.89 },
      { code: 'B', price: 1500000 },
    ]);
    expect(s.get('B')).toEqual(fraction(246913578n, 10000000n));
    expect(s.get('A')).toEqual(fraction(30n));
  });
  it('only scores the bids given (the valid ones), and none for none', () => {
    expect(priceScores(lowest, [{ code: 'B', price: 125 }]).get('B')).toBe(30);
    expect(priceScores(lowest, []).size).toBe(0);
  });
  it('property: never above points, the lowest price gets exactly the points', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000_000_000 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 2 }),
        (cents, pointsTenths, scale) => {
          const points = pointsTenths / 10 ** scale;
          if (!(points > 0)) return;
          const bids = cents.map((c, i) => ({ code: `B${i}`, price: c / 100 }));
          const s = priceScores({ formula: 'lowest_over_bid', group: 'p', points }, bids);
          const low = Math.min(...bids.map((b) => b.price));
          for (const b of bids) {
            const v = s.get(b.code) as number;
            expect(v).toBeLessThanOrEqual(points);
            expect(v).toBeGreaterThan(0);
            if (b.price === low) expect(v).toBe(points);
          }
        },
      ),
    );
  });
});

describe('mean_deviation', () => {
  it('hand-computed: 90, 100, 110, down 5 % → benchmark 95; 520/19, 470/19, 270/19', () => {
    const bids = [
      { code: 'A', price: 90 },
      { code: 'B', price: 100 },
      { code: 'C', price: 110 },
    ];
    const exact = exactPriceScores(mean, bids);
    // A: 5/95 = 5.263 % below → 0.5 × 100/19 = 50/19 lost → 30 − 50/19 = 520/19
    expect(exact.get('A')).toEqual(fraction(520n, 19n));
    // B: 5.263 % above → 100/19 lost → 470/19;  C: 15/95 = 15.789 % above → 300/19 lost → 270/19
    expect(exact.get('B')).toEqual(fraction(470n, 19n));
    expect(exact.get('C')).toEqual(fraction(270n, 19n));
    const s = priceScores(mean, bids);
    expect(s.get('A')).toBeCloseTo(27.368421052631579, 12);
    expect(s.get('C')).toBeCloseTo(14.210526315789474, 12);
  });
  it('the benchmark itself gets full points; never below 0', () => {
    const s = priceScores({ ...mean, downRate: 0 }, [
      { code: 'A', price: 10 },
      { code: 'B', price: 100 },
      { code: 'C', price: 1000 },
    ]);
    // mean 370: C is 170 % above → 30 − 170 < 0 → 0; A is 97.3 % below → 30 − 48.6 < 0 → 0
    expect(s.get('C')).toBe(0);
    expect(s.get('A')).toBe(0);
    const one = priceScores({ ...mean, downRate: 0 }, [{ code: 'A', price: 123.45 }]);
    expect(one.get('A')).toBe(30);
  });
  it('property: 0 ≤ score ≤ points', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1e9 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 50 }), (prices, down) => {
        const s = priceScores({ ...mean, downRate: down / 100 }, prices.map((p, i) => ({ code: `B${i}`, price: p })));
        for (const v of s.values()) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(30);
        }
      }),
    );
  });
});

describe('exact decimals', () => {
  it('reads numbers as written, including exponents', () => {
    expect(decimalFraction(0.1)).toEqual(fraction(1n, 10n));
    expect(decimalFraction(1234567.89)).toEqual(fraction(123456789n, 100n));
    expect(decimalFraction(1e21)).toEqual(fraction(10n ** 21n));
    expect(decimalFraction(1.5e-7)).toEqual(fraction(15n, 100000000n));
  });
  it('rounds half up where floats would not: 1.005 → 1.01, 87.345 → 87.35', () => {
    expect(Math.round(1.005 * 100) / 100).toBe(1); // the float trap
    expect(roundedUnits(decimalFraction(1.005), 2)).toBe(101n);
    expect(roundedUnits(decimalFraction(87.345), 2)).toBe(8735n);
    expect(roundedUnits(fraction(1n, 3n), 2)).toBe(33n);
    expect(roundedUnits(fraction(2n, 3n), 0)).toBe(1n);
  });
  it('divides safe integers rounding half up, exactly', () => {
    expect(divRoundHalfUp(5, 2)).toBe(3);
    expect(divRoundHalfUp(7, 2)).toBe(4);
    expect(divRoundHalfUp(4, 3)).toBe(1);
    expect(divRoundHalfUp(2 ** 52 + 1, 2)).toBe(2 ** 51 + 1);
    expect(divRoundHalfUp(-5, 2)).toBe(-3);
  });
  it('converts fractions to the nearest double, also for big ones', () => {
    expect(toNumber(fraction(1n, 10n))).toBe(0.1);
    expect(toNumber(fraction(10n ** 40n + 1n, 10n ** 40n))).toBe(1);
    expect(toNumber(fraction(10n ** 30n, 3n * 10n ** 28n))).toBeCloseTo(100 / 3, 12);
  });
});

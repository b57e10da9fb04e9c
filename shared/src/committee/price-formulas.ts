/**
 * The price score (价格分), computed from the opening record by the rules' named formula, never typed.
 * Pure; the caller passes only the valid bids (those that passed the preliminary review): the
 * benchmark is theirs.
 *
 * - `lowest_over_bid` (低价优先法, government procurement, Order 87 art. 55):
 *     benchmark = the lowest valid price;  score = benchmark / price × points.
 *   The lowest bid gets exactly `points`; every other bid less, in proportion.
 * - `mean_deviation` (平均值基准法, common in engineering tenders):
 *     benchmark = mean of the valid prices × (1 − downRate);
 *     deviation = (price − benchmark) / benchmark × 100   (in percent, signed);
 *     score = points − penaltyAbove × deviation        when above the benchmark,
 *             points − penaltyBelow × (−deviation)     when below,
 *     never below 0. "Per 1 %" is read proportionally (0.5 % above costs half of penaltyAbove), not
 *     in whole-percent steps; a tender that steps by whole percents needs its own formula name.
 *
 * Exact decimals: every price, the points and the formula's parameters are read as the decimals
 * they were written as and the formula is computed on exact fractions (exact-decimal.ts), so
 * `exactPriceScores` is the true value and aggregate.ts rounds it once, half up, to the published
 * decimals. `priceScores` is the same value as the nearest double, for display and for callers that
 * do not publish it; it is never above `points` and the lowest price's is exactly `points`.
 */
import type { PriceRule } from './evaluation-rules.ts';
import { ZERO, add, compare, decimalFraction, div, fraction, mul, sub, toNumber, type Fraction } from './exact-decimal.ts';

export interface PricedBid {
  code: string;
  price: number;
}

const HUNDRED = fraction(100n);
const ONE = fraction(1n);

/** The exact price score of each given bid, by code (a code given twice keeps its last price). */
export function exactPriceScores(rule: PriceRule, bids: readonly PricedBid[]): Map<string, Fraction> {
  const scores = new Map<string, Fraction>();
  if (bids.length === 0) return scores;
  const prices = new Map<string, Fraction>();
  for (const bid of bids) {
    if (!(bid.price > 0) || !Number.isFinite(bid.price)) throw new RangeError(`bid ${bid.code}: a price must be a positive number`);
    prices.set(bid.code, decimalFraction(bid.price));
  }
  const points = decimalFraction(rule.points);
  switch (rule.formula) {
    case 'lowest_over_bid': {
      let lowest: Fraction | null = null;
      for (const price of prices.values()) if (lowest === null || compare(price, lowest) < 0) lowest = price;
      for (const [code, price] of prices) scores.set(code, mul(div(lowest as Fraction, price), points));
      return scores;
    }
    case 'mean_deviation': {
      let sum = ZERO;
      for (const price of prices.values()) sum = add(sum, price);
      const mean = div(sum, fraction(BigInt(prices.size)));
      const benchmark = mul(mean, sub(ONE, decimalFraction(rule.downRate)));
      const above = decimalFraction(rule.penaltyAbove);
      const below = decimalFraction(rule.penaltyBelow);
      for (const [code, price] of prices) {
        const deviation = mul(div(sub(price, benchmark), benchmark), HUNDRED);
        const lost = compare(deviation, ZERO) >= 0 ? mul(above, deviation) : mul(below, sub(ZERO, deviation));
        const score = sub(points, lost);
        scores.set(code, compare(score, ZERO) < 0 ? ZERO : score);
      }
      return scores;
    }
  }
}

/** The price score of each given bid, unrounded (the nearest double to the exact value), by code. */
export function priceScores(rule: PriceRule, bids: readonly PricedBid[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [code, score] of exactPriceScores(rule, bids)) out.set(code, Math.min(rule.points, toNumber(score)));
  return out;
}

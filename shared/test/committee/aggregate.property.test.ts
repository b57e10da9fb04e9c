/**
 * Properties of the aggregation over random committees (fast-check): what must hold whatever the
 * scores, prices and settings. The reference values here are computed independently, on exact
 * fractions, never with the module's own helpers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AggregateInput, type ExpertSheet, aggregate } from '../../src/committee/aggregate.ts';
import { type EvaluationRules, type ScoringItem, committeeSettingsSchema } from '../../src/committee/evaluation-rules.ts';

interface Committee {
  judges: number;
  prices: number[];
  items: { kind: 'subjective' | 'objective'; max: number }[];
  decimals: number;
  trim: boolean;
  priced: boolean;
  /** Small ranges make equal totals (ties) likely. */
  spread: number;
  seed: number;
}

const committeeArb: fc.Arbitrary<Committee> = fc.record({
  judges: fc.integer({ min: 1, max: 9 }),
  prices: fc.array(fc.constantFrom(100, 120, 120, 125.5, 150, 99.99, 1234567.89), { minLength: 1, maxLength: 8 }),
  items: fc.array(fc.record({ kind: fc.constantFrom('subjective' as const, 'objective' as const), max: fc.constantFrom(2, 5, 10, 20) }), { minLength: 1, maxLength: 5 }),
  decimals: fc.integer({ min: 0, max: 4 }),
  trim: fc.boolean(),
  priced: fc.boolean(),
  spread: fc.constantFrom(1, 2, 40),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

/** mulberry32: a small deterministic generator for the scores of one committee. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function build(c: Committee): AggregateInput {
  const items: ScoringItem[] = c.items.map((it, i) =>
    it.kind === 'objective'
      ? { id: `i${i}`, group: 'g', name: `I${i}`, description: '', max: it.max, kind: 'objective', options: [0, it.max / 2, it.max] }
      : { id: `i${i}`, group: 'g', name: `I${i}`, description: '', max: it.max, kind: 'subjective', tiers: [] },
  );
  const rules: EvaluationRules = {
    method: 'comprehensive',
    preliminary: [],
    groups: [
      { id: 'g', name: 'G' },
      { id: 'p', name: 'P' },
    ],
    items,
    price: c.priced ? { formula: 'lowest_over_bid', group: 'p', points: 30 } : null,
    settings: committeeSettingsSchema.parse({ decimals: c.decimals, trim: c.trim ? 'highest_lowest' : 'none', abnormalShare: 1 }),
  };
  const bids = c.prices.map((price, i) => ({ code: `B${i + 1}`, price }));
  const next = random(c.seed);
  const objective = new Map<string, number>();
  const sheets: ExpertSheet[] = [];
  for (let j = 0; j < c.judges; j++) {
    const scores: Record<string, Record<string, number>> = {};
    for (const bid of bids) {
      const row: Record<string, number> = {};
      for (const item of items) {
        if (item.kind === 'objective') {
          const key = `${bid.code}/${item.id}`;
          if (!objective.has(key)) objective.set(key, item.options[Math.floor(next() * item.options.length)] as number);
          row[item.id] = objective.get(key) as number;
        } else {
          const steps = Math.min(item.max * 2, c.spread);
          row[item.id] = (item.max * 2 - Math.floor(next() * (steps + 1))) / 2;
        }
      }
      scores[bid.code] = row;
    }
    sheets.push({ judge: `E${j + 1}`, scores });
  }
  return { rules, bids, passed: bids.map((b) => b.code), sheets };
}

// ── exact references (BigInt fractions, written out here) ──────────────────────────────────────

/** x as an exact decimal: [numerator, 10^scale]. */
function exact(x: number): [bigint, bigint] {
  const [whole, part = ''] = String(x).split('.');
  return [BigInt(`${whole}${part}`), 10n ** BigInt(part.length)];
}

/** |published − num/den| ≤ half a unit of `decimals` (published is a double of a decimal). */
function withinHalfUnit(published: number, num: bigint, den: bigint, decimals: number): boolean {
  const [pn, pd] = exact(published);
  // |pn/pd − num/den| ≤ 1 / (2 × 10^d)  ⇔  2 × 10^d × |pn·den − num·pd| ≤ pd·den
  const diff = pn * den - num * pd;
  return 2n * 10n ** BigInt(decimals) * (diff < 0n ? -diff : diff) <= pd * den;
}

function exactTotals(input: AggregateInput, bid: string): [bigint, bigint][] {
  return [...input.sheets]
    .sort((a, b) => Number(a.judge.slice(1)) - Number(b.judge.slice(1)))
    .map((sheet) => {
      let num = 0n;
      let den = 1n;
      for (const v of Object.values(sheet.scores[bid] ?? {})) {
        const [n, d] = exact(v as number);
        num = num * d + n * den;
        den *= d;
      }
      return [num, den];
    });
}

function shuffled<T>(list: readonly T[], seed: number): T[] {
  const next = random(seed);
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const k = Math.floor(next() * (i + 1));
    [out[i], out[k]] = [out[k] as T, out[i] as T];
  }
  return out;
}

describe('aggregate, properties', () => {
  it('the order of the sheets and of the passed bids does not change the result', () => {
    fc.assert(
      fc.property(committeeArb, fc.integer(), (c, seed) => {
        const input = build(c);
        const again = { ...input, sheets: shuffled(input.sheets, seed), passed: shuffled(input.passed, seed + 1), bids: shuffled(input.bids, seed + 2) };
        expect(aggregate(again)).toEqual(aggregate(input));
      }),
    );
  });

  it('is never blocked on valid sheets, and abnormal flags never block', () => {
    fc.assert(
      fc.property(committeeArb, (c) => {
        const result = aggregate(build(c));
        expect(result.blocked).toBe(false);
        expect(result.rows).toHaveLength(c.prices.length);
      }),
    );
  });

  it('the expert score is the mean of the totals, with exactly the highest and the lowest dropped when trimming (≥ 5 judges), within half a unit', () => {
    fc.assert(
      fc.property(committeeArb, (c) => {
        const input = build(c);
        const result = aggregate(input);
        for (const row of result.rows) {
          const totals = exactTotals(input, row.bid);
          // all totals share a denominator of 2 (half points): compare numerators after scaling
          const scaled = totals.map(([n, d]) => (n * 2n) / d).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          const kept = c.trim && c.judges >= 5 ? scaled.slice(1, -1) : scaled;
          const sum = kept.reduce((a, b) => a + b, 0n);
          expect(withinHalfUnit(row.expertScore as number, sum, 2n * BigInt(kept.length), c.decimals), `${row.bid} ${row.expertScore}`).toBe(true);
          totals.forEach(([n, d], j) => expect(withinHalfUnit(row.totals[j] as number, n, d, c.decimals)).toBe(true));
        }
      }),
    );
  });

  it('the price score is within half a unit of benchmark / price × points, never above the points; the lowest price gets the points', () => {
    fc.assert(
      fc.property(committeeArb, (c) => {
        c.priced = true;
        const input = build(c);
        const low = Math.min(...c.prices);
        const [ln, ld] = exact(low);
        for (const row of aggregate(input).rows) {
          const [pn, pd] = exact(row.price);
          // low / price × 30 = ln·pd·30 / (ld·pn)
          expect(withinHalfUnit(row.priceScore as number, ln * pd * 30n, ld * pn, c.decimals)).toBe(true);
          expect(row.priceScore as number).toBeLessThanOrEqual(30);
          if (row.price === low) expect(row.priceScore).toBe(30);
          expect(row.score).toBeCloseTo((row.expertScore as number) + (row.priceScore as number), 9);
        }
      }),
    );
  });

  it('ranks by (score desc, price asc): a total order; equal on both = same rank and tied; ranks count the better rows', () => {
    fc.assert(
      fc.property(committeeArb, (c) => {
        const { rows } = aggregate(build(c));
        const better = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
          (a.score as number) > (b.score as number) || (a.score === b.score && a.price < b.price);
        for (const row of rows) {
          expect(row.rank).toBe(1 + rows.filter((other) => better(other, row)).length);
          const equals = rows.filter((other) => other !== row && other.score === row.score && other.price === row.price);
          expect(row.tied).toBe(equals.length > 0);
          for (const other of equals) expect(other.rank).toBe(row.rank);
          expect(row.recommended).toBe(row.rank <= 3);
        }
        for (let i = 1; i < rows.length; i++) {
          const [a, b] = [rows[i - 1]!, rows[i]!];
          expect(better(b, a)).toBe(false);
          expect(a.rank <= b.rank).toBe(true);
          if (a.rank === b.rank) expect(a.bid < b.bid || a.bid.length < b.bid.length).toBe(true);
        }
      }),
    );
  });

  it('an objective item changed on one sheet blocks, naming the bid and the item', () => {
    fc.assert(
      fc.property(committeeArb, fc.nat(), (c, pick) => {
        if (c.judges < 2 || !c.items.some((it) => it.kind === 'objective')) return;
        const input = build(c);
        const item = input.rules.items.find((it) => it.kind === 'objective') as ScoringItem & { kind: 'objective' };
        const bid = input.bids[pick % input.bids.length]!.code;
        const sheet = input.sheets[pick % input.sheets.length]!;
        const current = sheet.scores[bid]![item.id] as number;
        const other = item.options.find((o) => o !== current) as number;
        const changed = input.sheets.map((s) => (s === sheet ? { ...s, scores: { ...s.scores, [bid]: { ...s.scores[bid], [item.id]: other } } } : s));
        const result = aggregate({ ...input, sheets: changed });
        expect(result.blocked).toBe(true);
        expect(result.rows).toEqual([]);
        expect(result.flags.some((f) => f.kind === 'objective_mismatch' && f.bid === bid && f.item === item.id)).toBe(true);
      }),
    );
  });
});

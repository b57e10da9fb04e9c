/**
 * The aggregation half of `npm run bench -- committee` (bench/committee.bench.ts times these):
 *
 * - `makeCommitteeDay(projects, experts, bids, items, seed)` (or one object of those): a deterministic day of committees,
 *   each with a realistic rule set (`items` typed scoring items: every fifth objective with fixed
 *   options, the rest subjective, every third of those with 优/良/中/差 tiers; a computed price score
 *   by lowest_over_bid; trimming on; two decimals), an opening record of `bids` prices in yuan and
 *   fen, every bid passed, and `experts` complete, valid sheets (objective items agree; subjective
 *   scores spread around a bid's quality so a few abnormal scores appear, as on a real day).
 * - `aggregateAll(inputs)`: shared/src/committee/aggregate.ts over every committee: every cell
 *   checked, flags, trimmed means, exact rounding, price scores, ranks.
 * - `plainLoopBaseline(inputs)`: the simplest thing that could be called an aggregation, in the same
 *   run: nested loops summing each expert's item scores per bid, the mean of the totals, a sort; no
 *   checks, no flags, no rounding, no price score, no ties.
 */
import { type AggregateInput, type AggregateResult, type ExpertSheet, aggregate } from '../shared/src/committee/aggregate.ts';
import { type EvaluationRules, type ScoringItem, committeeSettingsSchema } from '../shared/src/committee/evaluation-rules.ts';

/** mulberry32: small, fast, deterministic. */
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

function dayRules(items: number): EvaluationRules {
  const scoring: ScoringItem[] = [];
  for (let i = 0; i < items; i++) {
    const max = [2, 3, 5, 8, 10][i % 5] as number;
    const group = i < items / 2 ? 'tech' : 'biz';
    if (i % 5 === 4) {
      scoring.push({ id: `i${i + 1}`, group, name: `Item ${i + 1}`, description: '', max, kind: 'objective', options: [0, max / 2, max] });
    } else if (i % 3 === 0) {
      const tiers = [
        { label: 'A', min: max * 0.8, max },
        { label: 'B', min: max * 0.6, max: max * 0.8 },
        { label: 'C', min: max * 0.3, max: max * 0.6 },
        { label: 'D', min: 0, max: max * 0.3 },
      ];
      scoring.push({ id: `i${i + 1}`, group, name: `Item ${i + 1}`, description: '', max, kind: 'subjective', tiers });
    } else {
      scoring.push({ id: `i${i + 1}`, group, name: `Item ${i + 1}`, description: '', max, kind: 'subjective', tiers: [] });
    }
  }
  return {
    method: 'comprehensive',
    preliminary: [],
    groups: [
      { id: 'tech', name: 'Technical' },
      { id: 'biz', name: 'Business' },
      { id: 'price', name: 'Price' },
    ],
    items: scoring,
    price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
    settings: committeeSettingsSchema.parse({ trim: 'highest_lowest', decimals: 2 }),
  };
}

/** A score on the half-point grid near `quality` × max, kept in 0 … max. */
function subjectiveScore(next: () => number, max: number, quality: number): number {
  const raw = (quality + (next() - 0.5) * 0.3) * max;
  return Math.min(max, Math.max(0, Math.round(raw * 2) / 2));
}

export interface CommitteeDayShape {
  projects: number;
  experts: number;
  bids: number;
  items: number;
  seed?: number;
}

/** `makeCommitteeDay(300, 9, 20, 30, seed)` or `makeCommitteeDay({ projects: 300, experts: 9, bids: 20, items: 30, seed })`. */
export function makeCommitteeDay(shape: CommitteeDayShape): AggregateInput[];
export function makeCommitteeDay(projects: number, experts: number, bids: number, items: number, seed?: number): AggregateInput[];
export function makeCommitteeDay(first: number | CommitteeDayShape, ...rest: (number | undefined)[]): AggregateInput[] {
  const shape: CommitteeDayShape =
    typeof first === 'number' ? { projects: first, experts: rest[0] ?? 9, bids: rest[1] ?? 20, items: rest[2] ?? 30, seed: rest[3] } : first;
  return generateDay(shape.projects, shape.experts, shape.bids, shape.items, shape.seed ?? 1);
}

function generateDay(projects: number, experts: number, bids: number, items: number, seed: number): AggregateInput[] {
  const next = random(seed);
  const rules = dayRules(items);
  const day: AggregateInput[] = [];
  for (let p = 0; p < projects; p++) {
    const opening = Array.from({ length: bids }, (_, b) => ({ code: `B${String(b + 1).padStart(2, '0')}`, price: Math.round((800_000 + next() * 400_000) * 100) / 100 }));
    const quality = opening.map(() => 0.45 + next() * 0.5);
    const objective = opening.map(() => rules.items.map((item) => (item.kind === 'objective' ? (item.options[Math.floor(next() * item.options.length)] as number) : 0)));
    const sheets: ExpertSheet[] = [];
    for (let e = 0; e < experts; e++) {
      const scores: Record<string, Record<string, number>> = {};
      opening.forEach((bid, b) => {
        const row: Record<string, number> = {};
        rules.items.forEach((item, i) => {
          // a tiered score lands in some tier: the tiers here cover 0 … max without gaps
          row[item.id] = item.kind === 'objective' ? (objective[b]?.[i] as number) : subjectiveScore(next, item.max, quality[b] as number);
        });
        scores[bid.code] = row;
      });
      sheets.push({ judge: `E${e + 1}`, scores });
    }
    day.push({ rules, bids: opening, passed: opening.map((b) => b.code), sheets });
  }
  return day;
}

export function aggregateAll(inputs: readonly AggregateInput[]): AggregateResult[] {
  return inputs.map((input) => aggregate(input));
}

export function plainLoopBaseline(inputs: readonly AggregateInput[]): { bid: string; mean: number }[][] {
  return inputs.map((input) => {
    const out: { bid: string; mean: number }[] = [];
    for (const bid of input.passed) {
      let sum = 0;
      for (const sheet of input.sheets) {
        const row = sheet.scores[bid] ?? {};
        for (const item of input.rules.items) sum += row[item.id] ?? 0;
      }
      out.push({ bid, mean: sum / input.sheets.length });
    }
    return out.sort((a, b) => b.mean - a.mean);
  });
}

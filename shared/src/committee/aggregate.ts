/**
 * The committee's aggregation (汇总), pure: the experts' signed sheets and the opening record in, the
 * flags and the ranked results out. The booth shows it, the central records it, and anyone holding
 * the archive re-computes it.
 *
 * Comprehensive (综合评分法), for every bid that passed the preliminary review:
 * - each cell (bid × typed item × judge) is checked with the sheet rules (sheet-rules.ts): a missing
 *   cell is a `missing` flag, a value outside 0 … max, off the half-point step, not one of an
 *   objective item's options or in none of a subjective item's tiers an `out_of_range` flag;
 * - an objective item scored differently by the judges is an `objective_mismatch` flag (one per bid
 *   and item, the judges' values in the detail: "各专家打分不一致，无法汇总");
 * - a total the sheet states that is not the sum of its items is a `sum_error` flag (checked once
 *   that judge's cells of the bid are all valid; compared in micro-points);
 * - scores of bids that did not pass, or of items the rules do not have, are ignored;
 * - those four block the aggregation: no rows until a re-check fixes them;
 * - `abnormal_score` (畸高畸低) does not block: a subjective cell whose |score − mean of the other
 *   judges' scores| is more than settings.abnormalShare of the item's maximum, when ≥ 3 judges
 *   scored it; the chair decides whether to send it back;
 * - expert total = the sum of that judge's item scores for the bid (the price group holds no typed
 *   items: rules-check.ts);
 * - expertScore = mean of the judges' totals; with settings.trim = 'highest_lowest' and ≥ 5 judges,
 *   one highest and one lowest total are dropped first;
 * - priceScore = the rules' formula over the passed bids' prices (price-formulas.ts); null without a
 *   price rule;
 * - published numbers (totals, expertScore, priceScore) are rounded half up to settings.decimals,
 *   once, from exact values: scores are summed as integer micro-points, the mean is an exact integer
 *   division, the price score an exact fraction (exact-decimal.ts); score = expertScore + priceScore,
 *   both as published, so every row adds up as printed (round(expertScore + priceScore) of the
 *   published parts is the same number);
 * - rank: score descending, then bid price ascending; equal on both → the same rank (1, 1, 3), tied;
 * - recommended: rank ≤ settings.recommend (a tie on the last place recommends every tied bid: the
 *   committee must then break it, which `tied` shows).
 * Lowest evaluated price (经评审的最低投标价法): the passed bids ranked by evaluatedPrice (the bid price
 * when absent) ascending; equal → the same rank, tied; no points (totals [], scores null).
 *
 * Order never depends on the input's order: judges are sorted by code name (numbers inside a code
 * name compare as numbers: 评委2 before 评委10), bids likewise; flags come bid, item, judge.
 * A judge given twice is a caller's error (the central keeps one current sheet per member): thrown.
 */
import { type MessagePair, messagePair, messagePairBy } from '../i18n/bilingual.ts';
import type { ResultRow } from './committee-events.ts';
import type { EvaluationRules, OpeningBid, ScoringItem } from './evaluation-rules.ts';
import { MICRO, divRoundHalfUp, roundedUnits, toMicro, unitsToNumber } from './exact-decimal.ts';
import { exactPriceScores } from './price-formulas.ts';
import { cellProblem } from './sheet-rules.ts';

export interface ExpertSheet {
  /** The judge's code name. */
  judge: string;
  /** scores[bid][item] */
  scores: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  /** Totals the sheet itself states, by bid, if any. */
  totals?: Readonly<Record<string, number>>;
}

export interface AggregateInput {
  rules: EvaluationRules;
  /** The whole opening record. */
  bids: readonly OpeningBid[];
  /** Bid codes reaching detailed review. */
  passed: readonly string[];
  sheets: readonly ExpertSheet[];
}

export type FlagKind = 'objective_mismatch' | 'out_of_range' | 'sum_error' | 'abnormal_score' | 'missing';
export interface Flag {
  kind: FlagKind;
  bid: string | null;
  item: string | null;
  judge: string | null;
  blocking: boolean;
  detail: MessagePair;
}

export interface AggregateResult {
  /** Any blocking flag (objective_mismatch, out_of_range, sum_error, missing): no rows then. */
  blocked: boolean;
  /** abnormal_score is not blocking (the chair decides a re-check). */
  flags: Flag[];
  /** Code names, sorted: the order of ResultRow.totals. */
  judges: string[];
  /** Sorted by rank then bid; [] when blocked. */
  rows: ResultRow[];
}

/** Code units, except that runs of digits compare as numbers ("A2" < "A10"). */
export function compareCodes(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i] as string;
    const y = rb[i] as string;
    if (x === y) continue;
    const xd = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const yd = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (xd && yd) {
      const xs = x.replace(/^0+(?=\d)/, '');
      const ys = y.replace(/^0+(?=\d)/, '');
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ra.length !== rb.length) return ra.length - rb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const BLOCKING: Readonly<Record<FlagKind, boolean>> = {
  objective_mismatch: true,
  out_of_range: true,
  sum_error: true,
  missing: true,
  abnormal_score: false,
};

function flag(kind: FlagKind, bid: string | null, item: string | null, judge: string | null, detail: MessagePair): Flag {
  return { kind, bid, item, judge, blocking: BLOCKING[kind], detail };
}

const own = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  record !== undefined && record !== null && typeof record === 'object' && Object.hasOwn(record, key) ? record[key] : undefined;

/** Percent with at most one decimal, for the abnormal flag's detail. */
const percent = (share: number): string => String(Math.round(share * 1000) / 10);

function cellFlag(problem: 'missing' | 'out_of_range' | 'not_an_option' | 'outside_tiers', item: ScoringItem, bid: string, judge: string, value: unknown): Flag {
  const base = { judge, bid, item: item.id };
  switch (problem) {
    case 'missing':
      return flag('missing', bid, item.id, judge, messagePair('committee.flag.missing', base));
    case 'out_of_range':
      return flag('out_of_range', bid, item.id, judge, messagePair('committee.flag.outOfRange', { ...base, value: String(value), max: item.max }));
    case 'not_an_option':
      return flag(
        'out_of_range',
        bid,
        item.id,
        judge,
        messagePair('committee.flag.notAnOption', { ...base, value: String(value), options: item.kind === 'objective' ? item.options.join(' / ') : '' }),
      );
    case 'outside_tiers':
      return flag(
        'out_of_range',
        bid,
        item.id,
        judge,
        messagePair('committee.flag.outsideTiers', {
          ...base,
          value: String(value),
          tiers: item.kind === 'subjective' ? item.tiers.map((t) => `${t.label} ${t.min}–${t.max}`).join(' / ') : '',
        }),
      );
  }
}

interface BidSums {
  bid: OpeningBid;
  /** Micro-points, in judges' order. */
  totals: number[];
}

/** Flags of every cell, objective mismatches, abnormal scores and stated totals; the totals of each bid. */
function scoreBids(rules: EvaluationRules, bids: readonly OpeningBid[], judges: readonly ExpertSheet[], flags: Flag[]): BidSums[] {
  const items = rules.items.filter((item) => rules.price === null || item.group !== rules.price.group);
  const n = judges.length;
  const micro = new Float64Array(n);
  const valid = new Uint8Array(n);
  const share = rules.settings.abnormalShare;
  const complete = new Uint8Array(n);
  const out: BidSums[] = [];
  for (const bid of bids) {
    const rows = judges.map((sheet) => own(sheet.scores, bid.code));
    const totals = new Array<number>(n).fill(0);
    complete.fill(1);
    for (const item of items) {
      let count = 0;
      let sum = 0;
      for (let j = 0; j < n; j++) {
        // Rows are own properties (checked above); Object.prototype holds no number, so an inherited
        // name (toString, constructor) reads as missing without an Object.hasOwn per cell.
        const row = rows[j];
        const raw = row === undefined || row === null || typeof row !== 'object' ? undefined : (row as Record<string, unknown>)[item.id];
        const value = typeof raw === 'number' ? raw : null;
        const problem = cellProblem(item, value, 'note not needed here', null);
        if (problem !== null && problem !== 'note_required') {
          flags.push(cellFlag(problem, item, bid.code, (judges[j] as ExpertSheet).judge, raw ?? null));
          valid[j] = 0;
          complete[j] = 0;
          continue;
        }
        const m = Math.round((value as number) * MICRO); // toMicro, inlined: the hot loop
        micro[j] = m;
        valid[j] = 1;
        totals[j] = (totals[j] as number) + m;
        sum += m;
        count += 1;
      }
      if (item.kind === 'objective') {
        let first = -1;
        let differs = false;
        for (let j = 0; j < n; j++) {
          if (valid[j] !== 1) continue;
          if (first < 0) first = micro[j] as number;
          else if (micro[j] !== first) differs = true;
        }
        if (differs) {
          const entries: [string, number][] = [];
          for (let j = 0; j < n; j++) if (valid[j] === 1) entries.push([(judges[j] as ExpertSheet).judge, (micro[j] as number) / MICRO]);
          flags.push(
            flag(
              'objective_mismatch',
              bid.code,
              item.id,
              null,
              messagePairBy('committee.flag.objectiveMismatch', (lang) => ({
                item: item.id,
                bid: bid.code,
                values: entries.map(([judge, v]) => (lang === 'en' ? `${judge}: ${v}` : `${judge}：${v}`)).join(lang === 'en' ? ', ' : '，'),
              })),
            ),
          );
        }
      } else if (count >= 3) {
        // |m − (sum − m)/(k − 1)| > share × max  ⇔  |m(k − 1) − (sum − m)| > share × max × (k − 1), in integers.
        const limit = Math.round(share * item.max * MICRO) * (count - 1);
        for (let j = 0; j < n; j++) {
          if (valid[j] !== 1) continue;
          const m = micro[j] as number;
          const gap = Math.abs(m * (count - 1) - (sum - m));
          if (gap > limit) {
            const others = (sum - m) / (count - 1) / MICRO;
            flags.push(
              flag(
                'abnormal_score',
                bid.code,
                item.id,
                (judges[j] as ExpertSheet).judge,
                messagePair('committee.flag.abnormal', {
                  judge: (judges[j] as ExpertSheet).judge,
                  bid: bid.code,
                  item: item.id,
                  value: m / MICRO,
                  others: Math.round(others * 100) / 100,
                  share: percent(gap / (count - 1) / MICRO / item.max),
                  limit: percent(share),
                }),
              ),
            );
          }
        }
      }
    }
    for (let j = 0; j < n; j++) {
      const sheet = judges[j] as ExpertSheet;
      const stated = own(sheet.totals, bid.code);
      if (stated === undefined || complete[j] !== 1) continue;
      if (typeof stated !== 'number' || !Number.isFinite(stated) || toMicro(stated) !== totals[j]) {
        flags.push(
          flag('sum_error', bid.code, null, sheet.judge, messagePair('committee.flag.sumError', { judge: sheet.judge, bid: bid.code, stated: String(stated), sum: (totals[j] as number) / MICRO })),
        );
      }
    }
    out.push({ bid, totals });
  }
  return out;
}

/** Ranks rows already sorted best first; `same` says whether two neighbours cannot be separated. */
function assignRanks<T>(sorted: T[], same: (a: T, b: T) => boolean): { rank: number; tied: boolean }[] {
  const out = sorted.map(() => ({ rank: 1, tied: false }));
  for (let i = 1; i < sorted.length; i++) {
    if (same(sorted[i - 1] as T, sorted[i] as T)) {
      (out[i] as { rank: number }).rank = (out[i - 1] as { rank: number }).rank;
      (out[i] as { tied: boolean }).tied = true;
      (out[i - 1] as { tied: boolean }).tied = true;
    } else {
      (out[i] as { rank: number }).rank = i + 1;
    }
  }
  return out;
}

function comprehensiveRows(rules: EvaluationRules, sums: readonly BidSums[]): ResultRow[] {
  const d = rules.settings.decimals;
  const perUnit = MICRO / 10 ** d; // micro-points per published unit (d ≤ 4: an integer)
  const prices = rules.price === null ? null : exactPriceScores(rules.price, sums.map((s) => s.bid));
  const trim = rules.settings.trim === 'highest_lowest' && (sums[0]?.totals.length ?? 0) >= 5;
  const scored = sums.map(({ bid, totals }) => {
    let sum = 0;
    let lowest = Infinity;
    let highest = -Infinity;
    for (const t of totals) {
      sum += t;
      if (t < lowest) lowest = t;
      if (t > highest) highest = t;
    }
    const count = trim ? totals.length - 2 : totals.length;
    if (trim) sum -= lowest + highest;
    const expertUnits = divRoundHalfUp(sum, count * perUnit);
    const exactPrice = prices?.get(bid.code);
    const priceUnits = exactPrice === undefined ? null : Number(roundedUnits(exactPrice, d));
    const scoreUnits = expertUnits + (priceUnits ?? 0);
    return { bid, totals, expertUnits, priceUnits, scoreUnits };
  });
  scored.sort((a, b) => b.scoreUnits - a.scoreUnits || a.bid.price - b.bid.price || compareCodes(a.bid.code, b.bid.code));
  const ranks = assignRanks(scored, (a, b) => a.scoreUnits === b.scoreUnits && a.bid.price === b.bid.price);
  return scored.map((s, i) => {
    const { rank, tied } = ranks[i] as { rank: number; tied: boolean };
    return {
      bid: s.bid.code,
      totals: s.totals.map((t) => unitsToNumber(divRoundHalfUp(t, perUnit), d)),
      expertScore: unitsToNumber(s.expertUnits, d),
      priceScore: s.priceUnits === null ? null : unitsToNumber(s.priceUnits, d),
      score: unitsToNumber(s.scoreUnits, d),
      price: s.bid.price,
      evaluatedPrice: s.bid.evaluatedPrice ?? s.bid.price,
      rank,
      tied,
      recommended: rank <= rules.settings.recommend,
    };
  });
}

function lowestPriceRows(rules: EvaluationRules, bids: readonly OpeningBid[]): ResultRow[] {
  const evaluated = (b: OpeningBid) => b.evaluatedPrice ?? b.price;
  const sorted = [...bids].sort((a, b) => evaluated(a) - evaluated(b) || compareCodes(a.code, b.code));
  const ranks = assignRanks(sorted, (a, b) => evaluated(a) === evaluated(b));
  return sorted.map((b, i) => {
    const { rank, tied } = ranks[i] as { rank: number; tied: boolean };
    return {
      bid: b.code,
      totals: [],
      expertScore: null,
      priceScore: null,
      score: null,
      price: b.price,
      evaluatedPrice: evaluated(b),
      rank,
      tied,
      recommended: rank <= rules.settings.recommend,
    };
  });
}

export function aggregate(input: AggregateInput): AggregateResult {
  const { rules } = input;
  const sheets = [...input.sheets].sort((a, b) => compareCodes(a.judge, b.judge));
  for (let i = 1; i < sheets.length; i++) {
    if ((sheets[i] as ExpertSheet).judge === (sheets[i - 1] as ExpertSheet).judge) {
      throw new Error(`aggregate: judge ${(sheets[i] as ExpertSheet).judge} has two sheets`);
    }
  }
  const judges = sheets.map((s) => s.judge);
  const flags: Flag[] = [];

  const opening = new Map<string, OpeningBid>();
  for (const bid of input.bids) opening.set(bid.code, bid);
  const passed: OpeningBid[] = [];
  for (const code of [...new Set(input.passed)].sort(compareCodes)) {
    const bid = opening.get(code);
    if (bid === undefined) flags.push(flag('missing', code, null, null, messagePair('committee.flag.unknownBid', { bid: code })));
    else passed.push(bid);
  }

  let rows: ResultRow[];
  if (rules.method === 'lowest_price') {
    rows = lowestPriceRows(rules, passed);
  } else {
    if (passed.length > 0 && sheets.length === 0) flags.push(flag('missing', null, null, null, messagePair('committee.flag.noSheets')));
    const sums = scoreBids(rules, passed, sheets, flags);
    rows = flags.some((f) => f.blocking) ? [] : comprehensiveRows(rules, sums);
  }
  const blocked = flags.some((f) => f.blocking);
  rows.sort((a, b) => a.rank - b.rank || compareCodes(a.bid, b.bid));
  return { blocked, flags, judges, rows: blocked ? [] : rows };
}

import { checkDrawRules } from '../../src/draw/check-rules.ts';
import { runDraw } from '../../src/draw/run-draw.ts';
import { exchangeableChiSquare, newTally, recordTrial, type ClassTally } from './chi-square.ts';
import { boothClasses, fairnessDay, fairnessSecret } from './fairness-day.ts';

/**
 * Fairness of the draw (issue #4) measured on the fixed day of fairness-day.ts over `seeds` secrets:
 * (a) experts of identical eligibility are drawn equally often, (b) interchangeable booths are used
 * equally often. Both are chi-square goodness-of-fit tests within classes of exchangeable units
 * (chi-square.ts explains the statistic).
 *
 * Pure: it writes nothing. fairness.test.ts asserts on it; bench/fairness.bench.ts records the
 * figures in bench/results/fairness.json (`npm run bench -- fairness`).
 *
 * The day: 60 experts, 8 projects (26 seats, 8 alternates), 2 sites × 2 rooms of 3×3 booths, all
 * enabled, every expert reaching both sites. So the rooms are interchangeable, and within a room the
 * booths are interchangeable under the symmetries of the square: the classes of booths are the 16
 * corners, the 16 edge-middles and the 4 centres. Expert classes: identical specialties and the same
 * projects they may be drawn for (four 造价 experts work for a bidder of P1).
 */

export const FAIRNESS_P_MIN = 0.001;
/** The independent rule checker runs on every CHECK_EVERY-th result (it is slower than the draw). */
const CHECK_EVERY = 500;

export interface ChiSquareFigures {
  chi2: number;
  df: number;
  p: number;
}

export interface ClassFigures extends ChiSquareFigures {
  units: number;
  min: number;
  max: number;
}

export interface FairnessMeasurement {
  seeds: number;
  /** One line per seed whose draw failed, with the projects and reasons: the day is feasible, so none. */
  failures: string[];
  /** Rule violations found by checkDrawRules on the sampled results. */
  violations: number;
  experts: ChiSquareFigures;
  expertsSeated: ChiSquareFigures;
  booths: ChiSquareFigures;
  expertClasses: Record<string, ClassFigures>;
  expertClassesSeated: Record<string, ClassFigures>;
  boothClasses: Record<string, ClassFigures>;
  day: { experts: number; projects: number; sites: number; rooms: number; booths: number; seats: number; alternates: number };
}

const round = (x: number): number => Number(x.toPrecision(6));
const rounded = (s: ChiSquareFigures): ChiSquareFigures => ({ chi2: round(s.chi2), df: s.df, p: round(s.p) });

export function measureFairness(seeds: number): FairnessMeasurement {
  const { day, classes } = fairnessDay();
  const boothsByClass = boothClasses(day);
  const tally = (groups: Map<string, string[]>) => new Map([...groups].map(([name, ids]) => [name, newTally(ids.length)]));
  const drawnTallies = tally(classes);
  const seatedTallies = tally(classes);
  const boothTallies = tally(boothsByClass);
  const record = (tallies: Map<string, ClassTally>, groups: Map<string, string[]>, used: ReadonlySet<string>): void => {
    for (const [name, ids] of groups) recordTrial(tallies.get(name)!, ids.map((id) => used.has(id)));
  };

  let violations = 0;
  const failures: string[] = [];
  for (let i = 0; i < seeds; i++) {
    const outcome = runDraw(day, { secret: fairnessSecret(i) });
    if (!outcome.ok) {
      failures.push(`seed ${i}: ${outcome.failures.map((f) => `${f.project} ${f.reason}: ${f.message}`).join('; ')}`);
      continue;
    }
    const result = outcome.result;
    if (i % CHECK_EVERY === 0) violations += checkDrawRules(day, result).length;
    const seated = new Set(result.draws.flatMap((d) => d.experts));
    const drawn = new Set([...seated, ...result.draws.flatMap((d) => d.alternates)]);
    record(drawnTallies, classes, drawn);
    record(seatedTallies, classes, seated);
    record(boothTallies, boothsByClass, new Set(result.seats.map((s) => `${s.site}/${s.room}/${s.row}/${s.col}`)));
  }

  const perClass = (tallies: Map<string, ClassTally>): Record<string, ClassFigures> =>
    Object.fromEntries(
      [...tallies].map(([name, t]) => [name, { units: t.counts.length, min: Math.min(...t.counts), max: Math.max(...t.counts), ...rounded(exchangeableChiSquare([t])) }]),
    );
  const seats = day.projects.reduce((sum, p) => sum + p.needs.reduce((s, n) => s + n.count, 0), 0);
  const alternates = day.projects.reduce((sum, p) => sum + (p.alternates ?? 0), 0);
  const rooms = day.sites.reduce((sum, s) => sum + s.rooms.length, 0);
  const booths = day.sites.reduce((sum, s) => sum + s.rooms.reduce((r, room) => r + room.rows * room.cols, 0), 0);
  return {
    seeds,
    failures,
    violations,
    experts: rounded(exchangeableChiSquare([...drawnTallies.values()])),
    expertsSeated: rounded(exchangeableChiSquare([...seatedTallies.values()])),
    booths: rounded(exchangeableChiSquare([...boothTallies.values()])),
    expertClasses: perClass(drawnTallies),
    expertClassesSeated: perClass(seatedTallies),
    boothClasses: perClass(boothTallies),
    day: { experts: day.experts.length, projects: day.projects.length, sites: day.sites.length, rooms, booths, seats, alternates },
  };
}

/** One line for a log: the three statistics and the failed draws. */
export function fairnessSummary(m: FairnessMeasurement): string {
  const fig = (s: ChiSquareFigures) => `χ²=${s.chi2} df=${s.df} p=${s.p}`;
  return `fairness over ${m.seeds} seeds: experts ${fig(m.experts)}; seated ${fig(m.expertsSeated)}; booths ${fig(m.booths)}; failed draws ${m.failures.length}`;
}

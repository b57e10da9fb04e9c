import { performance } from 'node:perf_hooks';
import { FAIRNESS_P_MIN, measureFairness } from '../central/test/draw/fairness-measure.ts';
import type { BenchResult } from './bench.ts';

/**
 * Fairness of the draw over 10,000 seeds (central/test/draw/fairness-measure.ts): the figures the
 * fairness test asserts on, recorded here because tests write only to temp folders.
 */
const SEEDS = 10_000;

export async function run(): Promise<BenchResult & { classes: object; day: object }> {
  const started = performance.now();
  const m = measureFairness(SEEDS);
  const seconds = (performance.now() - started) / 1000;
  return {
    metrics: {
      seeds: m.seeds,
      failed_draws: m.failures.length,
      rule_violations: m.violations,
      experts_chi2: m.experts.chi2,
      experts_df: m.experts.df,
      experts_p: m.experts.p,
      experts_seated_chi2: m.expertsSeated.chi2,
      experts_seated_df: m.expertsSeated.df,
      experts_seated_p: m.expertsSeated.p,
      booths_chi2: m.booths.chi2,
      booths_df: m.booths.df,
      booths_p: m.booths.p,
      p_min: FAIRNESS_P_MIN,
      seconds: Math.round(seconds * 10) / 10,
    },
    day: m.day,
    classes: { experts: m.expertClasses, experts_seated: m.expertClassesSeated, booths: m.boothClasses },
    notes:
      'chi-square within classes of exchangeable units: sum over classes of Σ(O−Ō)² / Σ_t K_t(m−K_t)/(m(m−1)), df = Σ(m−1); central/test/draw/chi-square.ts',
  };
}

/**
 * Chi-square p-values for the fairness tests, without a statistics library.
 *
 * chiSquareSurvival(x, df) = P(χ²_df ≥ x) = Q(df/2, x/2), the regularized upper incomplete gamma
 * function: a series for x < a + 1, a continued fraction (modified Lentz) otherwise (Numerical
 * Recipes, 6.2), with ln Γ by the Lanczos approximation (g = 7, 9 terms).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function lnGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - lnGamma(1 - z);
  const x = z - 1;
  let a = LANCZOS[0] as number;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-15;
const MAX_ITER = 10_000;

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), a > 0, x ≥ 0. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || x < 0 || Number.isNaN(x)) throw new RangeError(`gammaQ(${a}, ${x})`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const logPrefix = a * Math.log(x) - x - lnGamma(a);
  if (x < a + 1) {
    // P(a, x) = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITER; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Q(a, x) = e^{-x} x^a / Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …)))
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.min(1, Math.exp(logPrefix) * h);
}

/** P(χ²_df ≥ x). */
export function chiSquareSurvival(x: number, df: number): number {
  if (df <= 0) throw new RangeError(`chi-square needs df > 0, got ${df}`);
  return gammaQ(df / 2, Math.max(0, x) / 2);
}

/**
 * Uniformity within classes of exchangeable units (experts of identical eligibility; booths that
 * are images of each other under the day's symmetries), over N independent trials in which each
 * unit is used (1) or not (0).
 *
 * Per class of m units with totals O_i: Σ (O_i − Ō)² / S, where S = Σ_t K_t (m − K_t) / (m (m − 1))
 * and K_t is the number of the class's units used in trial t. Under exchangeability E[S] is N times
 * the variance of a difference-from-the-class-mean contribution (Var − Cov of the indicators), so the
 * statistic is asymptotically χ²(m − 1) whatever the number drawn per trial (for one unit per trial
 * it is the classical Σ (O − E)² / E). Classes are summed (their centred totals are uncorrelated), and
 * classes with S = 0 (always all or none used) carry no information and are skipped.
 */
export interface ClassTally {
  /** Times each unit of the class was used, over all trials. */
  counts: number[];
  /** Σ over trials of K_t (m − K_t) / (m (m − 1)). */
  within: number;
}

export function newTally(size: number): ClassTally {
  return { counts: new Array<number>(size).fill(0), within: 0 };
}

/** Records one trial: `used[i]` whether unit i of the class was used. */
export function recordTrial(tally: ClassTally, used: readonly boolean[]): void {
  const m = tally.counts.length;
  let k = 0;
  used.forEach((u, i) => {
    if (u) {
      tally.counts[i] = (tally.counts[i] ?? 0) + 1;
      k += 1;
    }
  });
  if (m > 1) tally.within += (k * (m - k)) / (m * (m - 1));
}

export function exchangeableChiSquare(classes: readonly ClassTally[]): { chi2: number; df: number; p: number } {
  let chi2 = 0;
  let df = 0;
  for (const { counts, within } of classes) {
    if (counts.length < 2 || within <= 0) continue;
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    chi2 += counts.reduce((s, o) => s + (o - mean) ** 2, 0) / within;
    df += counts.length - 1;
  }
  return { chi2, df, p: df > 0 ? chiSquareSurvival(chi2, df) : 1 };
}

/**
 * Verification metrics from similarity scores of genuine (same person) and impostor (different people)
 * pairs. A pair is accepted when `score >= threshold`. FAR = impostors accepted / impostors;
 * FRR = genuine rejected / genuine; TAR = 1 − FRR. Pure functions (Node and renderer).
 */

export interface LabelledEmbedding {
  readonly person: string;
  readonly embedding: Float32Array;
}

export interface PairScores {
  genuine: number[];
  impostor: number[];
}

/** Every unordered pair once: n(n−1)/2 pairs, split by whether both belong to the same person. */
export function allPairScores(items: readonly LabelledEmbedding[], similarity: (a: Float32Array, b: Float32Array) => number): PairScores {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i] as LabelledEmbedding;
      const b = items[j] as LabelledEmbedding;
      (a.person === b.person ? genuine : impostor).push(similarity(a.embedding, b.embedding));
    }
  }
  return { genuine, impostor };
}

function requireBoth({ genuine, impostor }: PairScores): void {
  if (genuine.length === 0 || impostor.length === 0) throw new Error('metrics need at least one genuine and one impostor score');
}

/**
 * Area under the ROC curve = P(genuine score > impostor score), ties counting one half
 * (Mann-Whitney U from average ranks, O(n log n)).
 */
export function auc(scores: PairScores): number {
  requireBoth(scores);
  const all = [...scores.genuine.map((s) => ({ s, g: true })), ...scores.impostor.map((s) => ({ s, g: false }))].sort((a, b) => a.s - b.s);
  let rankSumGenuine = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && (all[j] as { s: number }).s === (all[i] as { s: number }).s) j++;
    const averageRank = (i + 1 + j) / 2; // ranks i+1 … j
    for (let k = i; k < j; k++) if ((all[k] as { g: boolean }).g) rankSumGenuine += averageRank;
    i = j;
  }
  const nG = scores.genuine.length;
  const nI = scores.impostor.length;
  return (rankSumGenuine - (nG * (nG + 1)) / 2) / (nG * nI);
}

function fractionAtLeast(sortedAscending: readonly number[], threshold: number): number {
  // first index with value >= threshold
  let lo = 0;
  let hi = sortedAscending.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sortedAscending[mid] as number) < threshold) lo = mid + 1;
    else hi = mid;
  }
  return (sortedAscending.length - lo) / sortedAscending.length;
}

/** FAR and TAR when accepting `score >= threshold`. */
export function ratesAt(scores: PairScores, threshold: number): { far: number; tar: number; frr: number } {
  const g = [...scores.genuine].sort((a, b) => a - b);
  const i = [...scores.impostor].sort((a, b) => a - b);
  const tar = fractionAtLeast(g, threshold);
  return { far: fractionAtLeast(i, threshold), tar, frr: 1 - tar };
}

/** The smallest double greater than x (so `score >= justAbove(x)` rejects a score equal to x). */
function justAbove(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

/**
 * The lowest threshold whose FAR on these impostors is ≤ `far`, and the TAR there. With n impostors
 * at most ⌊far·n⌋ may be accepted, so the threshold sits just above the (⌊far·n⌋+1)-th highest
 * impostor score. When far·n < 1 this means "no impostor accepted": the figure is then bounded by the
 * sample size, not measured at that FAR (say so when reporting it).
 */
export function tarAtFar(scores: PairScores, far: number): { tar: number; threshold: number; far: number; falseAcceptsAllowed: number } {
  requireBoth(scores);
  const desc = [...scores.impostor].sort((a, b) => b - a);
  const allowed = Math.floor(far * desc.length + 1e-9);
  if (allowed >= desc.length) return { tar: 1, threshold: -Infinity, far: 1, falseAcceptsAllowed: allowed };
  const threshold = justAbove(desc[allowed] as number);
  const rates = ratesAt(scores, threshold);
  return { tar: rates.tar, threshold, far: rates.far, falseAcceptsAllowed: allowed };
}

/**
 * Equal error rate: sweep the threshold over every score; FAR falls and FRR rises. Where they cross
 * between two adjacent operating points the EER and its threshold are interpolated linearly; where
 * they are equal over an interval of thresholds (e.g. perfect separation, both 0) the threshold is the
 * middle of that interval.
 */
export function eer(scores: PairScores): { eer: number; threshold: number } {
  requireBoth(scores);
  const g = [...scores.genuine].sort((a, b) => a - b);
  const i = [...scores.impostor].sort((a, b) => a - b);
  const thresholds = [...new Set([...g, ...i])].sort((a, b) => a - b);
  let prev = { t: -Infinity, far: 1, frr: 0 };
  for (const t of [...thresholds, Infinity]) {
    const far = t === Infinity ? 0 : fractionAtLeast(i, t);
    const frr = t === Infinity ? 1 : 1 - fractionAtLeast(g, t);
    if (frr >= far) {
      if (frr === far) {
        const lower = Number.isFinite(prev.t) ? prev.t : t;
        return { eer: far, threshold: Number.isFinite(t) ? (lower + t) / 2 : lower };
      }
      // prev: far > frr; here: frr > far. Solve far(α) = frr(α) on the segment.
      const dPrev = prev.far - prev.frr;
      const dHere = far - frr;
      const alpha = dPrev / (dPrev - dHere);
      const value = prev.far + alpha * (far - prev.far);
      const t0 = Number.isFinite(prev.t) ? prev.t : t;
      const t1 = Number.isFinite(t) ? t : t0;
      return { eer: value, threshold: t0 + alpha * (t1 - t0) };
    }
    prev = { t, far, frr };
  }
  return { eer: 0, threshold: prev.t };
}

export interface VerificationReport {
  auc: number;
  eer: number;
  eer_threshold: number;
  'tar_at_far_1e-3': number;
  'tar_at_far_1e-2': number;
  /** Operating threshold reported: the lowest with FAR ≤ 1e-3 on these impostors (see `threshold_rule`). */
  threshold: number;
  threshold_rule: string;
  pairs: number;
  genuine: number;
  impostor: number;
  genuine_min: number;
  impostor_max: number;
}

export function verificationReport(scores: PairScores): VerificationReport {
  const e = eer(scores);
  const at3 = tarAtFar(scores, 1e-3);
  const at2 = tarAtFar(scores, 1e-2);
  return {
    auc: auc(scores),
    eer: e.eer,
    eer_threshold: e.threshold,
    'tar_at_far_1e-3': at3.tar,
    'tar_at_far_1e-2': at2.tar,
    threshold: at3.threshold,
    threshold_rule:
      at3.falseAcceptsAllowed === 0
        ? `FAR ≤ 1e-3: no impostor accepted (${scores.impostor.length} impostor pairs < 1000, so FAR 1e-3 is not resolved)`
        : `FAR ≤ 1e-3: at most ${at3.falseAcceptsAllowed} of ${scores.impostor.length} impostor pairs accepted`,
    pairs: scores.genuine.length + scores.impostor.length,
    genuine: scores.genuine.length,
    impostor: scores.impostor.length,
    genuine_min: Math.min(...scores.genuine),
    impostor_max: Math.max(...scores.impostor),
  };
}

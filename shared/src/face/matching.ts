import type { FaceTemplate, MatchResult, QualityReport } from './face-types.ts';
import { EMBEDDING_SIZE } from './models.ts';

/**
 * 1:1 and 1:N matching of unit-length embeddings by cosine similarity. Pure code: it runs wherever
 * the templates are, which by design is only the trusted Node side (face-template-store.node.ts).
 */

/**
 * Accept a probe when cosine similarity ≥ this. Measured 2026-11-22 (docs/FACE.md, "Thresholds"):
 * `npm run face-eval -- ../shared/data/faces-dev` (8 people × 5 crops, 780 pairs) gives AUC 0.99991,
 * EER 0.0057 at 0.909, highest impostor 0.9152, lowest genuine 0.9085; the 14 demo-photo faces of
 * face-api against those 40 images (560 more impostor pairs) reach 0.924. 0.925 is just above every
 * impostor pair measured (1,260), TAR 0.95 on single dev photos. Re-derived 2026-12-07 on 26 real
 * identities (bench/face-models-compare.node.ts, 43,650 impostor pairs from 325 identity pairs): FAR ≤ 1e-3
 * at 0.928, FAR 0.0016 / TAR 0.930 at 0.925; kept, as one look-alike identity pair decides the difference
 * (docs/FACE.md "Threshold"). Re-derive on ≥ 100 labelled local identities before production.
 */
export const FACE_MATCH_THRESHOLD = 0.925;

/**
 * The quality report used when a caller matches without one (tests, evaluation): it claims nothing
 * was checked beyond one face being present. Production callers pass `assessQuality(...)`'s report.
 */
export const UNCHECKED_QUALITY: QualityReport = { ok: true, score: 1, measures: { faces: 1 } };

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** Cosine similarity, −1…1 (does not assume unit length). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`embedding lengths differ: ${a.length} vs ${b.length}`);
  const d = Math.sqrt(dot(a, a) * dot(b, b));
  return d === 0 ? 0 : dot(a, b) / d;
}

export function normalise(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  if (n === 0 || !Number.isFinite(n)) throw new Error('cannot normalise a zero or non-finite embedding');
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / n;
  return out;
}

/** Unit-length mean of several embeddings of one person (the enrolment template). */
export function meanEmbedding(embeddings: readonly Float32Array[]): Float32Array {
  const first = embeddings[0];
  if (!first) throw new Error('meanEmbedding needs at least one embedding');
  const sum = new Float32Array(first.length);
  for (const e of embeddings) {
    const u = normalise(e);
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (u[i] as number);
  }
  return normalise(sum);
}

function decide(similarity: number, threshold: number, quality: QualityReport, personId?: string): MatchResult {
  const decision = !quality.ok ? 'poor_quality' : similarity >= threshold ? 'match' : 'no_match';
  return personId === undefined ? { decision, similarity, threshold, quality } : { decision, similarity, threshold, personId, quality };
}

/** Is `probe` the person of `template`? A frame that failed its quality check is never a match. */
export function match1to1(
  probe: Float32Array,
  template: FaceTemplate | Float32Array,
  threshold: number = FACE_MATCH_THRESHOLD,
  quality: QualityReport = UNCHECKED_QUALITY,
): MatchResult {
  const embedding = template instanceof Float32Array ? template : template.embedding;
  const personId = template instanceof Float32Array ? undefined : template.personId;
  return decide(cosineSimilarity(probe, embedding), threshold, quality, personId);
}

/**
 * Templates packed for 1:N search: one row-major Float32Array (n × 128) of unit rows, so a search is
 * n dot products over contiguous memory. Build once per gallery (the experts expected today), reuse
 * for every probe.
 */
export class TemplateIndex {
  readonly size: number;
  readonly model: string | undefined;
  private readonly matrix: Float32Array;
  private readonly ids: readonly string[];

  constructor(templates: readonly FaceTemplate[]) {
    this.size = templates.length;
    this.model = templates[0]?.model;
    this.matrix = new Float32Array(templates.length * EMBEDDING_SIZE);
    this.ids = templates.map((t) => t.personId);
    templates.forEach((t, row) => {
      if (t.model !== this.model) throw new Error(`templates of different models cannot be searched together: ${t.model} vs ${this.model}`);
      if (t.embedding.length !== EMBEDDING_SIZE) throw new Error(`template ${t.personId}: embedding has ${t.embedding.length} values`);
      this.matrix.set(normalise(t.embedding), row * EMBEDDING_SIZE);
    });
  }

  /** The best-scoring template: its row, id and cosine similarity (−Infinity when empty). */
  best(probe: Float32Array): { row: number; personId: string | undefined; similarity: number } {
    const p = normalise(probe);
    const m = this.matrix;
    let bestRow = -1;
    let bestScore = -Infinity;
    for (let row = 0, base = 0; row < this.size; row++, base += EMBEDDING_SIZE) {
      let s = 0;
      for (let k = 0; k < EMBEDDING_SIZE; k++) s += (m[base + k] as number) * (p[k] as number);
      if (s > bestScore) {
        bestScore = s;
        bestRow = row;
      }
    }
    return { row: bestRow, personId: this.ids[bestRow], similarity: bestScore };
  }
}

/**
 * Who among `templates` is `probe`? Returns the best candidate (also when below the threshold, for
 * logs) and the decision. Pass a prebuilt TemplateIndex when searching the same gallery repeatedly.
 */
export function search1toN(
  probe: Float32Array,
  templates: TemplateIndex | readonly FaceTemplate[],
  threshold: number = FACE_MATCH_THRESHOLD,
  quality: QualityReport = UNCHECKED_QUALITY,
): MatchResult {
  const index = templates instanceof TemplateIndex ? templates : new TemplateIndex(templates);
  if (index.size === 0) return { decision: quality.ok ? 'no_match' : 'poor_quality', similarity: -1, threshold, quality };
  const best = index.best(probe);
  return decide(best.similarity, threshold, quality, best.personId);
}

import { describe, expect, it } from 'vitest';
import type { FaceTemplate } from '../../src/face/face-types.ts';
import { cosineSimilarity, FACE_MATCH_THRESHOLD, match1to1, meanEmbedding, normalise, search1toN, TemplateIndex } from '../../src/face/matching.ts';

/** Deterministic pseudo-random unit vectors (xorshift), so no test depends on Math.random. */
function randomUnit(seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const v = new Float32Array(128);
  for (let i = 0; i < 128; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    v[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return normalise(v);
}
const template = (personId: string, embedding: Float32Array, model = 'm'): FaceTemplate => ({ personId, embedding, quality: 1, model });

describe('matching', () => {
  it('cosine similarity: 1 for the same direction, −1 opposite, scale-free', () => {
    const a = randomUnit(1);
    expect(cosineSimilarity(a, a)).toBeCloseTo(1, 6);
    expect(cosineSimilarity(a, a.map((x) => -3 * x))).toBeCloseTo(-1, 6);
    expect(() => cosineSimilarity(a, new Float32Array(3))).toThrow(/lengths/);
  });

  it('1:1 decides against the threshold and honours a failed quality report', () => {
    const a = randomUnit(2);
    expect(match1to1(a, template('p', a)).decision).toBe('match');
    expect(match1to1(a, template('p', a)).personId).toBe('p');
    expect(match1to1(a, randomUnit(3)).decision).toBe('no_match');
    const poor = { ok: false, reason: 'blurry' as const, score: 0.2, measures: { faces: 1 } };
    expect(match1to1(a, a, FACE_MATCH_THRESHOLD, poor).decision).toBe('poor_quality');
  });

  it('1:N finds the right template among 10,000 and reports the best candidate below the threshold', () => {
    const gallery = Array.from({ length: 10_000 }, (_, i) => template(`p${i}`, randomUnit(i + 10)));
    const index = new TemplateIndex(gallery);
    const probe = normalise(randomUnit(4321 + 10).map((x, i) => x + 0.02 * ((randomUnit(99)[i] as number) - 0)));
    const hit = search1toN(probe, index);
    expect(hit).toMatchObject({ decision: 'match', personId: 'p4321' });
    const miss = search1toN(randomUnit(777_777), index);
    expect(miss.decision).toBe('no_match');
    expect(miss.personId).toMatch(/^p\d+$/);
    expect(search1toN(probe, []).decision).toBe('no_match');
  });

  it('refuses to search templates of different models together', () => {
    expect(() => new TemplateIndex([template('a', randomUnit(1), 'm1'), template('b', randomUnit(2), 'm2')])).toThrow(/different models/);
  });

  it('the mean of several embeddings is unit length and close to each', () => {
    const base = randomUnit(5);
    const noisy = [6, 7, 8].map((s) => normalise(base.map((x, i) => x + 0.05 * (randomUnit(s)[i] as number))));
    const mean = meanEmbedding(noisy);
    expect(Math.hypot(...mean)).toBeCloseTo(1, 5);
    expect(cosineSimilarity(mean, base)).toBeGreaterThan(Math.max(...noisy.map((n) => cosineSimilarity(n, base))) - 1e-3);
  });
});

import { describe, expect, it } from 'vitest';
import { allPairScores, auc, eer, ratesAt, tarAtFar, verificationReport } from '../../src/face/metrics.ts';

describe('verification metrics on hand-made scores', () => {
  const separated = { genuine: [0.9, 0.8, 0.7], impostor: [0.1, 0.2, 0.3] };
  const overlapping = { genuine: [0.4, 0.6, 0.8, 0.9], impostor: [0.1, 0.2, 0.5, 0.7] };

  it('AUC: 1 when separated, the Mann-Whitney fraction otherwise, ties count half', () => {
    expect(auc(separated)).toBe(1);
    // pairs genuine > impostor: 0.4→2, 0.6→3, 0.8→4, 0.9→4 = 13 of 16
    expect(auc(overlapping)).toBe(13 / 16);
    expect(auc({ genuine: [0.5], impostor: [0.5] })).toBe(0.5);
    expect(auc({ genuine: [0.1], impostor: [0.9] })).toBe(0);
  });

  it('EER: 0 with the threshold between the classes; 0.25 where FAR = FRR', () => {
    expect(eer(separated)).toEqual({ eer: 0, threshold: 0.5 });
    // at 0.6: FAR = 1/4 (0.7), FRR = 1/4 (0.4); equal over (0.5, 0.6]
    const e = eer(overlapping);
    expect(e.eer).toBeCloseTo(0.25, 12);
    expect(e.threshold).toBeCloseTo(0.55, 12);
  });

  it('EER interpolates between operating points when the curves cross between them', () => {
    // at 0.2: FAR 1/3, FRR 0; at 0.3: FAR 1/3, FRR 1/2. The gap FAR − FRR goes 1/3 → −1/6, so it
    // closes 2/3 of the way: EER 1/3 at threshold 0.2 + 2/3 × 0.1.
    const crossing = eer({ genuine: [0.2, 0.9], impostor: [0.1, 0.15, 0.3] });
    expect(crossing.eer).toBeCloseTo(1 / 3, 12);
    expect(crossing.threshold).toBeCloseTo(0.2 + (2 / 3) * 0.1, 12);
  });

  it('TAR at FAR: the threshold sits just above the highest impostor that may not pass', () => {
    const genuine = Array.from({ length: 10 }, (_, i) => 0.5 + i * 0.05); // 0.50 … 0.95
    const impostor = Array.from({ length: 100 }, (_, i) => i / 100); // 0.00 … 0.99
    const s = { genuine, impostor };
    const at1 = tarAtFar(s, 0.01); // one impostor (0.99) may pass
    expect(at1.falseAcceptsAllowed).toBe(1);
    expect(at1.threshold).toBeGreaterThan(0.98);
    expect(at1.threshold).toBeLessThan(0.980001);
    expect(at1.far).toBe(0.01);
    expect(at1.tar).toBe(0);
    const at10 = tarAtFar(s, 0.1); // ten may pass: threshold above 0.89
    expect(at10.far).toBe(0.1);
    expect(at10.tar).toBeCloseTo(0.2, 12); // 0.90 and 0.95 pass
    const none = tarAtFar(separated, 1e-3);
    expect(none.falseAcceptsAllowed).toBe(0);
    expect(none.tar).toBe(1);
    expect(ratesAt(separated, none.threshold).far).toBe(0);
  });

  it('pairs every item once and splits by label', () => {
    const e = (x: number) => new Float32Array([x]);
    const items = [
      { person: 'a', embedding: e(1) },
      { person: 'a', embedding: e(2) },
      { person: 'b', embedding: e(3) },
    ];
    const s = allPairScores(items, (x, y) => (x[0] as number) * (y[0] as number));
    expect(s.genuine).toEqual([2]);
    expect(s.impostor.sort()).toEqual([3, 6]);
    const r = verificationReport({ genuine: [0.9, 0.95], impostor: [0.1, 0.2, 0.3] });
    expect(r).toMatchObject({ auc: 1, eer: 0, pairs: 5, genuine: 2, impostor: 3, 'tar_at_far_1e-3': 1 });
    expect(r.threshold_rule).toMatch(/not resolved/);
  });
});

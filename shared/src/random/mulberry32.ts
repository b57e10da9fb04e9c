/**
 * mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). For reproducible test data, fuzzing and
 * generated demo documents, where a failure must replay from its seed. Never for anything secret or
 * fair (the draw uses its own published procedure, central/src/draw/).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The chaos tests' only source of randomness, so a failing run can be replayed from its seed.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's "Small Fast Counting" generator, 128-bit state, period at
 * least 2^32, passes PractRand to 2^44+ bytes; public domain). Its four 32-bit words are filled from
 * the seed with splitmix32, then 12 outputs are discarded so that nearby seeds diverge. Streams are
 * split by label (`fork('proxy')`, `fork('conn:17')`): a fork's seed is a 32-bit FNV-1a hash of the
 * parent seed and the label, so adding draws to one stream never shifts another.
 *
 * What a seed fixes: every decision sequence (the harness's plan of actions per cycle, the fate drawn
 * for the proxy's n-th connection and its chunks). What it cannot fix: how real processes interleave
 * in time, so a replay draws the same decisions but they may meet slightly different traffic.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    const splitmix32 = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** sfc32 step: a uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p (p ≤ 0 never, p ≥ 1 always; a draw is consumed either way). */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** An independent stream named `label`, derived from this stream's seed (not from its position). */
  fork(label: string): Prng {
    return new Prng(fnv1a32(`${this.seed}:${label}`));
  }
}

/** 32-bit FNV-1a over the UTF-16 code units of `text`. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The seed from KAWEI_CHAOS_SEED (decimal or 0x-hex), else `fallback`. */
export function seedFromEnv(fallback: number, env: Readonly<Record<string, string | undefined>>): number {
  const text = env['KAWEI_CHAOS_SEED'];
  if (text === undefined || text.trim() === '') return fallback >>> 0;
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`KAWEI_CHAOS_SEED must be an integer from 0 to 2^32-1, got "${text}"`);
  }
  return value >>> 0;
}

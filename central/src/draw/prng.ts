import { createHash } from 'node:crypto';

/**
 * The draw's only source of randomness: xoshiro128** (Blackman & Vigna, 2018), a small, fast,
 * published generator, seeded per purpose from the draw seed:
 *
 *   state = first 16 bytes of SHA-256("KAWEI-DRAW-STREAM-V1\n" + seedHex + "\n" + streamName),
 *           read as four little-endian uint32 words
 *
 * Separate streams ("experts", "seats", "codenames", "bidders") keep each decision independent of
 * how many numbers another one used. Integers in [0, n) are drawn by rejection (no modulo bias);
 * shuffles are Fisher–Yates from the last index down. Anyone can re-implement this from the text.
 */
export class DrawRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seedHex: string, stream: string) {
    const bytes = createHash('sha256').update(`KAWEI-DRAW-STREAM-V1\n${seedHex}\n${stream}`, 'utf8').digest();
    this.s0 = bytes.readUInt32LE(0);
    this.s1 = bytes.readUInt32LE(4);
    this.s2 = bytes.readUInt32LE(8);
    this.s3 = bytes.readUInt32LE(12);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the one state xoshiro cannot leave
  }

  /** The next uint32. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** A uniform integer in [0, n), 1 ≤ n ≤ 2³². */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`int(${n})`);
    const limit = 2 ** 32 - (2 ** 32 % n); // largest multiple of n: values at or above it are redrawn
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles in place (Fisher–Yates, i from length−1 down to 1, j = int(i + 1)) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

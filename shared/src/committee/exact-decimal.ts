/**
 * Exact arithmetic for the published numbers, pure. Binary floating point cannot hold 0.1 or a price
 * of 1,234,567.89 yuan exactly, and adding or dividing such numbers drifts (0.1 + 0.2 = 0.30000000000000004):
 * a score rounded from a drifted value can land on the wrong side of a half (87.345 → 87.34). So:
 *
 * - a number taken from the rules or the opening record is read as the decimal it was written as
 *   (`decimalFraction`: the shortest decimal that round-trips, which is what JSON held), into a
 *   fraction of two BigInts;
 * - formulas (price-formulas.ts) compute on those fractions exactly;
 * - rounding to the published decimals is done once, on the exact value, half away from zero
 *   (四舍五入: every value here is ≥ 0, so half up);
 * - experts' scores, which the sheet rules keep to half points or the rule's options, are counted
 *   in integer micro-points (`toMicro`) and summed as safe integers (aggregate.ts).
 */

/** num / den, den > 0, reduced. */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function fraction(num: bigint, den: bigint = 1n): Fraction {
  if (den === 0n) throw new RangeError('fraction with a zero denominator');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

/** The decimal a finite number was written as (String(x) is the shortest round-trip form), exactly. */
export function decimalFraction(x: number): Fraction {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (match === null) throw new RangeError(`unexpected number form: ${x}`);
  const [, sign, whole, part = '', exp = '0'] = match;
  let num = BigInt(`${whole}${part}`);
  if (sign === '-') num = -num;
  const scale = part.length - Number(exp);
  return scale >= 0 ? fraction(num, 10n ** BigInt(scale)) : fraction(num * 10n ** BigInt(-scale));
}

export const add = (a: Fraction, b: Fraction): Fraction => fraction(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Fraction, b: Fraction): Fraction => fraction(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (a: Fraction, b: Fraction): Fraction => fraction(a.num * b.num, a.den * b.den);
export const div = (a: Fraction, b: Fraction): Fraction => fraction(a.num * b.den, a.den * b.num);
/** < 0, 0, > 0 as a < b, a = b, a > b. */
export const compare = (a: Fraction, b: Fraction): number => {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};
export const ZERO: Fraction = { num: 0n, den: 1n };

/** round(a / b) half away from zero, for BigInts (b ≠ 0). */
export function bigDivRound(a: bigint, b: bigint): bigint {
  if (b < 0n) {
    a = -a;
    b = -b;
  }
  const q = (2n * abs(a) + b) / (2n * b);
  return a < 0n ? -q : q;
}

/** The value in units of 10^-decimals, rounded half away from zero: 87.345 at 2 decimals → 8735n. */
export function roundedUnits(value: Fraction, decimals: number): bigint {
  return bigDivRound(value.num * 10n ** BigInt(decimals), value.den);
}

function bitLength(n: bigint): number {
  return abs(n).toString(2).length;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The nearest double (correctly rounded when numerator and denominator are safe integers, which is
 * every value a decimal of the rules yields; otherwise within one unit in the last place).
 */
export function toNumber(f: Fraction): number {
  if (abs(f.num) <= SAFE && f.den <= SAFE) return Number(f.num) / Number(f.den);
  const shift = 64 - (bitLength(f.num) - bitLength(f.den));
  const q = shift >= 0 ? (f.num << BigInt(shift)) / f.den : f.num / (f.den << BigInt(-shift));
  return Number(q) / 2 ** shift;
}

// ── safe-integer helpers for the hot loop (aggregate.ts) ────────────────────────────────────────

/** Experts' scores are summed in micro-points: exact for every score with up to 6 decimals. */
export const MICRO = 1_000_000;
export const toMicro = (score: number): number => Math.round(score * MICRO);

/**
 * round(p / m) half away from zero, for safe integers (m > 0), exactly: the float quotient only
 * guesses, the integer remainder decides.
 */
export function divRoundHalfUp(p: number, m: number): number {
  const negative = p < 0;
  const a = negative ? -p : p;
  let q = Math.floor(a / m);
  let r = a - q * m;
  while (r < 0) {
    q -= 1;
    r += m;
  }
  while (r >= m) {
    q += 1;
    r -= m;
  }
  if (2 * r >= m) q += 1;
  return negative ? -q : q;
}

/** Units of 10^-decimals as the number they stand for (8735, 2 → 87.35, the double nearest 87.35). */
export function unitsToNumber(units: number, decimals: number): number {
  return units / 10 ** decimals;
}

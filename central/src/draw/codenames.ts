import type { DrawRng } from './prng.ts';

/**
 * Code names an announcer can read aloud without confusion: two letters and two digits, "HK-37",
 * from alphabets without 0/O and 1/I (and without L, easily misheard). 23 × 23 × 8 × 8 = 33,856
 * names, drawn without replacement for the day, so they carry nothing of who the expert is.
 */
export const CODENAME_LETTERS = 'ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODENAME_DIGITS = '23456789';
const SPACE = CODENAME_LETTERS.length ** 2 * CODENAME_DIGITS.length ** 2;

export function drawCodenames(count: number, rng: DrawRng): string[] {
  if (count > SPACE / 4) throw new RangeError(`too many code names for one day: ${count}`);
  const used = new Set<number>();
  const names: string[] = [];
  while (names.length < count) {
    const n = rng.int(SPACE);
    if (used.has(n)) continue;
    used.add(n);
    names.push(codenameOf(n));
  }
  return names;
}

function codenameOf(n: number): string {
  const L = CODENAME_LETTERS.length;
  const D = CODENAME_DIGITS.length;
  const d2 = n % D;
  const d1 = Math.floor(n / D) % D;
  const l2 = Math.floor(n / (D * D)) % L;
  const l1 = Math.floor(n / (D * D * L));
  return `${CODENAME_LETTERS[l1]}${CODENAME_LETTERS[l2]}-${CODENAME_DIGITS[d1]}${CODENAME_DIGITS[d2]}`;
}

/**
 * Bidder codes for blind review (暗标): within a project, bidders become "投标人 N" in a random order,
 * so a bidder's code says nothing about its name, its registration order or its id.
 */
export function drawBidderCodes(bidderIds: readonly string[], rng: DrawRng): Record<string, string> {
  const numbers = rng.shuffle(bidderIds.map((_, i) => i + 1));
  const width = String(bidderIds.length).length < 2 ? 2 : String(bidderIds.length).length;
  return Object.fromEntries(bidderIds.map((id, i) => [id, `投标人${String(numbers[i]).padStart(width, '0')}`]));
}

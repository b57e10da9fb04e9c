import { createHash } from 'node:crypto';
import { CODENAME_DIGITS, CODENAME_LETTERS } from '../draw/codenames.ts';

const L = CODENAME_LETTERS.length;
const D = CODENAME_DIGITS.length;
const SPACE = L * L * D * D;

/**
 * The code name of an alternate who replaces a member: not drawn with the day (the draw gave code
 * names to the seated experts only), so derived — deterministically, anyone holding the draw's seed
 * re-derives it — from the seed and the alternate's id, in the alphabet of the day's code names
 * (central/src/draw/codenames.ts), skipping every name already `used` that day.
 */
export function alternateCodename(seed: string, alternate: string, used: ReadonlySet<string>): string {
  for (let attempt = 0; attempt < SPACE; attempt++) {
    const digest = createHash('sha256').update(`KAWEI-ALTERNATE-CODENAME-V1\n${seed}\n${alternate}\n${attempt}`).digest();
    const name = codenameOf(digest.readUInt32BE(0) % SPACE);
    if (!used.has(name)) return name;
  }
  throw new RangeError('no code name left for the day');
}

/** As codenames.ts numbers them: "HK-37". */
function codenameOf(n: number): string {
  const d2 = n % D;
  const d1 = Math.floor(n / D) % D;
  const l2 = Math.floor(n / (D * D)) % L;
  const l1 = Math.floor(n / (D * D * L));
  return `${CODENAME_LETTERS[l1]}${CODENAME_LETTERS[l2]}-${CODENAME_DIGITS[d1]}${CODENAME_DIGITS[d2]}`;
}

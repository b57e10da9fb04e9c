import { expectedBlind, spreadMetrics } from '../../src/draw/check-rules.ts';
import type { DayInput, DrawResult } from '../../src/draw/day-schema.ts';
import type { Witness } from './generate-day.ts';

const LETTERS = 'ABCDEFGHJKMNPQRSTUVWXYZ';
const DIGITS = '23456789';

/**
 * A complete result.json around a generator's planted solution (code names and bidder codes by
 * counting, placeholder hashes): what the checker must accept, and what its own tests mutate.
 */
export function witnessResult(day: DayInput, witness: Witness): DrawResult {
  const seats = witness.seats.map((s, i) => ({
    ...s,
    codename: `${LETTERS[Math.floor(i / (23 * 64)) % 23]}${LETTERS[Math.floor(i / 64) % 23]}-${DIGITS[Math.floor(i / 8) % 8]}${DIGITS[i % 8]}`,
  }));
  return {
    procedure: 'witness',
    date: day.date,
    inputHash: '0'.repeat(64),
    commitment: '0'.repeat(64),
    publicValue: '',
    seed: '0'.repeat(64),
    draws: witness.draws.map((d) => ({ ...d, experts: [...d.experts], alternates: [...d.alternates] })),
    seats,
    blind: expectedBlind(day),
    bidderCodes: Object.fromEntries(
      day.projects.map((p) => [p.id, Object.fromEntries(p.bidders.map((b, i) => [b.id, `投标人${String(i + 1).padStart(2, '0')}`]))]),
    ),
    quality: spreadMetrics({ seats }),
  };
}

import { allocateSeats } from '@kawei/central/draw/allocate-seats.ts';
import { checkDrawRules, spreadMetrics, type RuleViolation, type SpreadMetrics } from '@kawei/central/draw/check-rules.ts';
import { commitmentOf, inputHashOf, seedOf } from '@kawei/central/draw/commitment.ts';
import { dayInputSchema, type DayInput, type DrawFailure, type DrawResult } from '@kawei/central/draw/day-schema.ts';
import { drawExperts, type DrawnProject } from '@kawei/central/draw/draw-experts.ts';
import { DrawRng } from '@kawei/central/draw/prng.ts';
import { witnessResult } from '../../central/test/draw/witness-result.ts';
import type { ModelSeat } from './minizinc-runner.node.ts';

/**
 * One instance of the allocation comparison: a day and the experts drawn for it, so that our
 * allocator and the Gecode model seat the same people. `drawnOf` takes them from runDraw's result;
 * `drawDay` makes runDraw's first draw (same parsing, seed and "experts" stream), for when runDraw
 * fails and there is no result.
 */
export interface DrawnDay {
  input: DayInput;
  seed: string;
  draws: DrawnProject[];
}

export function drawDay(rawDay: DayInput, secret: string, publicValue = ''): { ok: true; day: DrawnDay } | { ok: false; failures: DrawFailure[] } {
  const input = dayInputSchema.parse(rawDay);
  const inputHash = inputHashOf(input);
  const commitment = commitmentOf(inputHash, secret);
  const seed = seedOf(commitment, inputHash, secret, publicValue);
  const drawn = drawExperts(input, new DrawRng(seed, 'experts'));
  if (!drawn.ok) return drawn;
  return { ok: true, day: { input, seed, draws: drawn.draws } };
}

/** The drawn experts of a result.json (runDraw may have repaired its first draw to seat everyone). */
export function drawnOf(rawDay: DayInput, result: DrawResult): DrawnDay {
  return { input: dayInputSchema.parse(rawDay), seed: result.seed, draws: result.draws };
}

/** Our seat allocation alone, one attempt, with the seed's "seats" stream as runDraw starts it. */
export function allocateOurs(day: DrawnDay): ReturnType<typeof allocateSeats> {
  return allocateSeats(day.input, day.draws, new DrawRng(day.seed, 'seats'));
}

/**
 * A seating (ours or the model's) wrapped into a complete result.json (code names and bidder codes
 * by counting, placeholder hashes: central/test/draw/witness-result.ts) and run through the
 * independent checker. `seatViolations` are the seat.* rules: those the seating alone decides.
 */
export function checkSeating(
  day: DrawnDay,
  seats: readonly ModelSeat[],
): { violations: RuleViolation[]; seatViolations: RuleViolation[]; spread: SpreadMetrics } {
  const result = witnessResult(day.input, { draws: day.draws, seats: [...seats] });
  const violations = checkDrawRules(day.input, result);
  return { violations, seatViolations: violations.filter((v) => v.rule.startsWith('seat.')), spread: spreadMetrics(result) };
}

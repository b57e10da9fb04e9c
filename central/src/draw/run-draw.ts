import { allocateSeats, type PlacedSeat, type SeatQuality } from './allocate-seats.ts';
import { drawBidderCodes, drawCodenames } from './codenames.ts';
import { commitmentOf, inputHashOf, PROCEDURE_VERSION, seedOf } from './commitment.ts';
import { dayInputSchema, type DayInput, type DrawFailure, type DrawResult } from './day-schema.ts';
import { drawExperts, type DrawnProject } from './draw-experts.ts';
import { DrawRng } from './prng.ts';

export { PROCEDURE_VERSION };

export interface Reveal {
  /** 64 hex characters, chosen (randomly) before the draw and revealed after it. */
  secret: string;
  /** Entered at draw time by a third party, e.g. a lottery number; '' if none. */
  publicValue?: string;
}

/** Greedy seating gets a few fresh tries before the draw is changed. */
const SEATING_ATTEMPTS = 6;
/** How many times experts who cannot be seated are replaced before the day is declared impossible. */
const MAX_REDRAWS = 200;

/**
 * Draws and seats, repairing the draw when its experts cannot be seated: the seating is retried with
 * fresh randomness; if it still fails, each expert left standing is ruled out for that project and the
 * draw is made again (continuing the same random streams, so the whole loop is deterministic). On a day
 * whose first draw can be seated (nearly every day) this is exactly one draw and one seating.
 */
function drawAndSeat(
  input: DayInput,
  seed: string,
): { ok: true; draws: DrawnProject[]; seats: PlacedSeat[]; quality: SeatQuality } | { ok: false; failures: DrawFailure[] } {
  const expertsRng = new DrawRng(seed, 'experts');
  const seatsRng = new DrawRng(seed, 'seats');
  let lastStuck: string[] = [];
  const repairRng = new DrawRng(seed, 'repair');
  const forbidden = new Set<string>();
  /** Pairs whose exclusion made the draw impossible: never excluded again. */
  const needed = new Set<string>();
  let lastForbidden: string | null = null;
  // The latest seating failure of each project that had one: the real reason if repairs run dry.
  const seatingFailureOf = new Map<string, DrawFailure>();
  for (let round = 0; round <= MAX_REDRAWS; round++) {
    const drawn = drawExperts(input, expertsRng, forbidden);
    if (!drawn.ok && lastForbidden !== null) {
      // That exclusion went too far (the expert is irreplaceable): take it back, pick another.
      forbidden.delete(lastForbidden);
      needed.add(lastForbidden);
      lastForbidden = null;
      if (pickExclusion(lastStuck, forbidden, needed, repairRng)) continue;
    }
    if (!drawn.ok) {
      // Report every failing project: short of experts (unless ruled out for a seating reason), and the
      // seating problems of the projects that were drawn.
      const others = allocateSeats(input, drawn.draws, seatsRng);
      const explained = drawn.failures.map((f) => seatingFailureOf.get(f.project) ?? f);
      return { ok: false, failures: mergeFailures(explained, others.ok ? [] : others.failures) };
    }
    let seating = allocateSeats(input, drawn.draws, seatsRng);
    for (let attempt = 1; !seating.ok && !seating.definite && attempt < SEATING_ATTEMPTS; attempt++) {
      seating = allocateSeats(input, drawn.draws, seatsRng);
    }
    if (seating.ok) return { ok: true, draws: drawn.draws, seats: seating.seats, quality: seating.quality };
    for (const f of seating.failures) seatingFailureOf.set(f.project, f);
    lastStuck = seating.stuck.map((s) => `${s.expert}\u0000${s.project}`);
    lastForbidden = pickExclusion(lastStuck, forbidden, needed, repairRng);
    if (lastForbidden === null) break;
  }
  return { ok: false, failures: mergeFailures([...seatingFailureOf.values()], []) };
}

/**
 * Rules out one of the experts competing for the booths that ran out, chosen at random (so the
 * repair favours no one), never one already found irreplaceable. Returns the pair, or null if none is left.
 */
function pickExclusion(candidates: string[], forbidden: Set<string>, needed: ReadonlySet<string>, rng: DrawRng): string | null {
  const open = candidates.filter((c) => !forbidden.has(c) && !needed.has(c));
  if (open.length === 0) return null;
  const pick = open[rng.int(open.length)]!;
  forbidden.add(pick);
  return pick;
}

/** One entry per failing project; a project short of experts keeps that reason. */
function mergeFailures(first: DrawFailure[], then: DrawFailure[]): DrawFailure[] {
  const out = new Map<string, DrawFailure>();
  for (const f of [...first, ...then]) if (!out.has(f.project)) out.set(f.project, f);
  return [...out.values()].sort((x, y) => (x.project < y.project ? -1 : x.project > y.project ? 1 : 0));
}

export type DrawOutcome = { ok: true; result: DrawResult } | { ok: false; failures: DrawFailure[] };

/** What is published before the draw. */
export function commitmentFor(rawInput: DayInput, secret: string): { inputHash: string; commitment: string } {
  const input = dayInputSchema.parse(rawInput);
  const inputHash = inputHashOf(input);
  return { inputHash, commitment: commitmentOf(inputHash, secret) };
}

/**
 * The whole day's draw, a pure function of (input, secret, public value): the same arguments give
 * the same bytes on any machine. Fails as a whole, naming each failing project and why; never a
 * partial result.
 */
export function runDraw(rawInput: DayInput, reveal: Reveal): DrawOutcome {
  const input = dayInputSchema.parse(rawInput);
  const publicValue = reveal.publicValue ?? '';
  const inputHash = inputHashOf(input);
  const commitment = commitmentOf(inputHash, reveal.secret);
  const seed = seedOf(commitment, inputHash, reveal.secret, publicValue);

  const seated = drawAndSeat(input, seed);
  if (!seated.ok) return { ok: false, failures: seated.failures };
  const { draws } = seated;

  const codenames = drawCodenames(seated.seats.length, new DrawRng(seed, 'codenames'));
  const seats = seated.seats.map((s, i) => ({ ...s, codename: codenames[i]! }));

  const projects = [...input.projects].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const bidderRng = new DrawRng(seed, 'bidders');
  const bidderCodes = Object.fromEntries(
    projects.map((p) => [p.id, drawBidderCodes(p.bidders.map((b) => b.id), bidderRng)]),
  );
  const blind = projects
    .filter((p) => p.blind || (p.category === 'government_procurement' && p.techWeight > 0.4))
    .map((p) => p.id);

  return {
    ok: true,
    result: {
      procedure: PROCEDURE_VERSION,
      date: input.date,
      inputHash,
      commitment,
      publicValue,
      seed,
      draws,
      seats,
      blind,
      bidderCodes,
      quality: seated.quality,
    },
  };
}

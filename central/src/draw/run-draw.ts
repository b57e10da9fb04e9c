import { allocateSeats } from './allocate-seats.ts';
import { drawBidderCodes, drawCodenames } from './codenames.ts';
import { commitmentOf, inputHashOf, PROCEDURE_VERSION, seedOf } from './commitment.ts';
import { dayInputSchema, type DayInput, type DrawFailure, type DrawResult } from './day-schema.ts';
import { drawExperts } from './draw-experts.ts';
import { DrawRng } from './prng.ts';

export { PROCEDURE_VERSION };

export interface Reveal {
  /** 64 hex characters, chosen (randomly) before the draw and revealed after it. */
  secret: string;
  /** Entered at draw time by a third party, e.g. a lottery number; '' if none. */
  publicValue?: string;
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

  const drawn = drawExperts(input, new DrawRng(seed, 'experts'));
  if (!drawn.ok) return drawn;
  const seated = allocateSeats(input, drawn.draws, new DrawRng(seed, 'seats'));
  if (!seated.ok) return seated;

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
      draws: drawn.draws,
      seats,
      blind,
      bidderCodes,
      quality: seated.quality,
    },
  };
}

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { checkDrawRules } from '../../src/draw/check-rules.ts';
import { dayInputSchema, drawFailureSchema, type DayInput, type DrawResult } from '../../src/draw/day-schema.ts';
import { commitmentFor, runDraw, type Reveal } from '../../src/draw/run-draw.ts';
import { verifyDraw } from '../../src/draw/verify.ts';
import { dayMix } from './day-mix.ts';
import { fairnessDay, fairnessSecret } from './fairness-day.ts';
import { createRng, generateDay, generateInfeasibleDay, type GenerateOptions, type InfeasibleKind, type Rng } from './generate-day.ts';

/**
 * Property tests of the day's draw (issue #4) over generated days with fixed seeds. Each case names
 * its generator options, so a failure is reproduced with generateDay(options).
 *
 * Feasible days (a valid draw exists: the generator planted one): the draw succeeds and breaks no
 * rule (checkDrawRules, written independently of the algorithm); the same input, secret and public
 * value give the same bytes; another public value gives another seed and another result; verify
 * accepts the result and refuses it after one byte of the input, of the secret or of the result is
 * changed. Infeasible days: the draw fails as a whole, naming exactly the failing projects and why.
 */

const FEASIBLE_DAYS = 150;
const RANDOM_DAYS = 15;

const secretOf = (label: string): string => createHash('sha256').update(`kawei-draw-test/${label}`).digest('hex');

/** One ASCII letter or digit of `text` changed to another of its kind, keeping what `accept` takes. */
function changeOneByte<T>(text: string, rng: Rng, accept: (changed: string) => T | null): { value: T; at: number } {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const at = rng.int(0, text.length - 1);
    const ch = text[at] ?? '';
    const kind = /[0-9]/.test(ch) ? '0123456789' : /[a-z]/.test(ch) ? 'abcdefghijklmnopqrstuvwxyz' : /[A-Z]/.test(ch) ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : null;
    if (!kind) continue;
    const replacement = kind.replace(ch, '')[rng.int(0, kind.length - 2)] as string;
    const value = accept(`${text.slice(0, at)}${replacement}${text.slice(at + 1)}`);
    if (value !== null) return { value, at };
  }
  throw new Error('no byte could be changed');
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

/** Verification must refuse: a diff, or an input that cannot be drawn. Throwing also refuses. */
function verifyRefuses(input: DayInput, reveal: Reveal, result: unknown): boolean {
  try {
    return !verifyDraw(input, reveal, result).ok;
  } catch {
    return true;
  }
}

function drawOk(day: DayInput, reveal: Reveal, options?: GenerateOptions): DrawResult {
  const outcome = runDraw(day, reveal);
  if (!outcome.ok) {
    const why = outcome.failures.map((f) => `${f.project}: ${f.reason} (${f.message})`).join('; ');
    const which = options ? ` generateDay(${JSON.stringify(options)}), publicValue ${JSON.stringify(reveal.publicValue ?? '')}` : '';
    expect.fail(`the draw failed on a feasible day${which}: ${why}`);
  }
  return outcome.result;
}

describe('the draw on feasible days', () => {
  const days = dayMix(FEASIBLE_DAYS, 4);
  it.each(days)('$name', ({ options }) => {
    const day = generateDay(options);
    expect(dayInputSchema.parse(day)).toEqual(day);
    const rng = createRng(options.seed);
    const reveal = { secret: secretOf(`day-${options.seed}`), publicValue: '' };

    const result = drawOk(day, reveal, options);
    expect(checkDrawRules(day, result)).toEqual([]);
    const published = commitmentFor(day, reveal.secret);
    expect({ inputHash: result.inputHash, commitment: result.commitment }).toEqual(published);

    // Reproducible: same input (a fresh copy), secret and public value → the same bytes.
    const bytes = canonicalJson(result);
    expect(canonicalJson(drawOk(structuredClone(day), { ...reveal }, options))).toBe(bytes);
    expect(verifyDraw(day, reveal, JSON.parse(bytes))).toEqual({ ok: true });

    // A public value entered at draw time changes the seed and the result (and it is still valid).
    const lottery = { ...reveal, publicValue: String(rng.int(10_000, 99_999)) };
    const other = drawOk(day, lottery, options);
    expect(other.seed).not.toBe(result.seed);
    expect(other.commitment).toBe(result.commitment);
    expect(canonicalJson({ draws: other.draws, seats: other.seats })).not.toBe(canonicalJson({ draws: result.draws, seats: result.seats }));
    expect(checkDrawRules(day, other)).toEqual([]);

    // One changed byte of the input, of the secret or of the result: verification refuses.
    const inputText = canonicalJson(day);
    const changedInput = changeOneByte(inputText, rng, (t) => {
      const parsed = dayInputSchema.safeParse(parseJson(t));
      return parsed.success && canonicalJson(parsed.data) !== inputText ? parsed.data : null;
    });
    expect(verifyRefuses(changedInput.value, reveal, result), `input byte ${changedInput.at}`).toBe(true);
    const changedSecret = changeOneByte(reveal.secret, rng, (t) => (/^[0-9a-f]{64}$/.test(t) ? t : null));
    expect(verifyRefuses(day, { ...reveal, secret: changedSecret.value }, result), `secret byte ${changedSecret.at}`).toBe(true);
    for (let i = 0; i < 2; i++) {
      const changedResult = changeOneByte(bytes, rng, parseJson);
      expect(verifyRefuses(day, reveal, changedResult.value), `result byte ${changedResult.at}: ${bytes.slice(changedResult.at - 20, changedResult.at + 20)}`).toBe(true);
    }
  });
});

describe('the draw on an easy day where every expert reaches every booth', () => {
  // The fairness test's day: 26 seats in 36 booths of 4 rooms, no expert limited to a site. A valid
  // seating exists for every draw (each project has at most 5 experts, 4 rooms hold 4 each).
  it.each([5301])('succeeds for the fairness secret %i', (i) => {
    const { day } = fairnessDay();
    const result = drawOk(day, { secret: fairnessSecret(i) });
    expect(checkDrawRules(day, result)).toEqual([]);
  });
});

describe('the draw on days as generated, feasible or not', () => {
  it.each(dayMix(RANDOM_DAYS, 5, false))('$name', ({ options }) => {
    const day = generateDay(options);
    const outcome = runDraw(day, { secret: secretOf(`raw-${options.seed}`) });
    if (outcome.ok) {
      expect(checkDrawRules(day, outcome.result)).toEqual([]);
      return;
    }
    expect(Object.keys(outcome).sort()).toEqual(['failures', 'ok']);
    expect(outcome.failures.length).toBeGreaterThan(0);
    const ids = new Set(day.projects.map((p) => p.id));
    for (const failure of outcome.failures) {
      expect(drawFailureSchema.parse(failure)).toEqual(failure);
      expect(ids.has(failure.project)).toBe(true);
      expect(failure.message.length).toBeGreaterThan(0);
    }
  });
});

describe('the draw on infeasible days', () => {
  const KINDS: InfeasibleKind[] = ['too_few_experts', 'too_few_booths', 'adjacency_impossible'];
  const cases: { name: string; seed: number; kinds: InfeasibleKind[] }[] = [];
  for (let i = 0; i < 24; i++) cases.push({ name: `${KINDS[i % 3]} #${i}`, seed: 7000 + i, kinds: [KINDS[i % 3] as InfeasibleKind] });
  for (let i = 0; i < 6; i++) {
    const kinds = i < 3 ? [KINDS[i % 3]!, KINDS[(i + 1) % 3]!] : [...KINDS];
    cases.push({ name: `${kinds.join(' + ')} #${24 + i}`, seed: 7000 + 24 + i, kinds });
  }

  it.each(cases)('$name (seed $seed)', ({ seed, kinds }) => {
    const rng = createRng(seed);
    const small = rng.chance(0.5);
    const { day, expected } = generateInfeasibleDay(
      {
        experts: small ? rng.int(40, 100) : rng.int(200, 350),
        projects: small ? rng.int(3, 8) : rng.int(20, 40),
        sites: small ? rng.int(3, 5) : rng.int(10, 18),
        roomsPerSite: 2,
        rows: 3,
        cols: 3,
        disabledRate: 0.05,
        specialties: small ? 4 : 10,
        conflictRate: 0.05,
        seed,
        maxFill: 0.6,
      },
      kinds,
    );
    const outcome = runDraw(day, { secret: secretOf(`infeasible-${seed}`), publicValue: '42' });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    // Never a partial result: the outcome is the failures alone.
    expect(Object.keys(outcome).sort()).toEqual(['failures', 'ok']);
    for (const failure of outcome.failures) expect(drawFailureSchema.parse(failure)).toEqual(failure);
    // Each failing project is named with its reason and numbers (the specialty when experts are short).
    expect(outcome.failures).toEqual(
      expect.arrayContaining(
        expected.map(({ project, reason, needed, available, specialty }) =>
          expect.objectContaining({ project, reason, needed, available, ...(reason === 'too_few_experts' ? { specialty } : {}) }),
        ),
      ),
    );
    // Only the projects that cannot be satisfied are named (the rest of the day has a planted solution).
    expect([...new Set(outcome.failures.map((f) => f.project))].sort()).toEqual(expected.map((e) => e.project).sort());
  });
});

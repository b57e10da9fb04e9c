/**
 * The committee steps an expert takes in the booth, as the screens take them (the same calls through
 * the booth's API dispatcher): the chair vote, the preliminary review verdict by verdict then signed,
 * the score sheet cell by cell then signed, the chair's steps; and waiting for what the central
 * answers (the committee.booth message the booth shows in getReview().committee).
 */
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import type { RecheckTarget } from '@kawei/shared/committee/committee-events.ts';
import { NOTE_REQUIRED_AT_OR_ABOVE, NOTE_REQUIRED_AT_OR_BELOW } from '@kawei/shared/committee/sheet-rules.ts';
import { until, type CommitteeBooth } from './committee-booth.node.ts';

/** verdicts[bid][item]: true passes, a string fails with that reason. */
export type Verdicts = Record<string, Record<string, true | string>>;
/** scores[bid][item]. */
export type Scores = Record<string, Record<string, number>>;

export function allPass(bids: readonly string[], items: readonly string[]): Verdicts {
  return Object.fromEntries(bids.map((b) => [b, Object.fromEntries(items.map((i) => [i, true as const]))]));
}

export async function doPreliminary(booth: CommitteeBooth, verdicts: Verdicts, sign = true): Promise<ReviewView> {
  let view = await booth.review();
  for (const [bid, row] of Object.entries(verdicts)) {
    for (const [item, v] of Object.entries(row)) {
      view = await booth.call<ReviewView>('savePreliminary', v === true ? { bid, item, pass: true } : { bid, item, pass: false, reason: v });
    }
  }
  if (sign) await booth.call('submitPreliminary', { pin: booth.key.pin });
  return view;
}

export async function fillSheet(booth: CommitteeBooth, scores: Scores): Promise<ScoreSheet> {
  let sheet = await booth.call<ScoreSheet>('getScoreSheet');
  for (const [bidder, row] of Object.entries(scores)) {
    for (const [criterion, value] of Object.entries(row)) {
      const item = sheet.criteria.find((c) => c.id === criterion);
      const max = item?.max ?? 100;
      const extreme = value >= NOTE_REQUIRED_AT_OR_ABOVE * max || value <= NOTE_REQUIRED_AT_OR_BELOW * max;
      // Objective items need no note (their score is the rule's); a subjective extreme does.
      const note = extreme && (item as { kind?: string } | undefined)?.kind !== 'objective' ? '依据评分标准打分' : undefined;
      sheet = await booth.call<ScoreSheet>('saveScore', { bidder, criterion, value, ...(note ? { note } : {}) });
    }
  }
  return sheet;
}

export async function doSheet(booth: CommitteeBooth, scores: Scores): Promise<void> {
  await fillSheet(booth, scores);
  await booth.call('submitScores', { pin: booth.key.pin });
}

/** The same scores for every bid: row(bid) gives each bid's row. */
export function sheetOf(bids: readonly string[], row: (bid: string, index: number) => Record<string, number>): Scores {
  return Object.fromEntries(bids.map((b, i) => [b, row(b, i)]));
}

export function chairStep(booth: CommitteeBooth, step: 'start_detailed'): Promise<ReviewView>;
export function chairStep(booth: CommitteeBooth, step: 'request_recheck', recheck: RecheckTarget): Promise<ReviewView>;
export function chairStep(booth: CommitteeBooth, step: 'confirm_results', resultsSha256: string): Promise<ReviewView>;
export function chairStep(booth: CommitteeBooth, step: string, arg?: unknown): Promise<ReviewView> {
  const input = step === 'request_recheck' ? { step, recheck: arg } : step === 'confirm_results' ? { step, resultsSha256: arg } : { step };
  return booth.call<ReviewView>('chairStep', input);
}

/** Until the committee as this booth last heard it satisfies `ok`. */
export function committeeIn(booth: CommitteeBooth, what: string, ok: (c: NonNullable<ReviewView['committee']>, view: ReviewView) => boolean, timeoutMs = 20_000): Promise<ReviewView> {
  return until(`${booth.codename}: ${what}`, () => booth.review(), (v) => v.committee !== null && ok(v.committee, v), timeoutMs);
}

/** Until every booth has heard that the committee reached `stage`. */
export async function stageEverywhere(booths: readonly CommitteeBooth[], stage: string, timeoutMs = 20_000): Promise<ReviewView[]> {
  return Promise.all(booths.map((b) => committeeIn(b, `stage ${stage}`, (c) => c.stage === stage, timeoutMs)));
}

/** Until every booth shows results (getReview().committee.results not null), optionally other than `previousSha`. */
export async function resultsEverywhere(booths: readonly CommitteeBooth[], previousSha?: string, timeoutMs = 20_000): Promise<ReviewView[]> {
  return Promise.all(
    booths.map((b) => committeeIn(b, 'results', (c) => c.results !== null && c.results.resultsSha256 !== previousSha, timeoutMs)),
  );
}

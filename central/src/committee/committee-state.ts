/**
 * The committee's state as a pure function of its record (issue #13): the central's ledger for one
 * project (committee.opened first, then the central's acceptances, refusals and own acts) together
 * with the booth events it accepted. Anyone holding the record re-derives the stages, the votes,
 * the rejections, the re-checks and the ranking by replaying it, as `kawei-draw verify` re-derives
 * the draw.
 *
 * This module is the committee's entry point: the reducer (committee-reducer.ts), the judges of
 * booth events and operator acts, and the views, re-exported.
 */
import { bilingualError } from '@kawei/shared/i18n/bilingual.ts';
import { applyLedgerEntry, openCommitteeState } from './committee-reducer.ts';
import type { BoothEventLookup, CommitteeState, LedgerEntry } from './committee-types.ts';

export type * from './committee-types.ts';
export { applyLedgerEntry, openCommitteeState } from './committee-reducer.ts';
export { judgeBoothEvent, type BoothEventJudgement } from './judge-booth-event.ts';
export { judgeOperatorAct, type OperatorAct, type OperatorActCode, type OperatorActJudgement } from './judge-operator-act.ts';
export { bidderView, boothViews } from './booth-views.ts';
export { resultsJson } from './results-view.ts';

/** Replays one project's ledger (first entry committee.opened) with the booth events it names. */
export function replayCommittee(entries: readonly LedgerEntry[], lookup: BoothEventLookup): CommitteeState {
  const [first, ...rest] = entries;
  if (first === undefined) throw bilingualError('committeeRecord.replay.notOpened');
  let state = openCommitteeState(first);
  for (const entry of rest) state = applyLedgerEntry(state, entry, lookup);
  return state;
}

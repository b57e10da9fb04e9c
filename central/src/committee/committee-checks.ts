/**
 * Checks that a chair's step in a booth and an operator's act at the central share: the same rules
 * decide a re-check or a confirmation whoever asks for it; each caller words the answer its way
 * (a refusal reason in the ledger, an operator error code).
 */
import type { RecheckTarget } from '@kawei/shared/committee/committee-events.ts';
import { messagePair, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { currentSheet, memberByCodename, typedItems } from './committee-progress.ts';
import type { CommitteeState } from './committee-types.ts';
import { wrongStageForAct } from './committee-wording.ts';

export type RecheckProblem =
  | { kind: 'stage'; pair: MessagePair }
  | { kind: 'target_replaced'; pair: MessagePair }
  | { kind: 'target_not_seated'; pair: MessagePair }
  | { kind: 'nothing_to_recheck'; pair: MessagePair }
  | { kind: 'unknown_bid'; pair: MessagePair }
  | { kind: 'unknown_item'; pair: MessagePair };

/**
 * A sheet goes back only after aggregation was attempted (blocked, results, or during other
 * re-checks), to a seated member whose sheet is current (not already sent back), naming cells of
 * bids in detailed review and items the experts type.
 */
export function recheckProblem(state: CommitteeState, target: RecheckTarget): RecheckProblem | null {
  if (state.opened.rules.method !== 'comprehensive' || !['blocked', 'results', 'recheck'].includes(state.stage)) {
    return { kind: 'stage', pair: wrongStageForAct(state.stage, 'recheck') };
  }
  const member = memberByCodename(state, target.codename);
  if (member === undefined) return { kind: 'target_not_seated', pair: messagePair('committeeRecord.refusal.recheckTargetNotSeated', { codename: target.codename }) };
  if (!member.active) return { kind: 'target_replaced', pair: messagePair('committeeRecord.act.alreadyReplaced', { codename: target.codename }) };
  if (currentSheet(state, target.codename) === undefined) {
    return { kind: 'nothing_to_recheck', pair: messagePair('committeeRecord.refusal.nothingToRecheck', { codename: target.codename }) };
  }
  const items = new Set(typedItems(state.opened.rules).map((i) => i.id));
  for (const cell of target.cells) {
    if (!state.passed.includes(cell.bid)) return { kind: 'unknown_bid', pair: messagePair('committeeRecord.refusal.bidNotPassed', { bid: cell.bid }) };
    if (!items.has(cell.item)) return { kind: 'unknown_item', pair: messagePair('committeeRecord.refusal.unknownItem', { item: cell.item }) };
  }
  return null;
}

export type ConfirmProblem = { kind: 'blocked' | 'stage' | 'stale'; pair: MessagePair };

/** Results are confirmed only as aggregated now (their digest), never while blocked or under re-check. */
export function confirmProblem(state: CommitteeState, resultsSha256: string): ConfirmProblem | null {
  if (state.stage === 'blocked') return { kind: 'blocked', pair: messagePair('committeeRecord.act.blocked') };
  if (state.stage !== 'results' || state.resultsSha256 === null) return { kind: 'stage', pair: wrongStageForAct(state.stage, 'confirm') };
  if (resultsSha256 !== state.resultsSha256) return { kind: 'stale', pair: messagePair('committeeRecord.act.staleResults', { current: state.resultsSha256 }) };
  return null;
}

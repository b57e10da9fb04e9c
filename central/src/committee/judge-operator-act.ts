/**
 * Whether an operator's act at the central fits the committee's state now, before the service
 * appends it to the ledger (committee.chair_named, committee.recheck_requested, committee.replaced,
 * committee.results_confirmed). Pure; every refusal says why in both languages.
 */
import type { CommitteeMember, RecheckTarget, REPLACEMENT_REASONS } from '@kawei/shared/committee/committee-events.ts';
import { messagePair, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { confirmProblem, recheckProblem } from './committee-checks.ts';
import { memberByCodename } from './committee-progress.ts';
import type { CommitteeState } from './committee-types.ts';
import { wrongStageForAct } from './committee-wording.ts';

export type OperatorAct =
  | { kind: 'name_chair'; codename: string; operator: string; why: string }
  | { kind: 'request_recheck'; recheck: RecheckTarget; operator: string; why: string }
  | { kind: 'replace'; codename: string; reason: (typeof REPLACEMENT_REASONS)[number]; replacement: CommitteeMember; operator: string; why: string }
  | { kind: 'confirm_results'; resultsSha256: string; operator: string; why: string };

export type OperatorActCode = 'WRONG_STAGE' | 'NOT_A_MEMBER' | 'NOT_AN_ALTERNATE' | 'CHAIR_ALREADY_NAMED' | 'STALE_RESULTS' | 'ALREADY_REPLACED';
export type OperatorActJudgement = { ok: true } | { ok: false; code: OperatorActCode; message: MessagePair };

const no = (code: OperatorActCode, message: MessagePair): OperatorActJudgement => ({ ok: false, code, message });

export function judgeOperatorAct(state: CommitteeState, act: OperatorAct): OperatorActJudgement {
  switch (act.kind) {
    case 'name_chair':
      return judgeNameChair(state, act.codename);
    case 'request_recheck':
      return judgeRecheck(state, act.recheck);
    case 'replace':
      return judgeReplace(state, act.codename, act.replacement);
    case 'confirm_results':
      return judgeConfirm(state, act.resultsSha256);
  }
}

function judgeNameChair(state: CommitteeState, codename: string): OperatorActJudgement {
  if (state.stage === 'final') return no('WRONG_STAGE', wrongStageForAct(state.stage, 'nameChair'));
  if (state.chair !== null) return no('CHAIR_ALREADY_NAMED', messagePair('committeeRecord.act.chairAlreadyNamed', { codename: state.chair.codename }));
  const member = memberByCodename(state, codename);
  if (member === undefined || !member.active) return no('NOT_A_MEMBER', messagePair('committeeRecord.act.notAMember', { codename }));
  return { ok: true };
}

function judgeRecheck(state: CommitteeState, target: RecheckTarget): OperatorActJudgement {
  const problem = recheckProblem(state, target);
  if (problem === null) return { ok: true };
  switch (problem.kind) {
    case 'target_not_seated':
      return no('NOT_A_MEMBER', messagePair('committeeRecord.act.notAMember', { codename: target.codename }));
    case 'target_replaced':
      return no('ALREADY_REPLACED', problem.pair);
    case 'stage':
    case 'nothing_to_recheck':
    case 'unknown_bid':
    case 'unknown_item':
      return no('WRONG_STAGE', problem.pair);
  }
}

/**
 * A seated member may be replaced until the results are confirmed, by one of the project's drawn
 * alternates not yet on the committee, under a code name not yet used on it.
 */
function judgeReplace(state: CommitteeState, codename: string, replacement: CommitteeMember): OperatorActJudgement {
  if (state.stage === 'final') return no('WRONG_STAGE', wrongStageForAct(state.stage, 'replace'));
  const leaver = memberByCodename(state, codename);
  if (leaver === undefined) return no('NOT_A_MEMBER', messagePair('committeeRecord.act.notAMember', { codename }));
  if (!leaver.active) return no('ALREADY_REPLACED', messagePair('committeeRecord.act.alreadyReplaced', { codename }));
  if (!state.opened.alternates.includes(replacement.expert)) {
    return no('NOT_AN_ALTERNATE', messagePair('committeeRecord.act.notAnAlternate', { expert: replacement.expert }));
  }
  if (state.members.some((m) => m.expert === replacement.expert)) return no('NOT_AN_ALTERNATE', messagePair('committeeRecord.act.alternateUsed', { expert: replacement.expert }));
  if (memberByCodename(state, replacement.codename) !== undefined) {
    return no('NOT_AN_ALTERNATE', messagePair('committeeRecord.act.codenameTaken', { codename: replacement.codename }));
  }
  return { ok: true };
}

function judgeConfirm(state: CommitteeState, resultsSha256: string): OperatorActJudgement {
  const problem = confirmProblem(state, resultsSha256);
  if (problem === null) return { ok: true };
  return no(problem.kind === 'stale' ? 'STALE_RESULTS' : 'WRONG_STAGE', problem.pair);
}

/**
 * Whether the committee takes a booth's review event into account, given its state now: the
 * central's service asks before appending `committee.accepted` or `committee.refused` (with the
 * reason) to the ledger. Pure: the same state and event always get the same answer, which is what
 * lets a replay re-check every acceptance.
 *
 * Checks, in order: a review event type; the payload's shape (zod); the signed document agrees with
 * the event (date, project, code name); this committee; not already accepted; the sender is seated
 * (at its own booth device, not replaced); then what the event itself asks. The CMS signature is
 * not checked here (`kawei-central signatures` does).
 */
import { z } from 'zod';
import {
  chairStepPayloadSchema,
  chairVotePayloadSchema,
  preliminarySignedPayloadSchema,
  REVIEW_EVENTS,
  type ChairStepPayload,
  type PreliminarySignedPayload,
  type RefusalReason,
} from '@kawei/shared/committee/committee-events.ts';
import { cellProblem, preliminaryProblems } from '@kawei/shared/committee/sheet-rules.ts';
import { messagePair, messagePairBy, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';
import { confirmProblem, recheckProblem, type RecheckProblem } from './committee-checks.ts';
import { memberByCodename, requiredRevisionOf, typedItems } from './committee-progress.ts';
import type { BoothEventRecord, CommitteeState, MemberRecord } from './committee-types.ts';
import { detailLine, wrongStageForEvent } from './committee-wording.ts';
import { readScoreSheetPayload, type ScoreSheetContent } from './score-sheet-documents.ts';

export type BoothEventJudgement =
  | { accept: true; codename: string }
  | { accept: false; reason: RefusalReason; detail: string; codename: string | null };

type Refusal = { reason: RefusalReason; pair: MessagePair };
const refuse = (reason: RefusalReason, pair: MessagePair): Refusal => ({ reason, pair });

export function eventKey(device: string, seq: number): string {
  return `${device}#${seq}`;
}

export function judgeBoothEvent(state: CommitteeState, event: BoothEventRecord): BoothEventJudgement {
  return judgeReadEvent(state, event, readEvent(event));
}

/** judgeBoothEvent for an event already read (the reducer reads each accepted event once). */
export function judgeReadEvent(state: CommitteeState, event: BoothEventRecord, read: ReadEvent | ReadRefusal): BoothEventJudgement {
  if ('reason' in read) return { accept: false, reason: read.reason, detail: detailLine(read.pair), codename: read.codename };
  const codename = read.codename ?? seatedAtDevice(state, event.device)?.codename ?? null;
  const refusal = judgeRead(state, event, read, codename);
  if (refusal !== null) return { accept: false, reason: refusal.reason, detail: detailLine(refusal.pair), codename };
  return { accept: true, codename: codename as string };
}

/** A review event read and checked for shape: what it claims, before the committee weighs it. */
export type ReadEvent =
  | { type: 'vote'; date: string; project: string; codename: string; candidate: string }
  | { type: 'preliminary'; date: string; project: string; codename: string; payload: PreliminarySignedPayload }
  | { type: 'sheet'; date: string; project: string; codename: string | null; sheet: ScoreSheetContent }
  | { type: 'step'; date: string; project: string; codename: string; step: ChairStepPayload };

export type ReadRefusal = Refusal & { codename: string | null };

const malformed = (error: z.ZodError): Refusal => refuse('malformed', messagePair('committeeRecord.refusal.malformed', { problem: z.prettifyError(error).slice(0, 300) }));
const mismatch = (field: string): Refusal => refuse('malformed', messagePair('committeeRecord.refusal.documentMismatch', { field }));

/** Shape and self-consistency only: the same answer whatever the committee's state. */
export function readEvent(event: BoothEventRecord): ReadEvent | ReadRefusal {
  const claimed = (event.payload as { codename?: unknown } | null)?.codename;
  const codenameOrNull = typeof claimed === 'string' ? claimed : null;
  switch (event.type) {
    case REVIEW_EVENTS.chairVote: {
      const parsed = chairVotePayloadSchema.safeParse(event.payload);
      if (!parsed.success) return { ...malformed(parsed.error), codename: codenameOrNull };
      return { type: 'vote', ...parsed.data };
    }
    case REVIEW_EVENTS.preliminarySigned: {
      const parsed = preliminarySignedPayloadSchema.safeParse(event.payload);
      if (!parsed.success) return { ...malformed(parsed.error), codename: codenameOrNull };
      const { document } = parsed.data;
      for (const field of ['date', 'project', 'codename'] as const) {
        if (document[field] !== parsed.data[field]) return { ...mismatch(field), codename: parsed.data.codename };
      }
      return { type: 'preliminary', date: parsed.data.date, project: parsed.data.project, codename: parsed.data.codename, payload: parsed.data };
    }
    case REVIEW_EVENTS.scoresSubmitted: {
      const read = readScoreSheetPayload(event.payload);
      if (read.ok) return { type: 'sheet', date: read.sheet.date, project: read.sheet.project, codename: read.sheet.codename, sheet: read.sheet };
      const sheetCodename = (event.payload as { sheet?: { codename?: unknown } } | null)?.sheet?.codename;
      const who = typeof sheetCodename === 'string' ? sheetCodename : null;
      if ('mismatch' in read) return { ...mismatch(read.mismatch), codename: who };
      return { ...refuse('malformed', messagePair('committeeRecord.refusal.malformed', { problem: read.problem.slice(0, 300) })), codename: who };
    }
    case REVIEW_EVENTS.chairStep: {
      const parsed = chairStepPayloadSchema.safeParse(event.payload);
      if (!parsed.success) return { ...malformed(parsed.error), codename: codenameOrNull };
      return { type: 'step', date: parsed.data.date, project: parsed.data.project, codename: parsed.data.codename, step: parsed.data };
    }
    default:
      return { ...refuse('malformed', messagePair('committeeRecord.refusal.notReviewEvent', { type: event.type.slice(0, 64) })), codename: codenameOrNull };
  }
}

function seatedAtDevice(state: CommitteeState, device: string): MemberRecord | undefined {
  return state.members.find((m) => m.active && m.device === device);
}

function judgeRead(state: CommitteeState, event: BoothEventRecord, read: ReadEvent, codename: string | null): Refusal | null {
  const { date, project } = state.opened;
  if (read.date !== date || read.project !== project) {
    return refuse('malformed', messagePair('committeeRecord.refusal.otherCommittee', { date: read.date, project: read.project }));
  }
  if (state.acceptedEvents[eventKey(event.device, event.seq)] !== undefined) return refuse('already_submitted', messagePair('committeeRecord.refusal.duplicate'));
  if (codename === null) return refuse('not_seated', messagePair('committeeRecord.refusal.noCodename'));
  const member = memberByCodename(state, codename);
  if (member === undefined) return refuse('not_seated', messagePair('committeeRecord.refusal.notSeated', { codename }));
  if (!member.active) return refuse('replaced', messagePair('committeeRecord.refusal.replaced', { codename }));
  if (member.device !== event.device) return refuse('not_seated', messagePair('committeeRecord.refusal.wrongDevice', { codename }));
  switch (read.type) {
    case 'vote':
      return judgeVote(state, codename, read.candidate);
    case 'preliminary':
      return judgePreliminary(state, codename, read.payload);
    case 'sheet':
      return judgeSheet(state, codename, read.sheet);
    case 'step':
      return judgeStep(state, codename, read.step);
  }
}

function judgeVote(state: CommitteeState, codename: string, candidate: string): Refusal | null {
  if (state.stage === 'final') return refuse('wrong_stage', wrongStageForEvent(state.stage, 'chairVote'));
  if (state.chair !== null) return refuse('chair_already_named', messagePair('committeeRecord.refusal.chairAlreadyNamed', { codename: state.chair.codename }));
  if (state.opened.rules.settings.chair !== 'vote') return refuse('wrong_stage', messagePair('committeeRecord.refusal.chairByCentre'));
  if (state.chairVotes[codename] !== undefined) return refuse('already_submitted', messagePair('committeeRecord.refusal.alreadyVoted', { codename }));
  const target = memberByCodename(state, candidate);
  if (target === undefined || !target.active) return refuse('unknown_candidate', messagePair('committeeRecord.refusal.unknownCandidate', { candidate }));
  return null;
}

function judgePreliminary(state: CommitteeState, codename: string, payload: PreliminarySignedPayload): Refusal | null {
  if (state.stage !== 'preliminary') return refuse('wrong_stage', wrongStageForEvent(state.stage, 'preliminary'));
  if (payload.document.rulesSha256 !== state.opened.rulesSha256) return refuse('rules_changed', messagePair('committeeRecord.refusal.rulesChanged'));
  if (state.preliminary.some((p) => !p.void && p.codename === codename)) {
    return refuse('already_submitted', messagePair('committeeRecord.refusal.alreadySubmittedPreliminary', { codename }));
  }
  const { rules, bids } = state.opened;
  const codes = bids.map((b) => b.code);
  const itemIds = new Set(rules.preliminary.map((i) => i.id));
  for (const [bid, verdicts] of Object.entries(payload.document.verdicts)) {
    if (!codes.includes(bid)) return refuse('unknown_bid', messagePair('committeeRecord.refusal.bidNotOpened', { bid }));
    for (const item of Object.keys(verdicts)) {
      if (!itemIds.has(item)) return refuse('invalid_sheet', messagePair('committeeRecord.refusal.unknownItem', { item }));
    }
  }
  const problems = preliminaryProblems(rules.preliminary, codes, payload.document.verdicts);
  const first = problems[0];
  if (first === undefined) return null;
  return refuse(
    'invalid_sheet',
    messagePairBy('committeeRecord.refusal.verdictProblems', (lang) => ({
      count: problems.length,
      bid: first.bid,
      item: first.item,
      problem: translate(lang, `committeeRecord.verdict.${first.problem}`),
    })),
  );
}

function judgeSheet(state: CommitteeState, codename: string, sheet: ScoreSheetContent): Refusal | null {
  const { rules } = state.opened;
  if (rules.method === 'lowest_price') return refuse('wrong_stage', messagePair('committeeRecord.refusal.noSheetsInMethod'));
  if (!['detailed', 'recheck', 'blocked', 'results'].includes(state.stage)) return refuse('wrong_stage', wrongStageForEvent(state.stage, 'sheet'));
  const items = typedItems(rules);
  const criteriaMatch =
    sheet.criteria.length === items.length && items.every((item) => sheet.criteria.some((c) => c.id === item.id && c.max === item.max));
  if (sheet.version === 1) {
    // A version 1 sheet has no rules hash: it fits only rules that are plain criteria, item for item.
    const plain = rules.preliminary.length === 0 && rules.price === null && rules.items.every((i) => i.kind === 'subjective' && i.tiers.length === 0);
    if (!plain) return refuse('rules_changed', messagePair('committeeRecord.refusal.rulesNotPlain'));
    if (!criteriaMatch) return refuse('rules_changed', messagePair('committeeRecord.refusal.criteriaDiffer'));
  } else if (sheet.rulesSha256 !== state.opened.rulesSha256) {
    return refuse('rules_changed', messagePair('committeeRecord.refusal.rulesChanged'));
  }
  if (state.sheets.some((s) => !s.void && s.codename === codename && s.revision === sheet.revision)) {
    return refuse('already_submitted', messagePair('committeeRecord.refusal.alreadySubmitted', { codename, revision: sheet.revision }));
  }
  const expected = requiredRevisionOf(state, codename);
  if (sheet.revision !== expected) return refuse('stale_revision', messagePair('committeeRecord.refusal.staleRevision', { expected, got: sheet.revision }));
  if (!criteriaMatch) return refuse('invalid_sheet', messagePair('committeeRecord.refusal.criteriaDiffer'));
  for (const bid of [...sheet.bidders, ...Object.keys(sheet.scores)]) {
    if (!state.passed.includes(bid)) return refuse('unknown_bid', messagePair('committeeRecord.refusal.bidNotPassed', { bid }));
  }
  for (const bid of state.passed) {
    if (!sheet.bidders.includes(bid)) return refuse('invalid_sheet', messagePair('committeeRecord.refusal.bidMissing', { bid }));
  }
  const problems: { bid: string; item: string; problem: string }[] = [];
  for (const bid of state.passed) {
    for (const item of items) {
      const value = sheet.scores[bid]?.[item.id] ?? null;
      const problem = cellProblem(item, value, sheet.notes[bid]?.[item.id] ?? '', sheet.tiers[bid]?.[item.id] ?? null);
      if (problem !== null) problems.push({ bid, item: item.id, problem });
    }
  }
  const first = problems[0];
  if (first === undefined) return null;
  return refuse(
    'invalid_sheet',
    messagePairBy('committeeRecord.refusal.cellProblems', (lang) => ({
      count: problems.length,
      bid: first.bid,
      item: first.item,
      problem: translate(lang, `committeeRecord.cell.${first.problem as 'missing'}`),
    })),
  );
}

function judgeStep(state: CommitteeState, codename: string, step: ChairStepPayload): Refusal | null {
  const what = step.step === 'start_detailed' ? 'startDetailed' : step.step === 'request_recheck' ? 'recheck' : 'confirm';
  if (state.stage === 'final') return refuse('wrong_stage', wrongStageForEvent(state.stage, what));
  if (state.chair === null) return refuse('not_chair', messagePair('committeeRecord.refusal.noChair'));
  if (state.chair.codename !== codename) return refuse('not_chair', messagePair('committeeRecord.refusal.notChair', { codename }));
  switch (step.step) {
    case 'start_detailed':
      return state.stage === 'preliminary_done' ? null : refuse('wrong_stage', wrongStageForEvent(state.stage, what));
    case 'request_recheck': {
      const problem = recheckProblem(state, step.recheck);
      return problem === null ? null : refuse(recheckRefusalReason(problem), problem.kind === 'stage' ? wrongStageForEvent(state.stage, what) : problem.pair);
    }
    case 'confirm_results': {
      const problem = confirmProblem(state, step.resultsSha256);
      if (problem === null) return null;
      if (problem.kind === 'blocked') return refuse('blocked', messagePair('committeeRecord.refusal.blocked'));
      if (problem.kind === 'stale') return refuse('stale_revision', messagePair('committeeRecord.refusal.staleResults', { current: state.resultsSha256 ?? '' }));
      return refuse('wrong_stage', wrongStageForEvent(state.stage, what));
    }
  }
}

function recheckRefusalReason(problem: RecheckProblem): RefusalReason {
  switch (problem.kind) {
    case 'stage':
    case 'nothing_to_recheck':
      return 'wrong_stage';
    case 'target_replaced':
      return 'replaced';
    case 'target_not_seated':
      return 'not_seated';
    case 'unknown_bid':
      return 'unknown_bid';
    case 'unknown_item':
      return 'malformed';
  }
}

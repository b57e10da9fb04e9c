/**
 * The committee as a state machine over the central's ledger: one entry in, the next state out,
 * nothing else read or written. The booth events the ledger accepted are read through `lookup`
 * (the central's sync store) and re-judged against the state before them: an entry whose event is
 * missing, has another hash, or would be refused is recorded as a problem and skipped, so a replay
 * is also a verification of the record.
 */
import { z } from 'zod';
import {
  chairNamedPayloadSchema,
  COMMITTEE_EVENTS,
  committeeAcceptedPayloadSchema,
  committeeOpenedPayloadSchema,
  committeeRefusedPayloadSchema,
  recheckRequestedPayloadSchema,
  replacedPayloadSchema,
  resultsConfirmedPayloadSchema,
  type RecheckTarget,
} from '@kawei/shared/committee/committee-events.ts';
import { rulesSha256 } from '@kawei/shared/committee/rules-digest.node.ts';
import { bilingualError, messagePair, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { requiredRevisionOf, settle } from './committee-progress.ts';
import type { ActBy, BoothEventLookup, CommitteeState, EventOrigin, LedgerEntry, MemberRecord } from './committee-types.ts';
import { eventKey, judgeReadEvent, readEvent, type ReadEvent } from './judge-booth-event.ts';

/** The state right after `committee.opened` (the first entry of a project's record). */
export function openCommitteeState(entry: LedgerEntry): CommitteeState {
  if (entry.type !== COMMITTEE_EVENTS.opened) throw bilingualError('committeeRecord.replay.notOpened');
  const parsed = committeeOpenedPayloadSchema.safeParse(entry.payload);
  if (!parsed.success) throw bilingualError('committeeRecord.replay.badEntry', { seq: entry.seq, type: entry.type, problem: z.prettifyError(parsed.error) });
  const opened = parsed.data;
  const noPreliminary = opened.rules.preliminary.length === 0;
  // The booths compare their documents with the stated hash: rules that do not hash to it are not the ones they reviewed under.
  const problems = rulesSha256(opened.rules) === opened.rulesSha256 ? [] : [messagePair('committeeRecord.replay.rulesDigest', { seq: entry.seq })];
  return settle({
    opened,
    openedSeq: entry.seq,
    members: opened.members.map((m, i) => ({ ...m, judge: i + 1, active: true, replacedBy: null, replaces: null })),
    stage: 'preliminary',
    chair: null,
    chairVotes: {},
    preliminary: [],
    preliminaryDecided: noPreliminary,
    decisions: [],
    passed: noPreliminary ? opened.bids.map((b) => b.code) : [],
    detailedStarted: noPreliminary,
    sheets: [],
    requiredRevision: {},
    rechecks: [],
    replacements: [],
    aggregate: null,
    results: null,
    resultsSha256: null,
    confirmed: null,
    acceptedEvents: {},
    refusals: [],
    problems,
    version: entry.seq,
  });
}

export function applyLedgerEntry(state: CommitteeState, entry: LedgerEntry, lookup: BoothEventLookup): CommitteeState {
  const at = { ...state, version: entry.seq };
  const noted = (pair: MessagePair): CommitteeState => ({ ...at, problems: [...at.problems, pair] });
  const badEntry = (what: string): CommitteeState =>
    noted(messagePair('committeeRecord.replay.badEntry', { seq: entry.seq, type: entry.type.slice(0, 64), problem: what }));
  const bad = (error: z.ZodError): CommitteeState => badEntry(z.prettifyError(error).slice(0, 300));
  const { date, project } = state.opened;
  const ofThisCommittee = (p: { date: string; project: string }): boolean => p.date === date && p.project === project;
  const otherCommittee = (): CommitteeState => badEntry('date/project');

  switch (entry.type) {
    case COMMITTEE_EVENTS.opened: {
      // Re-opened (new rules, new seats) while nothing was accepted yet: start over, keeping what was refused.
      if (Object.keys(state.acceptedEvents).length > 0) return noted(messagePair('committeeRecord.replay.reopenedAfterReview', { seq: entry.seq }));
      const fresh = openCommitteeState(entry);
      return { ...fresh, refusals: state.refusals, problems: [...state.problems, ...fresh.problems] };
    }
    case COMMITTEE_EVENTS.accepted: {
      const parsed = committeeAcceptedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      if (!ofThisCommittee(parsed.data)) return otherCommittee();
      const { device, seq, hash } = parsed.data;
      const event = lookup(device, seq);
      if (event === undefined || event.hash !== hash || event.type !== parsed.data.type) {
        return noted(messagePair('committeeRecord.replay.missingEvent', { seq: entry.seq, device, boothSeq: seq }));
      }
      const read = readEvent(event);
      const judged = judgeReadEvent(state, event, read);
      if (!judged.accept) return noted(messagePair('committeeRecord.replay.disagrees', { seq: entry.seq, reason: judged.reason }));
      return settle(applyBoothEvent(at, read as ReadEvent, judged.codename, { device, seq, hash, ledgerSeq: entry.seq }));
    }
    case COMMITTEE_EVENTS.refused: {
      const parsed = committeeRefusedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      const { device, seq, type, codename, reason, detail } = parsed.data;
      return { ...at, refusals: [...at.refusals, { device, seq, type, codename, reason, detail, ledgerSeq: entry.seq }] };
    }
    case COMMITTEE_EVENTS.chairNamed: {
      const parsed = chairNamedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      if (!ofThisCommittee(parsed.data)) return otherCommittee();
      // By vote, the votes already decided it (the entry only records it); by the centre, it names.
      if (at.chair !== null) return at;
      const { codename, by, operator, why } = parsed.data;
      return settle({ ...at, chair: { codename, by, operator, why } });
    }
    case COMMITTEE_EVENTS.recheckRequested: {
      const parsed = recheckRequestedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      if (!ofThisCommittee(parsed.data)) return otherCommittee();
      const { recheck, operator, why } = parsed.data;
      return settle(sendBack(at, recheck, { kind: 'centre', operator, why }, entry.seq));
    }
    case COMMITTEE_EVENTS.replaced: {
      const parsed = replacedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      if (!ofThisCommittee(parsed.data)) return otherCommittee();
      return settle(replace(at, parsed.data, entry.seq));
    }
    case COMMITTEE_EVENTS.resultsConfirmed: {
      const parsed = resultsConfirmedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      if (!ofThisCommittee(parsed.data)) return otherCommittee();
      const { resultsSha256, operator, why } = parsed.data;
      if (state.stage !== 'results' || resultsSha256 !== state.resultsSha256) {
        return badEntry('resultsSha256');
      }
      return settle({ ...at, confirmed: { resultsSha256, by: { kind: 'centre', operator, why }, ledgerSeq: entry.seq } });
    }
    default:
      // The report's entries (issue #14) share the ledger; the report's own reducer reads them
      // (central/src/report/report-reducer.ts): the committee is final before the first one.
      if (entry.type.startsWith('report.')) return state;
      return badEntry('type');
  }
}

function applyBoothEvent(state: CommitteeState, read: ReadEvent, codename: string, origin: EventOrigin): CommitteeState {
  const next = { ...state, acceptedEvents: { ...state.acceptedEvents, [eventKey(origin.device, origin.seq)]: origin.ledgerSeq } };
  switch (read.type) {
    case 'vote':
      return { ...next, chairVotes: { ...next.chairVotes, [codename]: read.candidate } };
    case 'preliminary': {
      const { document, documentSha256, signedAt } = read.payload;
      return { ...next, preliminary: [...next.preliminary, { ...origin, codename, document, documentSha256, signedAt, void: false }] };
    }
    case 'sheet':
      return { ...next, sheets: [...next.sheets, { ...origin, codename, revision: read.sheet.revision, sheet: read.sheet, void: false }] };
    case 'step': {
      const by: ActBy = { kind: 'chair', codename };
      switch (read.step.step) {
        case 'start_detailed':
          return { ...next, detailedStarted: true };
        case 'request_recheck':
          return sendBack(next, read.step.recheck, by, origin.ledgerSeq);
        case 'confirm_results':
          return { ...next, confirmed: { resultsSha256: read.step.resultsSha256, by, ledgerSeq: origin.ledgerSeq } };
      }
    }
  }
}

/** A sheet sent back for re-check: the member now owes the next revision. */
function sendBack(state: CommitteeState, target: RecheckTarget, by: ActBy, ledgerSeq: number): CommitteeState {
  const revision = requiredRevisionOf(state, target.codename) + 1;
  return {
    ...state,
    requiredRevision: { ...state.requiredRevision, [target.codename]: revision },
    rechecks: [...state.rechecks, { target, revision, by, ledgerSeq }],
  };
}

/**
 * A member leaves; the alternate takes the seat (and its number). The leaver's sheets are void; its
 * preliminary review too while that stage still runs (a decision already made stands). The leaver's
 * chair vote and the votes for the leaver no longer count; a leaving chair leaves no chair (and, by
 * vote, a new vote).
 */
function replace(state: CommitteeState, payload: z.infer<typeof replacedPayloadSchema>, ledgerSeq: number): CommitteeState {
  const leaver = state.members.find((m) => m.codename === payload.codename && m.active);
  if (leaver === undefined) return state;
  const joining: MemberRecord = { ...payload.replacement, judge: leaver.judge, active: true, replacedBy: null, replaces: leaver.codename };
  const members = [...state.members.map((m) => (m === leaver ? { ...m, active: false, replacedBy: joining.codename } : m)), joining];
  const chairLeft = state.chair?.codename === leaver.codename;
  const chairVotes = chairLeft
    ? {}
    : Object.fromEntries(Object.entries(state.chairVotes).filter(([voter, candidate]) => voter !== leaver.codename && candidate !== leaver.codename));
  return {
    ...state,
    members,
    chair: chairLeft ? null : state.chair,
    chairVotes,
    preliminary: state.preliminaryDecided ? state.preliminary : state.preliminary.map((p) => (p.codename === leaver.codename ? { ...p, void: true } : p)),
    sheets: state.sheets.map((s) => (s.codename === leaver.codename ? { ...s, void: true } : s)),
    replacements: [
      ...state.replacements,
      {
        leaver: leaver.codename,
        replacement: joining.codename,
        judge: leaver.judge,
        reason: payload.reason,
        operator: payload.operator,
        why: payload.why,
        stage: state.stage,
        ledgerSeq,
      },
    ],
  };
}

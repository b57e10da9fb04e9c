/**
 * The evaluation report as a state machine over the committee's ledger (issue #14): the `report.*`
 * entries after the results' confirmation, folded in order. Nothing else is read or written. The
 * booth events the ledger accepted are read through `lookup` and re-judged against the state before
 * them (judge-report-event.ts): an entry whose event is missing, differs or would be refused is a
 * problem and is skipped, so a replay is also a check of the record — as the committee's reducer.
 *
 * Stages follow from the facts (never stored as a fact of their own):
 *   no draft → null; draft, no final → dissent; final and an active member who has neither signed nor
 *   refused → signing (turn: the first such member in seat order, 评委1…n); the supervisor has not
 *   signed → supervisor; else signed.
 *
 * The reducer trusts a PAdES signature's headAfter: the service checked the signature and the
 * increment before appending, and `report verify` re-derives every head from the bytes.
 */
import { z } from 'zod';
import {
  REPORT_EVENTS,
  reportAcceptedPayloadSchema,
  reportAnnexedPayloadSchema,
  reportDissentClosedPayloadSchema,
  reportRefusedPayloadSchema,
  reportRenderedPayloadSchema,
  reportSupervisorSignedPayloadSchema,
  reportUnsignedRecordedPayloadSchema,
  type ReportStage,
} from '@kawei/shared/report/report-events.ts';
import { messagePair, messagePairBy, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import type { BoothEventLookup, CommitteeState, LedgerEntry, MemberRecord } from '../committee/committee-types.ts';
import { judgeReadReportEvent, readReportEvent, reportEventKey, reportStageName, type ReadReportEvent } from './judge-report-event.ts';
import type { DissentRecord, ReportState } from './report-types.ts';

export const REPORT_ENTRY_PREFIX = 'report.';

export function isReportEntry(entry: { type: string }): boolean {
  return entry.type.startsWith(REPORT_ENTRY_PREFIX);
}

/** The committee's active members in seat order (评委1…n): who answers, and the order they sign in. */
export function reportMembers(committee: CommitteeState): MemberRecord[] {
  return committee.members.filter((m) => m.active).sort((a, b) => a.judge - b.judge);
}

/**
 * The report of a committee whose results are confirmed, from its ledger: `entries` may be the whole
 * record since the committee's opening (only `report.*` entries after the confirmation count; one
 * before it is a problem). Null while the results are not confirmed.
 */
export function replayReport(committee: CommitteeState, entries: readonly LedgerEntry[], lookup: BoothEventLookup): ReportState | null {
  const confirmed = committee.confirmed;
  if (committee.stage !== 'final' || confirmed === null) return null;
  let state = emptyReport(committee);
  for (const entry of entries) {
    if (!isReportEntry(entry)) continue;
    if (entry.seq <= confirmed.ledgerSeq) {
      state = { ...state, problems: [...state.problems, messagePair('reportRecord.replay.beforeConfirmation', { seq: entry.seq, type: entry.type.slice(0, 64) })] };
      continue;
    }
    state = applyReportEntry(committee, state, entry, lookup);
  }
  return state;
}

/** The report before its first entry: results confirmed, nothing rendered. */
export function emptyReport(committee: CommitteeState): ReportState {
  return {
    date: committee.opened.date,
    project: committee.opened.project,
    resultsSha256: committee.confirmed?.resultsSha256 ?? committee.resultsSha256 ?? '',
    stage: null,
    draft: null,
    final: null,
    head: null,
    dissents: [],
    dissentClosed: null,
    signatures: [],
    refusalsToSign: [],
    turn: null,
    annexes: [],
    refusals: [],
    acceptedEvents: {},
    problems: [],
    version: committee.confirmed?.ledgerSeq ?? committee.version,
  };
}

/** Whether every active member has answered on the draft, or the centre closed the window. */
export function dissentWindowClosed(committee: CommitteeState, report: ReportState): boolean {
  if (report.dissentClosed !== null) return true;
  return reportMembers(committee).every((m) => report.dissents.some((d) => d.codename === m.codename));
}

export function applyReportEntry(committee: CommitteeState, state: ReportState, entry: LedgerEntry, lookup: BoothEventLookup): ReportState {
  const at = { ...state, version: entry.seq };
  const noted = (pair: MessagePair): ReportState => ({ ...at, problems: [...at.problems, pair] });
  const badEntry = (what: string): ReportState =>
    noted(messagePair('reportRecord.replay.badEntry', { seq: entry.seq, type: entry.type.slice(0, 64), problem: what }));
  const bad = (error: z.ZodError): ReportState => badEntry(z.prettifyError(error).slice(0, 300));
  const unexpected = (): ReportState =>
    noted(messagePairBy('reportRecord.replay.unexpected', (lang) => ({ seq: entry.seq, type: entry.type.slice(0, 64), stage: reportStageName(state.stage, lang) })));
  const ofThisCommittee = (p: { date: string; project: string }): boolean => p.date === state.date && p.project === state.project;

  switch (entry.type) {
    case REPORT_EVENTS.rendered: {
      const parsed = reportRenderedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      const p = parsed.data;
      if (!ofThisCommittee(p)) return badEntry('date/project');
      if (p.resultsSha256 !== state.resultsSha256) return noted(messagePair('reportRecord.replay.resultsDiffer', { seq: entry.seq }));
      const rendered = { sha256: p.sha256, bytes: p.bytes, renderedAt: p.renderedAt, renderer: p.renderer, ledgerSeq: entry.seq };
      if (p.kind === 'draft') {
        if (state.draft !== null) return unexpected();
        return settle(committee, { ...at, draft: rendered });
      }
      if (state.stage !== 'dissent' || !dissentWindowClosed(committee, state)) return unexpected();
      return settle(committee, { ...at, final: rendered, head: { sha256: p.sha256, bytes: p.bytes } });
    }
    case REPORT_EVENTS.accepted: {
      const parsed = reportAcceptedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      const p = parsed.data;
      if (!ofThisCommittee(p)) return badEntry('date/project');
      const event = lookup(p.device, p.seq);
      if (event === undefined || event.hash !== p.hash || event.type !== p.type) {
        return noted(messagePair('reportRecord.replay.missingEvent', { seq: entry.seq, device: p.device, boothSeq: p.seq }));
      }
      const read = readReportEvent(event);
      const judged = judgeReadReportEvent(committee, state, event, read);
      if (!judged.accept) return noted(messagePair('reportRecord.replay.disagrees', { seq: entry.seq, reason: judged.reason }));
      return settle(committee, applyBoothEvent(committee, at, read as ReadReportEvent, { device: p.device, seq: p.seq, ledgerSeq: entry.seq, headAfter: p.headAfter }));
    }
    case REPORT_EVENTS.refused: {
      const parsed = reportRefusedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      const { device, seq, type, codename, reason, detail } = parsed.data;
      return { ...at, refusals: [...at.refusals, { device, seq, type, codename, reason, detail, ledgerSeq: entry.seq }] };
    }
    case REPORT_EVENTS.dissentClosed: {
      const parsed = reportDissentClosedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      const p = parsed.data;
      if (!ofThisCommittee(p)) return badEntry('date/project');
      if (state.stage !== 'dissent' || p.draftSha256 !== state.draft?.sha256) return unexpected();
      // Members who had not answered are recorded as having none, marked closed by the centre.
      const silent: DissentRecord[] = reportMembers(committee)
        .filter((m) => !state.dissents.some((d) => d.codename === m.codename))
        .map((m) => ({ codename: m.codename, judge: m.judge, text: null, closedByCentre: true, cms: null, signedAt: null, device: null, seq: null, ledgerSeq: entry.seq }));
      return settle(committee, { ...at, dissents: [...at.dissents, ...silent], dissentClosed: { operator: p.operator, why: p.why, ledgerSeq: entry.seq } });
    }
    case REPORT_EVENTS.unsignedRecorded: {
      const parsed = reportUnsignedRecordedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      const p = parsed.data;
      if (!ofThisCommittee(p)) return badEntry('date/project');
      const member = reportMembers(committee).find((m) => m.codename === p.codename);
      const done = state.signatures.some((s) => s.codename === p.codename) || state.refusalsToSign.some((r) => r.codename === p.codename);
      if (state.stage !== 'signing' || member === undefined || done) return unexpected();
      if (p.headSha256 !== state.head?.sha256) return noted(messagePair('reportRecord.replay.headDiffers', { seq: entry.seq }));
      const refusal = { codename: p.codename, judge: member.judge, reason: p.why, headSha256: p.headSha256, device: null, seq: null, byCentre: { operator: p.operator }, ledgerSeq: entry.seq };
      return settle(committee, { ...at, refusalsToSign: [...at.refusalsToSign, refusal] });
    }
    case REPORT_EVENTS.supervisorSigned: {
      const parsed = reportSupervisorSignedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      const p = parsed.data;
      if (!ofThisCommittee(p)) return badEntry('date/project');
      if (state.stage !== 'supervisor') return unexpected();
      if (p.headSha256 !== state.head?.sha256) return noted(messagePair('reportRecord.replay.headDiffers', { seq: entry.seq }));
      if ((p.format === 'pades') !== (p.headAfter !== null)) return badEntry('headAfter');
      const signature = {
        codename: null,
        judge: null,
        role: 'supervisor' as const,
        format: p.format,
        fieldName: p.fieldName,
        signerName: p.signerName,
        signingTime: p.signingTime,
        headBefore: p.headSha256,
        headAfter: p.headAfter,
        cms: p.cms,
        device: null,
        seq: null,
        ledgerSeq: entry.seq,
      };
      return settle(committee, { ...at, signatures: [...at.signatures, signature], head: p.headAfter ?? at.head });
    }
    case REPORT_EVENTS.annexed: {
      const parsed = reportAnnexedPayloadSchema.safeParse(entry.payload);
      if (!parsed.success) return bad(parsed.error);
      const p = parsed.data;
      if (!ofThisCommittee(p)) return badEntry('date/project');
      // The identity annex exists from the final PDF on; the unblinding one only once every signature is in.
      const allowed = p.kind === 'identities' ? state.final !== null : state.stage === 'signed';
      if (!allowed || state.annexes.some((a) => a.kind === p.kind)) return unexpected();
      const annex = { kind: p.kind, pdf: { sha256: p.sha256, bytes: p.bytes }, cmsSha256: p.cmsSha256, sealedFor: p.sealedFor, envelopeSha256: p.envelopeSha256, ledgerSeq: entry.seq };
      return { ...at, annexes: [...at.annexes, annex] };
    }
    default:
      return badEntry('type');
  }
}

interface Origin {
  device: string;
  seq: number;
  ledgerSeq: number;
  headAfter: { sha256: string; bytes: number } | null;
}

function applyBoothEvent(committee: CommitteeState, state: ReportState, read: ReadReportEvent, origin: Origin): ReportState {
  const next = { ...state, acceptedEvents: { ...state.acceptedEvents, [reportEventKey(origin.device, origin.seq)]: origin.ledgerSeq } };
  const p = read.payload;
  const judge = committee.members.find((m) => m.codename === p.codename)?.judge ?? 0;
  switch (read.type) {
    case 'dissent': {
      const d = read.payload.dissent;
      const record: DissentRecord = {
        codename: p.codename,
        judge,
        text: d === null ? null : d.document.text,
        closedByCentre: false,
        cms: d === null ? null : d.signed.cms,
        signedAt: d === null ? null : Date.parse(d.signed.signedAt),
        device: origin.device,
        seq: origin.seq,
        ledgerSeq: origin.ledgerSeq,
      };
      return { ...next, dissents: [...next.dissents, record] };
    }
    case 'signed': {
      const s = read.payload;
      // A PAdES signature moves the head; a detached CMS (SM2) leaves the PDF as it was.
      const headAfter = s.format === 'pades' ? origin.headAfter : null;
      const signature = {
        codename: s.codename,
        judge,
        role: 'member' as const,
        format: s.format,
        fieldName: s.fieldName,
        signerName: s.signerName,
        signingTime: s.signingTime,
        headBefore: s.headSha256,
        headAfter,
        cms: s.cms,
        device: origin.device,
        seq: origin.seq,
        ledgerSeq: origin.ledgerSeq,
      };
      if (s.format === 'pades' && headAfter === null) {
        return { ...next, problems: [...next.problems, messagePair('reportRecord.replay.badEntry', { seq: origin.ledgerSeq, type: REPORT_EVENTS.accepted, problem: 'headAfter' })] };
      }
      return { ...next, signatures: [...next.signatures, signature], head: headAfter ?? next.head };
    }
    case 'signRefused': {
      const r = read.payload;
      return {
        ...next,
        refusalsToSign: [
          ...next.refusalsToSign,
          { codename: r.codename, judge, reason: r.reason, headSha256: r.headSha256, device: origin.device, seq: origin.seq, byCentre: null, ledgerSeq: origin.ledgerSeq },
        ],
      };
    }
  }
}

/** The stage and the turn, from the facts. */
function settle(committee: CommitteeState, state: ReportState): ReportState {
  const pending = reportMembers(committee).find(
    (m) => !state.signatures.some((s) => s.codename === m.codename) && !state.refusalsToSign.some((r) => r.codename === m.codename),
  );
  let stage: ReportStage | null;
  if (state.draft === null) stage = null;
  else if (state.final === null) stage = 'dissent';
  else if (pending !== undefined) stage = 'signing';
  else if (!state.signatures.some((s) => s.role === 'supervisor')) stage = 'supervisor';
  else stage = 'signed';
  return { ...state, stage, turn: stage === 'signing' ? (pending?.codename ?? null) : null };
}

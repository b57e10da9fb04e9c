/**
 * Whether the report takes a booth's report event (report.dissent, report.signed,
 * report.sign_refused) into account, given the committee and the report as they stand: the central
 * asks before appending `report.accepted` or `report.refused`. Pure: the same states and event always
 * get the same answer, so a replay re-checks every acceptance (report-reducer.ts).
 *
 * Checks, in order: a report event type; the payload's shape (zod); this committee; not already
 * accepted; the sender is an active member at its own booth device; the report exists; then what the
 * event asks (stage, draft, turn, head, field). Signatures need bytes and a trust list: the service
 * checks them before it appends (report-service.node.ts), and `report verify` again.
 */
import { z } from 'zod';
import {
  REPORT_BOOTH_EVENTS,
  judgeFieldName,
  reportDissentPayloadSchema,
  reportSignedPayloadSchema,
  reportSignRefusedPayloadSchema,
  type ReportDissentPayload,
  type ReportRefusalReason,
  type ReportSignedPayload,
  type ReportSignRefusedPayload,
  type ReportStage,
} from '@kawei/shared/report/report-events.ts';
import { messagePair, messagePairBy, pairLine, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { translate, type Lang } from '@kawei/shared/i18n/messages.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import type { BoothEventRecord, CommitteeState, MemberRecord } from '../committee/committee-types.ts';
import type { ReportState } from './report-types.ts';

export type ReportEventJudgement =
  | { accept: true; codename: string }
  | { accept: false; reason: ReportRefusalReason; detail: string; codename: string | null };

/** A report event read and checked for shape: what it claims, before the report weighs it. */
export type ReadReportEvent =
  | { type: 'dissent'; payload: ReportDissentPayload }
  | { type: 'signed'; payload: ReportSignedPayload }
  | { type: 'signRefused'; payload: ReportSignRefusedPayload };

type Refusal = { reason: ReportRefusalReason; pair: MessagePair };
export type ReadReportRefusal = Refusal & { codename: string | null };

const refuse = (reason: ReportRefusalReason, pair: MessagePair): Refusal => ({ reason, pair });
const malformed = (error: z.ZodError): Refusal =>
  refuse('malformed', messagePair('reportRecord.refusal.malformed', { problem: z.prettifyError(error).slice(0, 300) }));

export function reportEventKey(device: string, seq: number): string {
  return `${device}#${seq}`;
}

/** A refusal's detail as the ledger stores it: one line, both languages, within the schema's 500 characters. */
export function detailOf(pair: MessagePair): string {
  const line = pairLine(pair);
  return line.length <= 500 ? line : `${line.slice(0, 499)}…`;
}

export function judgeReportEvent(committee: CommitteeState, report: ReportState | null, record: BoothEventRecord): ReportEventJudgement {
  return judgeReadReportEvent(committee, report, record, readReportEvent(record));
}

/** judgeReportEvent for an event already read (the reducer reads each accepted event once). */
export function judgeReadReportEvent(
  committee: CommitteeState,
  report: ReportState | null,
  record: BoothEventRecord,
  read: ReadReportEvent | ReadReportRefusal,
): ReportEventJudgement {
  if ('reason' in read) return { accept: false, reason: read.reason, detail: detailOf(read.pair), codename: read.codename };
  const codename = read.payload.codename;
  const refusal = judgeRead(committee, report, record, read);
  if (refusal !== null) return { accept: false, reason: refusal.reason, detail: detailOf(refusal.pair), codename };
  return { accept: true, codename };
}

/** Shape and self-consistency only: the same answer whatever the report's state. */
export function readReportEvent(record: BoothEventRecord): ReadReportEvent | ReadReportRefusal {
  const claimed = (record.payload as { codename?: unknown } | null)?.codename;
  const codename = typeof claimed === 'string' && claimed.length > 0 && claimed.length <= 32 ? claimed : null;
  switch (record.type) {
    case REPORT_BOOTH_EVENTS.dissent: {
      const parsed = reportDissentPayloadSchema.safeParse(record.payload);
      if (!parsed.success) return { ...malformed(parsed.error), codename };
      const p = parsed.data;
      if (p.dissent !== null) {
        const { document, signed } = p.dissent;
        for (const field of ['date', 'project', 'codename', 'draftSha256'] as const) {
          if (document[field] !== p[field]) return { ...refuse('malformed', messagePair('reportRecord.refusal.documentMismatch', { field })), codename: p.codename };
        }
        // What the member signed must be this very document (the CMS itself is checked by the service).
        if (signed.content !== canonicalJson(document)) return { ...refuse('malformed', messagePair('reportRecord.refusal.contentMismatch')), codename: p.codename };
      }
      return { type: 'dissent', payload: p };
    }
    case REPORT_BOOTH_EVENTS.signed: {
      const parsed = reportSignedPayloadSchema.safeParse(record.payload);
      if (!parsed.success) return { ...malformed(parsed.error), codename };
      return { type: 'signed', payload: parsed.data };
    }
    case REPORT_BOOTH_EVENTS.signRefused: {
      const parsed = reportSignRefusedPayloadSchema.safeParse(record.payload);
      if (!parsed.success) return { ...malformed(parsed.error), codename };
      return { type: 'signRefused', payload: parsed.data };
    }
    default:
      return { ...refuse('malformed', messagePair('reportRecord.refusal.notReportEvent', { type: record.type.slice(0, 64) })), codename };
  }
}

export function reportStageName(stage: ReportStage | null, lang: Lang): string {
  return translate(lang, `reportRecord.stage.${stage ?? 'none'}`);
}

function wrongStage(stage: ReportStage | null, what: ReadReportEvent['type']): Refusal {
  return refuse(
    'wrong_stage',
    messagePairBy('reportRecord.refusal.wrongStage', (lang) => ({ stage: reportStageName(stage, lang), what: translate(lang, `reportRecord.what.${what}`) })),
  );
}

function judgeRead(committee: CommitteeState, report: ReportState | null, record: BoothEventRecord, read: ReadReportEvent): Refusal | null {
  const { date, project } = committee.opened;
  const p = read.payload;
  if (p.date !== date || p.project !== project) {
    return refuse('malformed', messagePair('reportRecord.refusal.otherCommittee', { date: p.date, project: p.project }));
  }
  if (report?.acceptedEvents[reportEventKey(record.device, record.seq)] !== undefined) {
    return refuse(read.type === 'dissent' ? 'already_answered' : 'already_signed', messagePair('reportRecord.refusal.duplicate'));
  }
  const member = committee.members.find((m) => m.codename === p.codename);
  if (member === undefined || !member.active) return refuse('not_seated', messagePair('reportRecord.refusal.notSeated', { codename: p.codename }));
  if (member.device !== record.device) return refuse('not_seated', messagePair('reportRecord.refusal.wrongDevice', { codename: p.codename }));
  if (report === null || report.draft === null) return refuse('wrong_stage', messagePair('reportRecord.refusal.noReport'));
  switch (read.type) {
    case 'dissent':
      return judgeDissent(report, read.payload);
    case 'signed':
      return judgeSigned(report, member, read.payload);
    case 'signRefused':
      return judgeSignRefused(report, read.payload);
  }
}

function judgeDissent(report: ReportState, p: ReportDissentPayload): Refusal | null {
  if (report.stage !== 'dissent') return wrongStage(report.stage, 'dissent');
  const draft = report.draft!.sha256;
  if (p.draftSha256 !== draft) return refuse('wrong_draft', messagePair('reportRecord.refusal.wrongDraft', { expected: draft, got: p.draftSha256 }));
  if (report.dissents.some((d) => d.codename === p.codename)) return refuse('already_answered', messagePair('reportRecord.refusal.alreadyAnswered', { codename: p.codename }));
  return null;
}

function hasSignedOrRefused(report: ReportState, codename: string): boolean {
  return report.signatures.some((s) => s.codename === codename) || report.refusalsToSign.some((r) => r.codename === codename);
}

function judgeSigned(report: ReportState, member: MemberRecord, p: ReportSignedPayload): Refusal | null {
  if (report.stage !== 'signing') return wrongStage(report.stage, 'signed');
  if (hasSignedOrRefused(report, p.codename)) return refuse('already_signed', messagePair('reportRecord.refusal.alreadySigned', { codename: p.codename }));
  if (report.turn !== p.codename) return refuse('not_your_turn', messagePair('reportRecord.refusal.notYourTurn', { codename: p.codename, turn: report.turn ?? '' }));
  const head = report.head!.sha256;
  if (p.headSha256 !== head) return refuse('stale_head', messagePair('reportRecord.refusal.staleHead', { expected: head, got: p.headSha256 }));
  const field = judgeFieldName(member.judge);
  if (p.fieldName !== field) return refuse('malformed', messagePair('reportRecord.refusal.wrongField', { expected: field, got: p.fieldName }));
  // The PDF carries code names only: a signature dictionary's /Name is the member's code name.
  if (p.signerName !== p.codename) return refuse('malformed', messagePair('reportRecord.refusal.signerName', { codename: p.codename }));
  return null;
}

function judgeSignRefused(report: ReportState, p: ReportSignRefusedPayload): Refusal | null {
  if (report.stage !== 'signing') return wrongStage(report.stage, 'signRefused');
  if (hasSignedOrRefused(report, p.codename)) return refuse('already_signed', messagePair('reportRecord.refusal.alreadySigned', { codename: p.codename }));
  // A refusal changes no PDF, so it needs no turn; it names the version the member read, one of this report's.
  const known = [report.final!.sha256, ...report.signatures.flatMap((s) => (s.headAfter ? [s.headAfter.sha256] : []))];
  if (!known.includes(p.headSha256)) return refuse('stale_head', messagePair('reportRecord.refusal.unknownHead', { got: p.headSha256 }));
  return null;
}

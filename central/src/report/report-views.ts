/**
 * What the report's state shows in the booths: the `report.booth` message for each active member's
 * booth (shared/src/report/report-view.ts). Members by code name and as 评委n; no expert id, no real
 * name. Nothing before the draft exists (the message needs it).
 */
import { judgeFieldName, type ReportBoothPayload, type ReportMember } from '@kawei/shared/report/report-view.ts';
import { judgeLabel } from '../committee/committee-progress.ts';
import type { CommitteeState } from '../committee/committee-types.ts';
import { reportMembers } from './report-reducer.ts';
import type { ReportState } from './report-types.ts';

/** device → the message for the booth there, one per active member (empty before the draft). */
export function reportBoothViews(committee: CommitteeState, report: ReportState | null): Map<string, ReportBoothPayload> {
  const views = new Map<string, ReportBoothPayload>();
  if (report === null || report.draft === null || report.stage === null) return views;
  const seated = reportMembers(committee);
  const chair = committee.chair?.codename ?? null;
  const members: ReportMember[] = seated.map((m) => {
    const dissent = report.dissents.find((d) => d.codename === m.codename);
    const signed = report.signatures.some((s) => s.codename === m.codename);
    const refused = report.refusalsToSign.some((r) => r.codename === m.codename);
    return {
      codename: m.codename,
      judge: judgeLabel(m.judge),
      chair: m.codename === chair,
      dissent: dissent === undefined ? 'pending' : dissent.text === null ? 'none' : 'dissent',
      signature: signed ? 'signed' : refused ? 'refused' : 'pending',
    };
  });
  const ref = (r: { sha256: string; bytes: number } | null) => (r === null ? null : { sha256: r.sha256, bytes: r.bytes });
  for (const member of seated) {
    views.set(member.device, {
      date: report.date,
      project: report.project,
      codename: member.codename,
      version: report.version,
      stage: report.stage,
      draft: { sha256: report.draft.sha256, bytes: report.draft.bytes },
      final: ref(report.final),
      head: ref(report.head),
      members,
      turn: report.turn,
      fieldName: judgeFieldName(member.judge),
    });
  }
  return views;
}

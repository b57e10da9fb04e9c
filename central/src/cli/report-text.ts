import { bilingual, bilingualLabel, messagePair, messagePairBy, pairLine, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import type { MessageKey } from '@kawei/shared/i18n/messages.ts';
import { judgeLabel } from '../committee/committee-progress.ts';
import { stageName } from '../committee/committee-wording.ts';
import type { CommitteeState } from '../committee/committee-types.ts';
import type { PdfRef, ReportState } from '../report/report-types.ts';
import { formatTable } from './text-format.ts';
import { terminalSafe } from './terminal-safe.ts';

/**
 * `kawei-central report` as text and JSON (pure): where the report stands — stage, the PDFs by hash,
 * each seated member's answer in the dissent window and signature (评委n + code name, never an
 * expert's id), whose turn it is, the supervisor, the annexes — and the VERIFY.txt that `report
 * export` writes beside the files. Text the booths wrote (reasons to refuse) is printed terminal-safe.
 */

export type MemberDissent = 'pending' | 'none' | 'dissent' | 'closed';
export type MemberSignature = 'pending' | 'signed' | 'refused';

export interface ReportMemberStatus {
  judge: number;
  codename: string;
  dissent: MemberDissent;
  signature: MemberSignature;
  /** The reason given when the member refused to sign. */
  refusal: string | null;
  /** The operator who recorded that the member did not sign (record-unsigned); null for the member's own refusal. */
  recordedBy: string | null;
  turn: boolean;
}

/** The committee's seated members, in seat order, with their part in the report. */
export function reportMembers(committee: CommitteeState, report: ReportState | null): ReportMemberStatus[] {
  return committee.members
    .filter((m) => m.active)
    .sort((a, b) => a.judge - b.judge)
    .map((m) => {
      const answer = report?.dissents.find((d) => d.codename === m.codename);
      const dissent: MemberDissent = !answer ? 'pending' : answer.text !== null ? 'dissent' : answer.closedByCentre ? 'closed' : 'none';
      const refused = report?.refusalsToSign.find((r) => r.codename === m.codename) ?? null;
      const signed = report?.signatures.some((s) => s.role === 'member' && s.codename === m.codename) ?? false;
      return {
        judge: m.judge,
        codename: m.codename,
        dissent,
        signature: signed ? 'signed' : refused ? 'refused' : 'pending',
        refusal: refused?.reason ?? null,
        recordedBy: refused?.byCentre?.operator ?? null,
        turn: report?.turn === m.codename,
      };
    });
}

/** `report status --json`: plain data, code names only. */
export function reportStatusJson(date: string, project: string, committee: CommitteeState, report: ReportState | null) {
  const supervisor = report?.signatures.find((s) => s.role === 'supervisor') ?? null;
  return {
    date,
    project,
    committeeStage: committee.stage,
    stage: report?.stage ?? null,
    version: report?.version ?? null,
    resultsSha256: report?.resultsSha256 ?? null,
    draft: report?.draft ? pdf(report.draft) : null,
    final: report?.final ? pdf(report.final) : null,
    head: report?.head ? pdf(report.head) : null,
    turn: report?.turn ?? null,
    dissentClosed: report?.dissentClosed ? { operator: report.dissentClosed.operator, why: report.dissentClosed.why } : null,
    members: reportMembers(committee, report),
    signatures: (report?.signatures ?? []).map((s) => ({
      role: s.role,
      codename: s.codename,
      judge: s.judge,
      format: s.format,
      fieldName: s.fieldName,
      signerName: s.signerName,
      signingTime: s.signingTime,
      headBefore: s.headBefore,
      headAfter: s.headAfter?.sha256 ?? null,
    })),
    supervisor: supervisor ? { signerName: supervisor.signerName, signingTime: supervisor.signingTime } : null,
    annexes: (report?.annexes ?? []).map((a) => ({ kind: a.kind, pdf: pdf(a.pdf), cmsSha256: a.cmsSha256, sealedFor: a.sealedFor, envelopeSha256: a.envelopeSha256 })),
    refusals: (report?.refusals ?? []).map((r) => ({ codename: r.codename, type: r.type, reason: r.reason, ledgerSeq: r.ledgerSeq })),
    problems: report?.problems ?? [],
  };
}

function pdf(ref: PdfRef): PdfRef {
  return { sha256: ref.sha256, bytes: ref.bytes };
}

const DISSENT_KEYS: Record<MemberDissent, MessageKey> = {
  pending: 'reportCli.dissent.pending',
  none: 'reportCli.dissent.none',
  dissent: 'reportCli.dissent.dissent',
  closed: 'reportCli.dissent.closed',
};
const SIGNATURE_KEYS: Record<MemberSignature, MessageKey> = {
  pending: 'reportCli.signature.pending',
  signed: 'reportCli.signature.signed',
  refused: 'reportCli.signature.refused',
};

export function stageLabel(stage: ReportState['stage']): string {
  return stage === null ? bilingual('reportCli.stage.none') : bilingual(`reportCli.stage.${stage}`);
}

/** `report status` as text. */
export function formatReportStatus(date: string, project: string, committee: CommitteeState, report: ReportState | null): string {
  const out = [bilingual('reportCli.status.heading', { project, date })];
  if (report === null || report.stage === null) {
    out.push(pairLine(notBegunPair(committee)));
    return `${out.join('\n')}\n`;
  }
  out.push(`${bilingualLabel('reportCli.status.stage')}: ${stageLabel(report.stage)}`);
  const ref = (key: MessageKey, r: PdfRef | null) => `${bilingualLabel(key as 'reportCli.status.draft')}: ${r ? `${r.sha256} (${r.bytes} B)` : '-'}`;
  out.push(ref('reportCli.status.draft', report.draft), ref('reportCli.status.final', report.final), ref('reportCli.status.head', report.head));
  if (report.dissentClosed) {
    out.push(bilingual('reportCli.status.dissentClosed', { operator: terminalSafe(report.dissentClosed.operator), why: terminalSafe(report.dissentClosed.why) }));
  }
  const members = reportMembers(committee, report);
  out.push('', `${bilingualLabel('reportCli.status.members')}:`);
  const rows = members.map((m) => [
    `${judgeLabel(m.judge)}${m.turn ? ' ▶' : ''}`,
    m.codename,
    bilingualLabel(DISSENT_KEYS[m.dissent] as 'reportCli.dissent.none'),
    bilingualLabel(SIGNATURE_KEYS[m.signature] as 'reportCli.signature.signed') + (m.refusal === null ? '' : `: ${terminalSafe(m.refusal)}`) + (m.recordedBy === null ? '' : ` (${terminalSafe(m.recordedBy)})`),
  ]);
  out.push(
    indent(
      formatTable([
        [bilingualLabel('reportCli.col.judge'), bilingualLabel('reportCli.col.codename'), bilingualLabel('reportCli.col.dissent'), bilingualLabel('reportCli.col.signature')],
        ...rows,
      ]),
    ),
  );
  if (report.turn !== null) out.push(`${bilingualLabel('reportCli.status.turn')}: ${report.turn}`);
  const supervisor = report.signatures.find((s) => s.role === 'supervisor');
  out.push(
    `${bilingualLabel('reportCli.status.supervisor')}: ${
      supervisor ? bilingual('reportCli.status.supervisorSigned', { name: terminalSafe(supervisor.signerName), time: supervisor.signingTime }) : bilingual('reportCli.signature.pending')
    }`,
  );
  for (const annex of report.annexes) {
    out.push(`${bilingualLabel(`reportCli.annex.${annex.kind}`)}: ${annex.pdf.sha256}${annex.envelopeSha256 === null ? '' : ` (${bilingual('reportCli.annex.sealed')})`}`);
  }
  if (report.refusals.length > 0) out.push(bilingual('reportCli.status.refusals', { count: report.refusals.length }));
  for (const r of report.refusals.slice(-5)) out.push(`  ${r.codename ?? '-'} ${r.type} ${r.reason}: ${terminalSafe(r.detail)}`);
  for (const p of report.problems) out.push(`  ${bilingualLabel('reportCli.status.problem')}: ${pairLine(p)}`);
  return `${out.join('\n')}\n`;
}

/** "The report has not begun", naming the committee's stage in each language. */
export function notBegunPair(committee: CommitteeState): MessagePair {
  return messagePairBy('reportCli.status.notBegun', (lang) => ({ stage: stageName(committee.stage, lang) }));
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

// ── report export: VERIFY.txt ───────────────────────────────────────────────────────────────────

export interface ExportedFile {
  name: string;
  sha256: string;
  /** What the file is, for the listing. */
  role: 'head' | 'final' | 'annex' | 'annex-cms' | 'annex-envelope' | 'seal-ca' | 'dissent' | 'dissent-cms' | 'signature-cms' | 'signature-pdf';
  /** For a CMS: the file it signs. */
  content?: string;
}

/**
 * VERIFY.txt: how anyone checks the exported files with standard tools, in Chinese then English —
 * `pdfsig` for the PAdES signatures, `openssl cms -verify` for each detached CMS (the centre's seal
 * over the annexes, a member's dissent, an SM2 signer's CMS), `openssl cms -decrypt` for the
 * supervisors' envelope, and the SHA-256 of every file (the ledger names the PDFs by these).
 */
export function verifyInstructions(input: { date: string; project: string; files: readonly ExportedFile[] }): string {
  const { files } = input;
  const lines: string[] = [];
  const both = (key: MessageKey, params: Record<string, string | number> = {}) => {
    const pair = messagePair(key as 'reportCli.verifyTxt.title', params as never);
    lines.push(pair.zh, pair.en);
  };
  both('reportCli.verifyTxt.title', { project: input.project, date: input.date });
  lines.push('');
  const head = files.find((f) => f.role === 'head');
  if (head) {
    both('reportCli.verifyTxt.pdfsig');
    lines.push(`  pdfsig ${head.name}`, '');
  }
  const envelopes = files.filter((f) => f.role === 'annex-envelope');
  if (envelopes.length > 0) {
    both('reportCli.verifyTxt.envelope');
    for (const f of envelopes) lines.push(`  openssl cms -decrypt -inform DER -in ${f.name} -recip supervisor-cert.pem -inkey supervisor-key.pem -out ${f.content ?? 'annex.pdf'}`);
    lines.push('');
  }
  const seal = files.find((f) => f.role === 'seal-ca');
  const annexCms = files.filter((f) => f.role === 'annex-cms');
  if (annexCms.length > 0) {
    both('reportCli.verifyTxt.annex');
    for (const f of annexCms) lines.push(`  ${cmsVerify(f, seal?.name ?? 'seal-ca.pem')}`);
    lines.push('');
  }
  const dissents = files.filter((f) => f.role === 'dissent-cms');
  if (dissents.length > 0) {
    both('reportCli.verifyTxt.dissent');
    for (const f of dissents) lines.push(`  ${cmsVerify(f, 'experts-ca.pem')}`);
    lines.push('');
  }
  const sm2 = files.filter((f) => f.role === 'signature-cms');
  if (sm2.length > 0) {
    both('reportCli.verifyTxt.signatureCms');
    for (const f of sm2) lines.push(`  ${cmsVerify(f, 'experts-ca.pem')}`);
    lines.push('');
  }
  both('reportCli.verifyTxt.hashes');
  lines.push(`  sha256sum -c SHA256SUMS`, '');
  return `${lines.join('\n')}`;
}

/** `openssl cms -verify` of a detached CMS (DER) over its content file, against `caFile`. */
function cmsVerify(file: ExportedFile, caFile: string): string {
  return `openssl cms -verify -binary -inform DER -in ${file.name} -content ${file.content ?? '?'} -CAfile ${caFile} -purpose any -out /dev/null`;
}

/** SHA256SUMS, as `sha256sum -c` reads it. */
export function sha256Sums(files: readonly ExportedFile[]): string {
  return files.map((f) => `${f.sha256}  ${f.name}\n`).join('');
}

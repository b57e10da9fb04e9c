/**
 * The evaluation report's state (issue #14), replayed from the committee's ledger after the results
 * were confirmed: the `report.*` entries and the booth events they accept (report-reducer.ts). Plain
 * data, so two replays compare deep-equal and the state prints as JSON. Members by code name; the
 * experts' ids stay in the committee state (central only).
 */
import type { ReportAnnexKind, ReportSignatureFormat, ReportStage } from '@kawei/shared/report/report-events.ts';
import type { MessagePair } from '@kawei/shared/i18n/bilingual.ts';

export interface PdfRef {
  sha256: string;
  bytes: number;
}

/** A member's answer in the dissent window. */
export interface DissentRecord {
  codename: string;
  /** 评委n's n. */
  judge: number;
  /** Null: no dissent (无保留意见); 'closed': the centre closed the window before the member answered. */
  text: string | null;
  closedByCentre: boolean;
  /** The signed dissent document's CMS (base64), when there is a dissent. */
  cms: string | null;
  signedAt: number | null;
  /** The booth event that carried it (device#seq) and the ledger entry that accepted it. */
  device: string | null;
  seq: number | null;
  ledgerSeq: number;
}

/** One signature of the report, in the order they were added. */
export interface SignatureRecord {
  /** Member code name, or null for the supervisor. */
  codename: string | null;
  /** 评委n's n; null for the supervisor. */
  judge: number | null;
  role: 'member' | 'supervisor';
  format: ReportSignatureFormat;
  fieldName: string;
  signerName: string;
  signingTime: string;
  /** The head signed on top of, and the head after (PAdES; null for a detached CMS, which leaves the PDF as it was). */
  headBefore: string;
  headAfter: PdfRef | null;
  /** Base64 DER of the CMS. */
  cms: string;
  device: string | null;
  seq: number | null;
  ledgerSeq: number;
}

export interface RefusalToSign {
  codename: string;
  judge: number;
  reason: string;
  headSha256: string;
  /** The booth event of a member's own refusal; null when the centre recorded that the member did not sign. */
  device: string | null;
  seq: number | null;
  /** The operator who recorded that the member did not sign (the reason is theirs); null for the member's own refusal. */
  byCentre: { operator: string } | null;
  ledgerSeq: number;
}

export interface AnnexRecord {
  kind: ReportAnnexKind;
  pdf: PdfRef;
  cmsSha256: string;
  sealedFor: string[];
  envelopeSha256: string | null;
  ledgerSeq: number;
}

export interface ReportRefusal {
  device: string;
  seq: number;
  type: string;
  codename: string | null;
  reason: string;
  detail: string;
  ledgerSeq: number;
}

export interface ReportState {
  date: string;
  project: string;
  /** The confirmed results the report states. */
  resultsSha256: string;
  /** Null until the draft is rendered. */
  stage: ReportStage | null;
  draft: (PdfRef & { renderedAt: number; renderer: string; ledgerSeq: number }) | null;
  final: (PdfRef & { renderedAt: number; renderer: string; ledgerSeq: number }) | null;
  /** What the next signature goes on top of: the final PDF, then each PAdES signature's result. */
  head: PdfRef | null;
  dissents: DissentRecord[];
  /** The centre closed the dissent window (who and why). */
  dissentClosed: { operator: string; why: string; ledgerSeq: number } | null;
  signatures: SignatureRecord[];
  refusalsToSign: RefusalToSign[];
  /** Whose turn it is (code name), in seat order; null outside `signing`. */
  turn: string | null;
  annexes: AnnexRecord[];
  /** Booth report events the ledger refused, with why. */
  refusals: ReportRefusal[];
  /** Booth events accepted, "device#seq" → ledger seq. */
  acceptedEvents: Record<string, number>;
  /** Inconsistencies found while replaying: the state skips them. */
  problems: MessagePair[];
  version: number;
}

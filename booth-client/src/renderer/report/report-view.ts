import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import { REPORT_FILE_ID, type ReportStep, type ReportView } from '@kawei/shared/contract/booth-report.ts';
import type { Translate } from '@kawei/shared/i18n/messages.ts';
import { reviewStages, stepperState, type ReviewStage, type StepStatus } from '../review-view.ts';

/*
 * The report screens' pure half (issue #14): whether the report stage shows, the stepper with it, the
 * one sentence that says what to do now, the committee's dissent and signature states, which actions
 * are open, and the short form of the hash being signed. No React, no DOM: tested under Node
 * (booth-client/test/renderer-report.test.ts). Members appear by 评委n and code name only.
 */

// ── whether the report shows ─────────────────────────────────────────────────

/** The central has sent a report (or the booth is fetching it): the report stage is the expert's work now. */
export function reportActive(report: Pick<ReportView, 'step'> | null): boolean {
  return report !== null && report.step !== 'none';
}

/** The stepper shows the report stage once the results are final, even before the report arrives. */
export function reportStageShown(review: Pick<ReviewView, 'step'> | null, report: Pick<ReportView, 'step'> | null): boolean {
  return reportActive(report) || review?.step === 'final';
}

// ── stepper ──────────────────────────────────────────────────────────────────

export type BarStage = ReviewStage | 'report';

export interface BarState {
  readonly stages: BarStage[];
  readonly current: number;
  readonly status: StepStatus;
}

const REPORT_STATUS: Record<ReportStep, StepStatus> = {
  none: 'wait',
  fetching: 'wait',
  dissent: 'process',
  wait_dissent: 'wait',
  wait_turn: 'wait',
  sign: 'process',
  done: 'wait',
  signed: 'finish',
};

/** Whether the expert has something to do (process), waits (wait), or is through (finish). */
export function reportStatus(step: ReportStep): StepStatus {
  return REPORT_STATUS[step];
}

/** The review's stages, then 评标报告 as the current one once the results are final. */
export function barState(review: Pick<ReviewView, 'method' | 'rules' | 'step'>, report: Pick<ReportView, 'step'> | null): BarState {
  if (!reportStageShown(review, report)) return stepperState(review);
  const stages: BarStage[] = [...reviewStages(review), 'report'];
  return { stages, current: stages.length - 1, status: REPORT_STATUS[report?.step ?? 'none'] };
}

// ── the hash ─────────────────────────────────────────────────────────────────

/** First 8 and last 8 hex digits: enough to compare by eye with what the centre shows, short enough to read. */
export function shortHash(sha256: string): string {
  if (sha256.length <= 16) return sha256;
  return `${sha256.slice(0, 8)}…${sha256.slice(-8)}`;
}

// ── download ─────────────────────────────────────────────────────────────────

/** Whole percent of the download, or null while nothing is being fetched (or its size is unknown). */
export function downloadPercent(download: ReportView['download']): number | null {
  if (!download || download.total <= 0) return null;
  return Math.max(0, Math.min(100, Math.floor((100 * download.received) / download.total)));
}

// ── what to do now ───────────────────────────────────────────────────────────

type Member = NonNullable<ReportView['report']>['members'][number];

function me(view: Pick<ReportView, 'report'>): string | null {
  return view.report?.codename ?? null;
}

/** The one sentence that says what this expert does now, or what the report waits for. */
export function reportInstruction(view: ReportView, t: Translate): string {
  const report = view.report;
  switch (view.step) {
    case 'none':
      return t('report.step.none');
    case 'fetching':
      return t('report.step.fetching');
    case 'dissent':
      return t('report.step.dissent');
    case 'wait_dissent': {
      const pending = (report?.members ?? []).filter((m) => m.dissent === 'pending' && m.codename !== me(view));
      if (pending.length === 0) return t('report.step.waitDissentCentre');
      return t('report.step.waitDissent', { names: pending.map(memberName).join(t('review.sep')) });
    }
    case 'wait_turn': {
      const turn = view.turn ?? report?.turn ?? null;
      const member = turn ? report?.members.find((m) => m.codename === turn) : undefined;
      if (!turn) return t('report.step.waitTurnNone');
      return t('report.step.waitTurn', { judge: member?.judge ?? '', codename: turn });
    }
    case 'sign':
      return t('report.step.sign');
    case 'done':
      if (view.stage === 'supervisor' || report?.stage === 'supervisor') return t('report.step.doneSupervisor');
      return view.mySignature?.refused ? t('report.step.doneRefused') : t('report.step.doneSigned');
    case 'signed':
      return t('report.step.signed');
  }
}

/** 评委2 QM-12: how the screen names a member (never a real name: the payload carries none). */
export function memberName(member: Pick<Member, 'judge' | 'codename'>): string {
  return `${member.judge} ${member.codename}`;
}

// ── the committee ────────────────────────────────────────────────────────────

export type SignatureCell = Member['signature'] | 'turn';

export interface MemberRow {
  readonly codename: string;
  readonly judge: string;
  readonly chair: boolean;
  readonly me: boolean;
  readonly dissent: Member['dissent'];
  /** `turn`: this member signs now (pending, and the central's turn names them). */
  readonly signature: SignatureCell;
}

/** Every member in seat order (评委1…n) with their dissent and signature states. */
export function memberRows(view: Pick<ReportView, 'report' | 'turn'>): MemberRow[] {
  const report = view.report;
  if (!report) return [];
  const turn = report.stage === 'signing' ? (report.turn ?? view.turn) : null;
  return [...report.members]
    .sort((a, b) => seat(a.judge) - seat(b.judge) || a.codename.localeCompare(b.codename))
    .map((m) => ({
      codename: m.codename,
      judge: m.judge,
      chair: m.chair,
      me: m.codename === report.codename,
      dissent: m.dissent,
      signature: m.signature === 'pending' && m.codename === turn ? 'turn' : m.signature,
    }));
}

/** The seat number in "评委3" (any prefix): members sort by it, not by the text. */
function seat(judge: string): number {
  const match = /(\d+)\s*$/.exec(judge);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}

// ── actions ──────────────────────────────────────────────────────────────────

export interface ReportActions {
  /** 无保留意见 and the dissent form (step `dissent`, with the draft on screen). */
  readonly dissent: boolean;
  /** 签名 (step `sign`, with the current head on screen). */
  readonly sign: boolean;
  /** 拒绝签名 (step `sign`). */
  readonly refuse: boolean;
  /** Step `sign` but the PDF on screen is not the head the central named yet (a download under way). */
  readonly signWaiting: boolean;
}

/**
 * What the expert can press now. Signing needs the very head the central named on screen: the
 * booth signs only what it shows (the services check the hashes again, REPORT_CHANGED).
 */
export function reportActions(view: Pick<ReportView, 'step' | 'shown' | 'report'>): ReportActions {
  const shown = view.shown;
  const dissent = view.step === 'dissent' && shown !== null && shown.kind === 'draft';
  const headOnScreen = shown !== null && shown.kind === 'head' && view.report?.head?.sha256 === shown.sha256;
  const signStep = view.step === 'sign';
  return { dissent, sign: signStep && headOnScreen, refuse: signStep && headOnScreen, signWaiting: signStep && !headOnScreen };
}

// ── the dissent text ─────────────────────────────────────────────────────────

export interface DissentCheck {
  /** Characters as the contract counts them (trimmed, UTF-16 units). */
  readonly length: number;
  readonly max: number;
  readonly empty: boolean;
  readonly tooLong: boolean;
}

export function dissentCheck(text: string, max: number): DissentCheck {
  const length = text.trim().length;
  return { length, max, empty: length === 0, tooLong: length > max };
}

/** Characters of the member's own dissent the panel shows (the PDF carries all of it). */
export const DISSENT_DISPLAY_MAX = 400;

/** The member's own dissent as sent, cut for the panel. */
export function dissentExcerpt(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > DISSENT_DISPLAY_MAX ? `${trimmed.slice(0, DISSENT_DISPLAY_MAX)}…` : trimmed;
}

// ── the viewer ───────────────────────────────────────────────────────────────

/** A4 portrait in PDF points: the report's pages until page 1's image says otherwise. */
export const A4_POINTS = { width: 595.28, height: 841.89 } as const;

export interface ReportViewerFile {
  readonly fileId: string;
  readonly pageCount: number;
  readonly pageWidth: number;
  readonly pageHeight: number;
}

/** The report on screen as the tender viewer's file (REPORT_FILE_ID), or null while none is here. */
export function reportViewerFile(view: Pick<ReportView, 'shown'>, size: { width: number; height: number } = A4_POINTS): ReportViewerFile | null {
  if (!view.shown) return null;
  return { fileId: REPORT_FILE_ID, pageCount: view.shown.pages, pageWidth: size.width, pageHeight: size.height };
}

/** A page's size in points from its image at `scale` (the booth renders points × scale pixels). */
export function pageSizeFromImage(image: { width: number; height: number }, scale: number): { width: number; height: number } | null {
  if (!(scale > 0) || image.width <= 0 || image.height <= 0) return null;
  return { width: image.width / scale, height: image.height / scale };
}

import type { BoothSession, CameraFrameOutput, ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import type { ErrorCode } from '@kawei/shared/errors.ts';
import { errorMessage, translate, type Lang, type MessageKey, type Translate } from '@kawei/shared/i18n/messages.ts';

/*
 * The booth screen's pure half: how often the camera sends a frame, which notice is on screen, the
 * words for guidance and locks, score arithmetic, and the viewer's geometry. No React, no DOM, so it
 * is tested under Node (booth-client/test/renderer-view.test.ts).
 */

// ── camera cadence ───────────────────────────────────────────────────────────

/** Login, re-checks and face unlocks: about four frames a second. */
export const FAST_FRAME_MS = 250;
/** Presence while the expert reads and scores: one a second. */
export const SLOW_FRAME_MS = 1000;
/** After a failed call (services starting, engine loading): ask less often. */
export const ERROR_FRAME_MS = 2000;

/** What the camera cadence and stage depend on; `token` absent counts as no key. */
export type CameraSessionView = Pick<BoothSession, 'phase' | 'lockReason' | 'recheckDue'> & { token?: { present: boolean } };

/**
 * Locked because the USB key was pulled, and the key is not back yet: the booth waits for the key, not
 * for a face. Once the key is back the unlock still needs the expert's face (booth-session.node.ts).
 */
function waitingForKey(session: CameraSessionView): boolean {
  return session.phase === 'locked' && session.lockReason === 'token_removed' && session.token?.present !== true;
}

/** Milliseconds between camera frames for this session, or null when no frame is sent (waiting for the key). */
export function frameIntervalMs(session: CameraSessionView | null): number | null {
  if (!session) return FAST_FRAME_MS;
  if (waitingForKey(session)) return null;
  if (session.recheckDue) return FAST_FRAME_MS;
  switch (session.phase) {
    case 'idle':
    case 'login':
    case 'locked':
      return FAST_FRAME_MS;
    default:
      return SLOW_FRAME_MS;
  }
}

/** Where the camera preview sits: the middle of the screen when a face is asked for, a corner otherwise. */
export function cameraStage(session: CameraSessionView | null): 'stage' | 'corner' | 'hidden' {
  if (!session) return 'stage';
  if (session.phase === 'locked') return waitingForKey(session) ? 'hidden' : 'stage';
  if (session.recheckDue) return 'stage';
  return session.phase === 'idle' || session.phase === 'login' ? 'stage' : 'corner';
}

// ── guidance and notices ────────────────────────────────────────────────────

export type Notice = NonNullable<CameraFrameOutput['notice']>;
export type Guidance = NonNullable<CameraFrameOutput['guidance']>;

/** How long a notice stays on screen; the ones that ask the expert to wait for staff stay longer. */
export function noticeHoldMs(notice: Notice): number {
  return notice === 'staff_called' || notice === 'not_seated_here' || notice === 'no_roster' ? 15_000 : 6000;
}

export interface FaceState {
  readonly guidance: Guidance | null;
  readonly notice: Notice | null;
  readonly noticeAt: number;
}

export const INITIAL_FACE_STATE: FaceState = { guidance: null, notice: null, noticeAt: 0 };

/** One frame's answer in. A notice replaces the previous one; no notice keeps it until it expires. */
export function applyFrame(state: FaceState, output: Pick<CameraFrameOutput, 'guidance' | 'notice'>, now: number): FaceState {
  if (output.notice) return { guidance: output.guidance, notice: output.notice, noticeAt: now };
  return { ...state, guidance: output.guidance };
}

/** The notice to show now, if any. */
export function currentNotice(state: FaceState, now: number): Notice | null {
  if (!state.notice) return null;
  return now - state.noticeAt < noticeHoldMs(state.notice) ? state.notice : null;
}

/** The big line under the camera. */
export function guidanceText(guidance: Guidance | null, t: Translate): string {
  if (!guidance || guidance.quality === 'no_face') return t('booth.face.lookAtCamera');
  if (guidance.quality) return t(`face.quality.${guidance.quality}`);
  if (guidance.challenge) return t(`face.liveness.challenge.${guidance.challenge}`);
  return t('booth.face.matching');
}

export function noticeText(notice: Notice, attemptsLeft: number, t: Translate): string {
  if (notice === 'login_refused') return attemptsLeft > 0 ? t('booth.notice.login_refused', { n: attemptsLeft }) : t('booth.notice.login_refused.last');
  return t(`booth.notice.${notice}`);
}

/** Good news in green, waiting for staff in red, the rest in amber. */
export function noticeTone(notice: Notice): 'success' | 'error' | 'warning' {
  if (notice === 'logged_in' || notice === 'recheck_passed') return 'success';
  if (notice === 'staff_called' || notice === 'recheck_failed' || notice === 'not_seated_here') return 'error';
  return 'warning';
}

export type LockReason = NonNullable<BoothSession['lockReason']>;

/** The lock screen's two lines: what happened, and how to unlock (the key back in: the face next). */
export function lockTexts(reason: LockReason | null, keyPresent = false): { title: MessageKey; how: MessageKey } {
  switch (reason) {
    case 'token_removed':
      return { title: 'booth.lock.token_removed', how: keyPresent ? 'booth.lock.how.tokenBack' : 'booth.lock.how.token' };
    case 'login_failures':
      return { title: 'booth.lock.login_failures', how: 'booth.lock.how.staff' };
    case 'recheck_failed':
      return { title: 'booth.lock.recheck_failed', how: 'booth.lock.how.face' };
    case 'different_person':
      return { title: 'booth.lock.different_person', how: 'booth.lock.how.face' };
    case 'expert_absent':
      return { title: 'booth.lock.expert_absent', how: 'booth.lock.how.face' };
    default:
      return { title: 'booth.lock.other', how: 'booth.lock.how.staff' };
  }
}

/** "09:00–12:00" in the booth's local time; null when the schedule is not known. */
export function formatSchedule(startsAt: number | null, endsAt: number | null, lang: Lang): string | null {
  if (startsAt === null) return null;
  const locale = lang === 'en' ? 'en-GB' : 'zh-CN';
  const day = new Date(startsAt).toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' });
  const time = (at: number) => new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
  return endsAt === null ? `${day} ${time(startsAt)}` : `${day} ${time(startsAt)}–${time(endsAt)}`;
}

export function formatClock(at: number, lang: Lang): string {
  return new Date(at).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

// ── scores ───────────────────────────────────────────────────────────────────

export const SCORE_STEP = 0.5;

/** A stepper press: +/- half a point, kept within 0…max; an empty cell starts from 0 (+) or stays at 0 (−). */
export function stepScore(value: number | null, direction: 1 | -1, max: number): number {
  const from = value ?? 0;
  const next = value === null && direction === 1 ? SCORE_STEP : from + direction * SCORE_STEP;
  return Math.min(roundHalf(max, 'down'), Math.max(0, next));
}

function roundHalf(value: number, mode: 'down' | 'nearest'): number {
  return mode === 'down' ? Math.floor(value * 2) / 2 : Math.round(value * 2) / 2;
}

export type ParsedScore = { ok: true; value: number | null } | { ok: false; problem: 'not_a_number' | 'out_of_range' | 'not_half' };

/** What the expert typed: empty clears, "１２．５" and "12,5" are read as 12.5, only half points. */
export function parseScore(text: string, max: number): ParsedScore {
  const cleaned = text
    .normalize('NFKC')
    .trim()
    .replace(/[,，。]/g, '.');
  if (cleaned === '') return { ok: true, value: null };
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return { ok: false, problem: 'not_a_number' };
  const value = Number(cleaned);
  if (value < 0 || value > max) return { ok: false, problem: 'out_of_range' };
  if (value * 2 !== Math.round(value * 2)) return { ok: false, problem: 'not_half' };
  return { ok: true, value };
}

export function formatScore(value: number | null): string {
  return value === null ? '' : Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export type CellProblem = ScoreSheet['problems'][number]['problem'];

/** The problems of one cell, keyed "bidder\u0000criterion". */
export function problemsByCell(sheet: Pick<ScoreSheet, 'problems'>): Map<string, CellProblem[]> {
  const map = new Map<string, CellProblem[]>();
  for (const p of sheet.problems) {
    const key = cellKey(p.bidder, p.criterion);
    map.set(key, [...(map.get(key) ?? []), p.problem]);
  }
  return map;
}

export function cellKey(bidder: string, criterion: string): string {
  return `${bidder}\u0000${criterion}`;
}

/** A bidder's total over the scored criteria, and whether every criterion has a score. */
export function bidderTotal(sheet: Pick<ScoreSheet, 'criteria' | 'scores'>, bidder: string): { total: number; complete: boolean } {
  let total = 0;
  let complete = true;
  for (const c of sheet.criteria) {
    const v = sheet.scores[bidder]?.[c.id] ?? null;
    if (v === null) complete = false;
    else total += v;
  }
  return { total, complete };
}

// ── viewer geometry ──────────────────────────────────────────────────────────

export const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3] as const;
export const MIN_ZOOM = ZOOM_STEPS[0];
export const MAX_ZOOM = ZOOM_STEPS[ZOOM_STEPS.length - 1] as number;

export function nextZoom(zoom: number, direction: 1 | -1): number {
  if (direction === 1) return ZOOM_STEPS.find((z) => z > zoom + 1e-9) ?? MAX_ZOOM;
  return [...ZOOM_STEPS].reverse().find((z) => z < zoom - 1e-9) ?? MIN_ZOOM;
}

/**
 * The pages to mount for a vertical list of equal-height items: the visible ones plus `margin` on
 * each side, 1-based and inclusive; empty (first > last) for an empty list.
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  itemHeight: number,
  count: number,
  margin: number,
): { first: number; last: number } {
  if (count <= 0 || itemHeight <= 0) return { first: 1, last: 0 };
  const top = Math.max(0, scrollTop);
  const firstVisible = Math.floor(top / itemHeight) + 1;
  const lastVisible = Math.ceil((top + Math.max(0, viewportHeight)) / itemHeight);
  return { first: Math.max(1, firstVisible - margin), last: Math.min(count, Math.max(firstVisible, lastVisible) + margin) };
}

/** The page the expert is reading: the one that covers the middle of the viewport. */
export function currentPage(scrollTop: number, viewportHeight: number, itemHeight: number, count: number): number {
  if (count <= 0 || itemHeight <= 0) return 1;
  return Math.min(count, Math.max(1, Math.floor((scrollTop + viewportHeight / 3) / itemHeight) + 1));
}

/**
 * The scale to ask the trusted side for: enough pixels for the shown width on this screen, rounded
 * up to a quarter so nearby zooms share a cached image, within the contract's 0.1…4.
 */
export function renderScale(displayWidthCss: number, pageWidthPt: number, devicePixelRatio: number): number {
  if (pageWidthPt <= 0) return 1;
  const wanted = (displayWidthCss * Math.max(1, devicePixelRatio)) / pageWidthPt;
  return Math.min(4, Math.max(0.25, Math.ceil(wanted * 4) / 4));
}

/** Thumbnails are small and always asked for at one scale, so they are fetched once. */
export const THUMBNAIL_SCALE = 0.2;

// ── signing refusals ─────────────────────────────────────────────────────────

/** Signing-layer codes with words of their own, though the contract code is CERT_REJECTED. */
const SIGNING_TEXTS = { CERT_REVOKED: 'booth.signing.CERT_REVOKED', CRL_UNAVAILABLE: 'booth.signing.CRL_UNAVAILABLE' } as const satisfies Record<string, MessageKey>;

/**
 * The words for a refused signature: the contract code's (error.<CODE>), except where the signing
 * layer's code in `details.signingCode` says more than CERT_REJECTED can — a revoked certificate, or
 * revocation that cannot be checked under the fresh-CRL policy.
 */
export function signingErrorText(error: { code: ErrorCode; details?: unknown }, lang: Lang): string {
  const signingCode = typeof error.details === 'object' && error.details !== null ? (error.details as { signingCode?: unknown }).signingCode : undefined;
  if (typeof signingCode === 'string' && Object.hasOwn(SIGNING_TEXTS, signingCode)) {
    return translate(lang, SIGNING_TEXTS[signingCode as keyof typeof SIGNING_TEXTS]);
  }
  return errorMessage(error.code, lang);
}

import type { CheckOutcome, RefusalReason } from '@kawei/shared/contract/gate-check.ts';
import type { MessageKey, Translate } from '@kawei/shared/i18n/messages.ts';

/*
 * The kiosk screen's pure half: which outcome is on screen, and the words for it. No React, no DOM,
 * so the timing rules can be tested under Node.
 */

export type Decision = Extract<CheckOutcome, { kind: 'pass' | 'refused' }>;
export type Guidance = Extract<CheckOutcome, { kind: 'guidance' }>;

/** A decision stays on screen this long at least, unless the next person needs an instruction. */
export const RESULT_HOLD_MS = 6000;
/** …but never shorter than this, so a pass can be read before the next person's guidance. */
export const RESULT_MIN_MS = 2000;

export interface KioskState {
  /** The last decision and when it arrived (renderer clock). */
  readonly decision: Decision | null;
  readonly decidedAt: number;
  /** The latest non-decision outcome: guidance, or cooldown. */
  readonly latest: Extract<CheckOutcome, { kind: 'guidance' | 'cooldown' }> | null;
}

export const INITIAL_KIOSK_STATE: KioskState = { decision: null, decidedAt: 0, latest: null };

/**
 * One outcome in (from `checkFace` or the `check` event). A decision already on screen (same
 * checkId, e.g. the call's answer and then its event) does not restart the timer.
 */
export function applyOutcome(state: KioskState, outcome: CheckOutcome, now: number): KioskState {
  if (outcome.kind === 'pass' || outcome.kind === 'refused') {
    if (state.decision?.checkId === outcome.checkId) return state;
    return { decision: outcome, decidedAt: now, latest: null };
  }
  return { ...state, latest: outcome };
}

/** Guidance that asks the person in front of the camera to do something. */
function needsAction(guidance: Guidance): boolean {
  return guidance.challenge !== null || guidance.cardRead || (guidance.quality !== null && guidance.quality !== 'no_face');
}

export type KioskView = { kind: 'decision'; decision: Decision } | { kind: 'guidance'; guidance: Guidance | null };

/**
 * What the screen shows now. A decision holds for RESULT_HOLD_MS, and for as long as the services
 * say `cooldown` (the decided person is still in view); the next person's instruction cuts it short,
 * but only after RESULT_MIN_MS.
 */
export function kioskView(state: KioskState, now: number): KioskView {
  const { decision, latest } = state;
  if (decision) {
    const age = now - state.decidedAt;
    const cooling = latest?.kind === 'cooldown';
    const interrupted = latest?.kind === 'guidance' && needsAction(latest) && age >= RESULT_MIN_MS;
    if (cooling || (age < RESULT_HOLD_MS && !interrupted)) return { kind: 'decision', decision };
  }
  return { kind: 'guidance', guidance: latest?.kind === 'guidance' ? latest : null };
}

/** The big line under the camera. */
export function guidanceText(guidance: Guidance | null, t: Translate): string {
  if (!guidance) return t('gate.kiosk.idle');
  if (guidance.quality === 'no_face') return t('gate.kiosk.idle');
  if (guidance.quality) return t(`face.quality.${guidance.quality}`);
  if (guidance.challenge) return t(`face.liveness.challenge.${guidance.challenge}`);
  return t('gate.kiosk.matching');
}

/** The expert's refusal message: one per reason, with where to go when the services know it. */
export function refusalText(refusal: Extract<CheckOutcome, { kind: 'refused' }>, t: Translate): string {
  const { reason, redirect } = refusal;
  if (reason === 'wrong_site') {
    return redirect?.siteName ? t('gate.refusal.wrong_site', { siteName: redirect.siteName }) : t('gate.refusal.wrong_site.noRedirect');
  }
  if (reason === 'wrong_room') {
    return redirect
      ? t('gate.refusal.wrong_room', { roomName: redirect.roomName, label: redirect.label })
      : t('gate.refusal.wrong_room.noRedirect');
  }
  return t(`gate.refusal.${reason}`);
}

/** Short label for staff (monitor entries and alerts). */
export function reasonLabelKey(reason: RefusalReason | 'device_down'): MessageKey {
  return `gate.reason.${reason}`;
}

/**
 * What the gate says (voice) and shows (LED panel) after a decision. Short Chinese sentences an older
 * expert understands at once; never a name, never a project. A pass names the seat; a refusal says
 * where to go instead, or why and whom to ask.
 */
import { REFUSAL_REASONS, type RefusalReason, type SeatView } from '@kawei/shared/contract/gate-check.ts';
import { translatorFor } from '@kawei/shared/i18n/messages.ts';
import type { Redirect } from './gate-decision.ts';

export interface Announcement {
  voice: string;
  led: string;
}

export type SeatAnnouncer = (seat: SeatView) => Announcement;

/** The sentences are the catalogue's (gate.announce.*); the gate speaks and shows them in Chinese. */
const zh = translatorFor('zh-CN');
const ASK_STAFF = zh('gate.announce.askStaff');

/** Refusals that do not redirect: the voice says why, the panel says whom to ask. */
export const REFUSAL_VOICE: Readonly<Record<RefusalReason, string>> = Object.fromEntries(
  REFUSAL_REASONS.map((reason) => [reason, zh(`gate.announce.voice.${reason}`)]),
) as Record<RefusalReason, string>;

export const REFUSAL_LED: Readonly<Record<RefusalReason, string>> = Object.fromEntries(
  REFUSAL_REASONS.map((reason) => [
    reason,
    reason === 'several_faces' ? zh('gate.announce.led.several_faces') : reason === 'device_fault' ? zh('gate.announce.led.device_fault') : ASK_STAFF,
  ]),
) as Record<RefusalReason, string>;

/**
 * The refusal's announcement. A misdirected expert hears where to go: the other room of this site
 * (the seat sentence), or the other site by name with the seat there.
 */
export function refusalAnnouncement(reason: RefusalReason, redirect: Redirect | null, seatAnnouncer: SeatAnnouncer): Announcement {
  if (redirect && reason === 'wrong_room') {
    const seat = seatAnnouncer(redirect);
    return { voice: zh('gate.announce.wrongRoomGo', { seat: seat.voice }), led: seat.led };
  }
  if (redirect && reason === 'wrong_site' && redirect.siteName) {
    const seat = seatAnnouncer(redirect);
    return { voice: zh('gate.announce.otherSite', { site: redirect.siteName, seat: seat.voice }), led: redirect.siteName };
  }
  return { voice: REFUSAL_VOICE[reason], led: REFUSAL_LED[reason] };
}

/**
 * What the gate says (voice) and shows (LED panel) after a decision. Short Chinese sentences an older
 * expert understands at once; never a name, never a project. A pass names the seat; a refusal says
 * where to go instead, or why and whom to ask.
 */
import type { RefusalReason, SeatView } from '@kawei/shared/contract/gate-check.ts';
import type { Redirect } from './gate-decision.ts';

export interface Announcement {
  voice: string;
  led: string;
}

export type SeatAnnouncer = (seat: SeatView) => Announcement;

const ASK_STAFF = '请联系工作人员';

/** Refusals that do not redirect: the voice says why, the panel says whom to ask. */
export const REFUSAL_VOICE: Readonly<Record<RefusalReason, string>> = {
  unknown_face: `未能识别，${ASK_STAFF}`,
  not_scheduled_today: `今日没有您的评标安排，${ASK_STAFF}`,
  wrong_site: `您今日不在本中心评标，${ASK_STAFF}`,
  wrong_room: `这里不是您的评标室，${ASK_STAFF}`,
  already_inside: `您今日已经入场，${ASK_STAFF}`,
  several_faces: '请一人一次通过',
  liveness_failed: `活体检测未通过，${ASK_STAFF}`,
  id_card_mismatch: `人证不一致，${ASK_STAFF}`,
  device_fault: `闸机故障，${ASK_STAFF}`,
  no_roster: `今日名单未就绪，${ASK_STAFF}`,
};

export const REFUSAL_LED: Readonly<Record<RefusalReason, string>> = {
  unknown_face: ASK_STAFF,
  not_scheduled_today: ASK_STAFF,
  wrong_site: ASK_STAFF,
  wrong_room: ASK_STAFF,
  already_inside: ASK_STAFF,
  several_faces: '请逐一通过',
  liveness_failed: ASK_STAFF,
  id_card_mismatch: ASK_STAFF,
  device_fault: '闸机故障',
  no_roster: ASK_STAFF,
};

/**
 * The refusal's announcement. A misdirected expert hears where to go: the other room of this site
 * (the seat sentence), or the other site by name with the seat there.
 */
export function refusalAnnouncement(reason: RefusalReason, redirect: Redirect | null, seatAnnouncer: SeatAnnouncer): Announcement {
  if (redirect && reason === 'wrong_room') {
    const seat = seatAnnouncer(redirect);
    return { voice: `这里不是您的评标室，${seat.voice}`, led: seat.led };
  }
  if (redirect && reason === 'wrong_site' && redirect.siteName) {
    const seat = seatAnnouncer(redirect);
    return { voice: `您今日在${redirect.siteName}评标，${seat.voice}`, led: redirect.siteName };
  }
  return { voice: REFUSAL_VOICE[reason], led: REFUSAL_LED[reason] };
}

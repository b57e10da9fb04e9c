/**
 * The gate's decision, as a pure function of what the kiosk knows at the moment a face is matched:
 * where the gate stands, today's roster, who the face is (or nobody), the liveness verdict, the ID
 * card and who already passed today. No I/O, no clock: the check flow (face-check.node.ts) gathers
 * the facts, this module says pass (with the seat) or refused (with the reason and, for a misdirected
 * expert, where to go instead).
 *
 * Order of the checks (the first that applies is the answer):
 *  1. several faces in front of the camera → several_faces (one person at a time)
 *  2. liveness failed → liveness_failed
 *  3. no roster or no face set for today → no_roster (the gate cannot check anyone)
 *  4. ID card (人证一致): a card whose number is nobody's in today's pool, or a face that is not the
 *     card holder's → id_card_mismatch
 *  5. no enrolled face matched → unknown_face
 *  6. seated at another site today → wrong_site, redirect with the site's name
 *  7. not in this site's roster (in the pool, no seat here) → not_scheduled_today
 *  8. room door, seated in another room of this site → wrong_room, redirect to the seat
 *  9. entrance, passed this gate already today → already_inside (anti-passback; a room door lets an
 *     expert in and out of the room all day)
 * 10. pass, with the seat.
 * After a pass the relay may fail: `afterPassage` turns that into device_fault.
 */
import type { RefusalReason, SeatView } from '@kawei/shared/contract/gate-check.ts';
import type { GateRosterEntry } from '@kawei/shared/api/gate-roster.ts';
import type { GateRole } from '@kawei/shared/domain/topology.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';

export interface GateStanding {
  role: GateRole;
  siteId: string;
  /** The room a room door opens; null at the entrance. */
  roomId: string | null;
}

/** Where a pool member is seated today, at any site (from `faces.gate`). */
export interface PoolSeat {
  site: string;
  siteName: string;
  room: string;
  roomNumber: number;
  label: string;
}

/** A member of today's pool as the gate knows them (no name here: the decision does not need one). */
export interface PoolPerson {
  expert: string;
  seat: PoolSeat | null;
  idNumberHash?: string | undefined;
}

export interface TodayRoster {
  date: string;
  site: string;
  entries: readonly GateRosterEntry[];
}

export type CardFacts =
  /** No card involved (card reading off, or no card placed). */
  | { kind: 'none' }
  /**
   * A card was read: `holder` is the pool member whose ID number hash matches (null: nobody today),
   * `faceIsHolder` whether the face matched the holder's template 1:1.
   */
  | { kind: 'read'; holder: string | null; faceIsHolder: boolean };

export interface DecisionInput {
  gate: GateStanding;
  /** Today, YYYY-MM-DD, in the site's time zone. */
  today: string;
  /** The roster for the gate's site, or null if none arrived. */
  roster: TodayRoster | null;
  /** Whether today's face set is complete and usable. */
  facesReady: boolean;
  facesInFrame: number;
  liveness: 'passed' | 'failed' | 'not_required';
  /** The matched pool member, or null when no template reached the threshold. */
  person: PoolPerson | null;
  card: CardFacts;
  /** Experts who passed this gate today. */
  passedToday: ReadonlySet<string>;
}

export type Redirect = SeatView & { siteName?: string };

export type Decision =
  | { kind: 'pass'; seat: SeatView; expert: string; codename: string }
  | { kind: 'refused'; reason: RefusalReason; redirect: Redirect | null; expert: string | null };

/** "3号评标室": rooms are announced by number (the roster carries no display name). */
export function roomName(roomNumber: number): string {
  return translate('zh-CN', 'gate.announce.room', { n: roomNumber });
}

export function seatOf(entry: Pick<GateRosterEntry, 'room' | 'roomNumber' | 'label'>): SeatView {
  return { roomId: entry.room, roomNumber: entry.roomNumber, roomName: roomName(entry.roomNumber), label: entry.label };
}

const refuse = (reason: RefusalReason, expert: string | null = null, redirect: Redirect | null = null): Decision => ({
  kind: 'refused',
  reason,
  redirect,
  expert,
});

export function decide(input: DecisionInput): Decision {
  const { gate, roster, person, card } = input;
  if (input.facesInFrame > 1) return refuse('several_faces', person?.expert ?? null);
  if (input.liveness === 'failed') return refuse('liveness_failed', person?.expert ?? null);
  if (!roster || roster.date !== input.today || roster.site !== gate.siteId || !input.facesReady) return refuse('no_roster');

  if (card.kind === 'read') {
    if (card.holder === null) return refuse('id_card_mismatch', person?.expert ?? null);
    if (!card.faceIsHolder) return refuse('id_card_mismatch', card.holder);
  }
  if (!person) return refuse('unknown_face');
  if (card.kind === 'read' && card.holder !== person.expert) return refuse('id_card_mismatch', person.expert);

  const entry = roster.entries.find((e) => e.expert === person.expert);
  if (!entry) {
    const seat = person.seat;
    if (seat && seat.site !== gate.siteId) {
      return refuse('wrong_site', person.expert, { ...seatOf(seat), siteName: seat.siteName });
    }
    return refuse('not_scheduled_today', person.expert);
  }
  const seat = seatOf(entry);
  if (gate.role === 'room_door' && entry.room !== gate.roomId) return refuse('wrong_room', person.expert, seat);
  if (gate.role === 'area_entrance' && input.passedToday.has(person.expert)) return refuse('already_inside', person.expert);
  return { kind: 'pass', seat, expert: person.expert, codename: entry.codename };
}

/**
 * A pass whose turnstile did not open is a device fault: the expert is told so (and staff are
 * alerted) rather than being announced a seat they cannot reach. A gate without a relay (a door
 * watched by staff) has nothing to open and passes as decided.
 */
export function afterPassage(decision: Decision, passage: { ok: boolean } | 'no_relay'): Decision {
  if (decision.kind !== 'pass' || passage === 'no_relay' || passage.ok) return decision;
  return refuse('device_fault', decision.expert);
}

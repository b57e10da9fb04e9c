import { describe, expect, it } from 'vitest';
import { REFUSAL_REASONS } from '@kawei/shared/contract/gate-check.ts';
import { afterPassage, decide, roomName, seatOf, type DecisionInput, type PoolPerson } from '../src/services/check/gate-decision.ts';
import { REFUSAL_LED, REFUSAL_VOICE, refusalAnnouncement } from '../src/services/check/announcements.ts';
import { seatAnnouncement } from '../src/services/devices/gate-devices.node.ts';
import { roomCounts } from '../src/services/monitor/room-counts.ts';

const TODAY = '2026-11-22';
const entries = [
  { expert: 'e-a', codename: 'K01', room: 'r3', roomNumber: 3, label: 'A5' },
  { expert: 'e-b', codename: 'K02', room: 'r3', roomNumber: 3, label: 'B1' },
  { expert: 'e-c', codename: 'K03', room: 'r4', roomNumber: 4, label: 'A1' },
];
const here = (over: Partial<PoolPerson> & { expert: string }): PoolPerson => ({ seat: null, ...over });
const seatedHere = (expert: string): PoolPerson => {
  const e = entries.find((x) => x.expert === expert)!;
  return here({ expert, seat: { site: 's1', siteName: '市中心', room: e.room, roomNumber: e.roomNumber, label: e.label } });
};
const elsewhere = here({ expert: 'e-x', seat: { site: 's2', siteName: '东区分中心', room: 'r9', roomNumber: 9, label: 'C2' } });
const unseated = here({ expert: 'e-u' });

const entrance = { role: 'area_entrance', siteId: 's1', roomId: null } as const;
const door3 = { role: 'room_door', siteId: 's1', roomId: 'r3' } as const;

function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    gate: entrance,
    today: TODAY,
    roster: { date: TODAY, site: 's1', entries },
    facesReady: true,
    facesInFrame: 1,
    liveness: 'not_required',
    person: seatedHere('e-a'),
    card: { kind: 'none' },
    passedToday: new Set(),
    ...over,
  };
}

const seatA = { roomId: 'r3', roomNumber: 3, roomName: '3号评标室', label: 'A5' };

describe('gate decision', () => {
  it('passes an expert seated at this site with the seat, and the codename for staff', () => {
    expect(decide(input())).toEqual({ kind: 'pass', seat: seatA, expert: 'e-a', codename: 'K01' });
  });

  it('refuses an unknown face, several faces and a failed liveness', () => {
    expect(decide(input({ person: null }))).toMatchObject({ kind: 'refused', reason: 'unknown_face', expert: null, redirect: null });
    expect(decide(input({ facesInFrame: 2 }))).toMatchObject({ reason: 'several_faces' });
    expect(decide(input({ facesInFrame: 2, person: null }))).toMatchObject({ reason: 'several_faces', expert: null });
    expect(decide(input({ liveness: 'failed' }))).toMatchObject({ reason: 'liveness_failed' });
  });

  it('checks several faces before liveness, liveness before the roster', () => {
    expect(decide(input({ facesInFrame: 3, liveness: 'failed', roster: null }))).toMatchObject({ reason: 'several_faces' });
    expect(decide(input({ liveness: 'failed', roster: null }))).toMatchObject({ reason: 'liveness_failed' });
  });

  it('says no_roster without a roster for today and this site, or without the face set', () => {
    expect(decide(input({ roster: null }))).toMatchObject({ reason: 'no_roster' });
    expect(decide(input({ roster: { date: '2026-11-21', site: 's1', entries } }))).toMatchObject({ reason: 'no_roster' });
    expect(decide(input({ roster: { date: TODAY, site: 's2', entries } }))).toMatchObject({ reason: 'no_roster' });
    expect(decide(input({ facesReady: false }))).toMatchObject({ reason: 'no_roster' });
    expect(decide(input({ facesReady: false, person: null }))).toMatchObject({ reason: 'no_roster' });
  });

  it('redirects an expert seated at another site, naming the site', () => {
    expect(decide(input({ person: elsewhere }))).toEqual({
      kind: 'refused',
      reason: 'wrong_site',
      expert: 'e-x',
      redirect: { roomId: 'r9', roomNumber: 9, roomName: '9号评标室', label: 'C2', siteName: '东区分中心' },
    });
  });

  it('refuses a pool member without a seat today, or one the site roster does not list', () => {
    expect(decide(input({ person: unseated }))).toMatchObject({ reason: 'not_scheduled_today', expert: 'e-u', redirect: null });
    const claimsHere = here({ expert: 'e-z', seat: { site: 's1', siteName: '市中心', room: 'r3', roomNumber: 3, label: 'C3' } });
    expect(decide(input({ person: claimsHere }))).toMatchObject({ reason: 'not_scheduled_today' });
  });

  it('anti-passback at the entrance: a second pass on the same day is already_inside', () => {
    expect(decide(input({ passedToday: new Set(['e-a']) }))).toMatchObject({ reason: 'already_inside', expert: 'e-a' });
    expect(decide(input({ passedToday: new Set(['e-b']) }))).toMatchObject({ kind: 'pass' });
  });

  it('a room door opens for its own room only, all day long, and redirects the others to their seat', () => {
    expect(decide(input({ gate: door3 }))).toMatchObject({ kind: 'pass', seat: seatA });
    expect(decide(input({ gate: door3, passedToday: new Set(['e-a']) }))).toMatchObject({ kind: 'pass' });
    expect(decide(input({ gate: door3, person: seatedHere('e-c') }))).toEqual({
      kind: 'refused',
      reason: 'wrong_room',
      expert: 'e-c',
      redirect: { roomId: 'r4', roomNumber: 4, roomName: '4号评标室', label: 'A1' },
    });
    expect(decide(input({ gate: door3, person: elsewhere }))).toMatchObject({ reason: 'wrong_site' });
    expect(decide(input({ gate: door3, person: unseated }))).toMatchObject({ reason: 'not_scheduled_today' });
  });

  it('ID card (人证一致): the face must be the card holder, and the card must be someone of today', () => {
    const a = seatedHere('e-a');
    expect(decide(input({ card: { kind: 'read', holder: 'e-a', faceIsHolder: true }, person: a }))).toMatchObject({ kind: 'pass' });
    expect(decide(input({ card: { kind: 'read', holder: 'e-a', faceIsHolder: false }, person: null }))).toMatchObject({
      reason: 'id_card_mismatch',
      expert: 'e-a',
    });
    expect(decide(input({ card: { kind: 'read', holder: null, faceIsHolder: false }, person: null }))).toMatchObject({
      reason: 'id_card_mismatch',
      expert: null,
    });
    // a face matched to someone else than the holder is never a pass
    expect(decide(input({ card: { kind: 'read', holder: 'e-b', faceIsHolder: true }, person: a }))).toMatchObject({
      reason: 'id_card_mismatch',
    });
    // the card holder still has to be expected here
    expect(decide(input({ card: { kind: 'read', holder: 'e-x', faceIsHolder: true }, person: elsewhere }))).toMatchObject({
      reason: 'wrong_site',
    });
  });

  it('a pass whose relay failed is a device fault; no relay at all passes as decided', () => {
    const pass = decide(input());
    expect(afterPassage(pass, { ok: false })).toEqual({ kind: 'refused', reason: 'device_fault', expert: 'e-a', redirect: null });
    expect(afterPassage(pass, { ok: true })).toBe(pass);
    expect(afterPassage(pass, 'no_relay')).toBe(pass);
    const refused = decide(input({ person: null }));
    expect(afterPassage(refused, { ok: false })).toBe(refused);
  });

  it('every refusal reason is reachable', () => {
    const seen = new Set<string>();
    const cases: DecisionInput[] = [
      input({ person: null }),
      input({ person: unseated }),
      input({ person: elsewhere }),
      input({ gate: door3, person: seatedHere('e-c') }),
      input({ passedToday: new Set(['e-a']) }),
      input({ facesInFrame: 2 }),
      input({ liveness: 'failed' }),
      input({ card: { kind: 'read', holder: null, faceIsHolder: false } }),
      input({ roster: null }),
    ];
    for (const c of cases) {
      const d = decide(c);
      if (d.kind === 'refused') seen.add(d.reason);
    }
    const fault = afterPassage(decide(input()), { ok: false });
    if (fault.kind === 'refused') seen.add(fault.reason);
    expect([...seen].sort()).toEqual([...REFUSAL_REASONS].sort());
  });

  it('seats and rooms are shown by number', () => {
    expect(roomName(12)).toBe('12号评标室');
    expect(seatOf({ room: 'r3', roomNumber: 3, label: 'A5' })).toEqual(seatA);
  });
});

describe('announcements', () => {
  const seat = (s: Parameters<typeof seatAnnouncement>[0]) => seatAnnouncement(s);

  it('a refusal says why in Chinese, and whom to ask, for every reason', () => {
    for (const reason of REFUSAL_REASONS) {
      expect(REFUSAL_VOICE[reason]).toMatch(/[\u4e00-\u9fff]/);
      expect(REFUSAL_LED[reason].length).toBeLessThanOrEqual(8);
      expect(refusalAnnouncement(reason, null, seat).voice).toBe(REFUSAL_VOICE[reason]);
    }
  });

  it('a wrong room or site says where to go instead', () => {
    const wrongRoom = refusalAnnouncement('wrong_room', { roomId: 'r4', roomNumber: 4, roomName: '4号评标室', label: 'A1' }, seat);
    expect(wrongRoom.voice).toBe('这里不是您的评标室，请到4号评标室A1号卡位');
    const wrongSite = refusalAnnouncement(
      'wrong_site',
      { roomId: 'r9', roomNumber: 9, roomName: '9号评标室', label: 'C2', siteName: '东区分中心' },
      seat,
    );
    expect(wrongSite.voice).toBe('您今日在东区分中心评标，请到9号评标室C2号卡位');
    expect(wrongSite.led).toBe('东区分中心');
  });
});

describe('room counts', () => {
  it('counts expected, arrived and missing per room, a room door only its own', () => {
    expect(roomCounts(entries, new Set(['e-a', 'e-c', 'stranger']))).toEqual([
      { roomId: 'r3', roomName: '3号评标室', expected: 2, arrived: 1, missing: 1 },
      { roomId: 'r4', roomName: '4号评标室', expected: 1, arrived: 1, missing: 0 },
    ]);
    expect(roomCounts(entries, new Set(), 'r4')).toEqual([{ roomId: 'r4', roomName: '4号评标室', expected: 1, arrived: 0, missing: 1 }]);
  });
});

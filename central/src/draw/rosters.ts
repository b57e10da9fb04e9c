import type { DeviceRecord, SiteTree } from '@kawei/shared/api/central-http.ts';
import type { DrawResult } from './day-schema.ts';

/**
 * Turns a published draw into the rosters the devices need today, as downstream messages (the sync
 * of docs/ARCHITECTURE.md): each enrolled booth gets the expert seated in it (`roster.booth`); each
 * enrolled gate gets everyone expected at its site (`roster.gate`) — room and booth and code name,
 * never the project, which gate staff must not see. A room door filters the entries of its room.
 * Seats whose booth has no enrolled device are reported, not silently dropped.
 */
export interface RosterMessage {
  deviceId: string;
  type: 'roster.booth' | 'roster.gate';
  payload: Record<string, string | number | Record<string, string | number>[] | Record<string, string | number>>;
}

export interface RosterPlan {
  messages: RosterMessage[];
  /** Seats whose booth does not exist at the central, or has no enrolled device. */
  unmatched: { expert: string; site: string; room: string; label: string; why: 'no_such_booth' | 'no_device' }[];
}

export function planRosters(result: DrawResult, sites: readonly SiteTree[], devices: readonly DeviceRecord[]): RosterPlan {
  const active = devices.filter((d) => d.status === 'active');
  const deviceOfBooth = new Map(active.flatMap((d) => (d.target.kind === 'booth' ? [[d.target.boothId, d.id] as const] : [])));
  const boothId = new Map<string, string>();
  const roomNumber = new Map<string, number>();
  for (const site of sites) {
    for (const room of site.rooms) {
      roomNumber.set(`${site.id}/${room.id}`, room.number);
      for (const booth of room.booths) boothId.set(`${site.id}/${room.id}/${booth.label}`, booth.id);
    }
  }

  const messages: RosterMessage[] = [];
  const unmatched: RosterPlan['unmatched'] = [];
  for (const seat of result.seats) {
    const id = boothId.get(`${seat.site}/${seat.room}/${seat.label}`);
    const device = id ? deviceOfBooth.get(id) : undefined;
    if (!id || !device) {
      unmatched.push({ expert: seat.expert, site: seat.site, room: seat.room, label: seat.label, why: id ? 'no_device' : 'no_such_booth' });
      continue;
    }
    messages.push({
      deviceId: device,
      type: 'roster.booth',
      payload: {
        date: result.date,
        seed: result.seed,
        expert: seat.expert,
        codename: seat.codename,
        project: seat.project,
        blind: result.blind.includes(seat.project) ? 1 : 0,
        room: seat.room,
        label: seat.label,
      },
    });
  }

  for (const site of sites) {
    const entries = result.seats
      .filter((s) => s.site === site.id)
      .map((s) => ({ expert: s.expert, codename: s.codename, room: s.room, roomNumber: roomNumber.get(`${s.site}/${s.room}`) ?? 0, label: s.label }));
    for (const gate of site.gates) {
      for (const device of active) {
        if (device.target.kind !== 'gate' || device.target.gateId !== gate.id) continue;
        messages.push({ deviceId: device.id, type: 'roster.gate', payload: { date: result.date, seed: result.seed, site: site.id, entries } });
      }
    }
  }
  return { messages, unmatched };
}

import type { DeviceRecord, SiteTree } from '@kawei/shared/api/central-http.ts';
import type { DrawResult, Seat } from '../draw/day-schema.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

/**
 * The draw's seats matched to the central's booths and their active devices, the way
 * central/src/draw/rosters.ts matches them for `roster.booth` (site/room/label → booth id → the
 * active booth device), so `faces.booth` and `project.booth` reach exactly the devices that got the
 * roster.
 */
export interface SeatedBooth {
  seat: Seat;
  /** The central's booth id, or null when the central has no such booth. */
  boothId: string | null;
  /** The active device enrolled on that booth, or null. */
  deviceId: string | null;
}

export function seatedBooths(result: DrawResult, sites: readonly SiteTree[], devices: readonly DeviceRecord[]): SeatedBooth[] {
  const deviceOfBooth = new Map(
    devices.flatMap((d) => (d.status === 'active' && d.target.kind === 'booth' ? [[d.target.boothId, d.id] as const] : [])),
  );
  const boothId = new Map<string, string>();
  for (const site of sites) {
    for (const room of site.rooms) {
      for (const booth of room.booths) boothId.set(`${site.id}/${room.id}/${booth.label}`, booth.id);
    }
  }
  return result.seats.map((seat) => {
    const id = boothId.get(`${seat.site}/${seat.room}/${seat.label}`) ?? null;
    return { seat, boothId: id, deviceId: id === null ? null : (deviceOfBooth.get(id) ?? null) };
  });
}

/** One line for a seat that got nothing: where, who, and why. */
export function undeliveredLine(u: { expert: string; site: string; room: string; label: string; why: 'no_such_booth' | 'no_device' }): string {
  const why = bilingual(u.why === 'no_such_booth' ? 'projects.seats.noSuchBooth' : 'projects.seats.noDevice');
  return `  ${bilingual('projects.seats.notDelivered')}: ${u.site}/${u.room} ${u.label} (${u.expert}) — ${why}`;
}

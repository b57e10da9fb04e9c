/**
 * Today's count per room for the staff monitor: expected (seated in the room by the roster), arrived
 * (passed this gate today, among the expected) and missing. A room door counts only its own room.
 * Pure.
 */
import type { GateMonitor } from '@kawei/shared/contract/gate-check.ts';
import type { GateRosterEntry } from '@kawei/shared/api/gate-roster.ts';
import { roomName } from '../check/gate-decision.ts';

export type RoomCount = GateMonitor['rooms'][number];

export function roomCounts(
  entries: readonly GateRosterEntry[],
  arrived: ReadonlySet<string>,
  onlyRoom: string | null = null,
): RoomCount[] {
  const rooms = new Map<string, { roomNumber: number; expected: number; arrived: number }>();
  for (const e of entries) {
    if (onlyRoom !== null && e.room !== onlyRoom) continue;
    const r = rooms.get(e.room) ?? { roomNumber: e.roomNumber, expected: 0, arrived: 0 };
    r.expected++;
    if (arrived.has(e.expert)) r.arrived++;
    rooms.set(e.room, r);
  }
  return [...rooms]
    .sort(([a, ra], [b, rb]) => ra.roomNumber - rb.roomNumber || a.localeCompare(b))
    .map(([roomId, r]) => ({
      roomId,
      roomName: roomName(r.roomNumber),
      expected: r.expected,
      arrived: r.arrived,
      missing: r.expected - r.arrived,
    }));
}

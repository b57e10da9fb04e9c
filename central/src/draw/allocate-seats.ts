import { boothLabel } from '@kawei/shared/domain/topology.ts';
import type { DayInput, DrawFailure } from './day-schema.ts';
import type { DrawRng } from './prng.ts';

/**
 * Seats the drawn experts. Hard rules: an expert sits only at a site they can reach, in an enabled
 * booth, one expert per booth, and two experts of one project are never in 8-adjacent booths of a
 * room. Objective order (lexicographic), documented in docs/DRAW.md:
 *   1. the hard rules;
 *   2. spread: each project over as many rooms as possible (同标不见面) — fewest same-room pairs;
 *   3. mixing: fewest rooms in which everyone present works on one project (同室不同标);
 *   4. among equal choices, uniformly at random (so booth use is fair).
 *
 * Greedy, most constrained expert first: each expert takes a random booth in one of the best rooms
 * (fewest experts of their project already there, then rooms that would otherwise hold one project
 * only), skipping booths adjacent to a colleague. When no booth is left, one ejection is tried: an
 * expert of another project who can move to a free booth elsewhere makes room.
 */
export interface PlacedSeat {
  expert: string;
  project: string;
  site: string;
  room: string;
  row: number;
  col: number;
  label: string;
}

export interface SeatQuality {
  roomsPerProjectMean: number;
  sameRoomPairs: number;
  singleProjectRooms: number;
}

interface Room {
  site: string;
  id: string;
  rows: number;
  cols: number;
  /** project index per cell, -1 free, -2 disabled */
  cells: Int32Array;
  free: number;
  /** experts per project index in this room */
  count: Map<number, number>;
}

interface Person {
  expert: string;
  project: number;
  rooms: number[]; // indexes of reachable rooms
}

export function allocateSeats(
  input: DayInput,
  drawn: readonly { project: string; experts: readonly string[] }[],
  rng: DrawRng,
): { ok: true; seats: PlacedSeat[]; quality: SeatQuality } | { ok: false; failures: DrawFailure[] } {
  const rooms: Room[] = [];
  const roomsOfSite = new Map<string, number[]>();
  for (const site of input.sites) {
    const indexes: number[] = [];
    for (const room of site.rooms) {
      const cells = new Int32Array(room.rows * room.cols).fill(-1);
      const disabled = new Set(room.disabled);
      let free = 0;
      for (let r = 0; r < room.rows; r++) {
        for (let c = 0; c < room.cols; c++) {
          if (disabled.has(boothLabel(r, c))) cells[r * room.cols + c] = -2;
          else free++;
        }
      }
      indexes.push(rooms.length);
      rooms.push({ site: site.id, id: room.id, rows: room.rows, cols: room.cols, cells, free, count: new Map() });
    }
    roomsOfSite.set(site.id, indexes);
  }

  const expertById = new Map(input.experts.map((e) => [e.id, e]));
  const projectIds = drawn.map((d) => d.project);
  const people: Person[] = drawn.flatMap((d, projectIndex) =>
    d.experts.map((expert) => ({
      expert,
      project: projectIndex,
      rooms: (expertById.get(expert)?.sites ?? []).flatMap((s) => roomsOfSite.get(s) ?? []),
    })),
  );

  const failures = precheck(people, rooms, projectIds);
  if (failures.length > 0) return { ok: false, failures };

  // Most constrained first: fewest reachable booths; ties in random order.
  const capacity = (p: Person) => p.rooms.reduce((a, r) => a + rooms[r]!.free, 0);
  const order = rng.shuffle(people.map((_, i) => i));
  const rank = new Map(order.map((p, i) => [p, i]));
  const capacities = people.map(capacity);
  order.sort((a, b) => capacities[a]! - capacities[b]! || rank.get(a)! - rank.get(b)!);

  const placedAt = new Array<{ room: number; cell: number } | null>(people.length).fill(null);
  const stuck: number[] = [];
  for (const personIndex of order) {
    const spot = bestSpot(people[personIndex]!, rooms, rng) ?? ejectAndPlace(personIndex, people, rooms, placedAt, rng);
    if (!spot) {
      stuck.push(personIndex);
      continue;
    }
    place(rooms, people[personIndex]!, spot, placedAt, personIndex);
  }
  if (stuck.length > 0) return { ok: false, failures: describeStuck(stuck, people, rooms, projectIds) };

  const seats: PlacedSeat[] = people.map((p, i) => {
    const at = placedAt[i]!;
    const room = rooms[at.room]!;
    const row = Math.floor(at.cell / room.cols);
    const col = at.cell % room.cols;
    return { expert: p.expert, project: projectIds[p.project]!, site: room.site, room: room.id, row, col, label: boothLabel(row, col) };
  });
  seats.sort((a, b) => cmp(a.site, b.site) || cmp(a.room, b.room) || a.row - b.row || a.col - b.col);
  return { ok: true, seats, quality: seatQuality(seats) };
}

/** The best free booth for this person now, or null. */
function bestSpot(person: Person, rooms: Room[], rng: DrawRng): { room: number; cell: number } | null {
  let bestKey = Infinity;
  let best: { room: number; cells: number[] }[] = [];
  for (const roomIndex of person.rooms) {
    const room = rooms[roomIndex]!;
    if (room.free === 0) continue;
    const same = room.count.get(person.project) ?? 0;
    // Mixing: a room whose occupants all share one (other) project gains a second project from us.
    const occupied = sum(room.count);
    const mixes = occupied > 0 && same === 0 ? 0 : occupied === 0 ? 1 : 2;
    const key = same * 4 + mixes;
    if (key > bestKey) continue;
    const cells = validCells(room, person.project);
    if (cells.length === 0) continue;
    if (key < bestKey) {
      bestKey = key;
      best = [];
    }
    best.push({ room: roomIndex, cells });
  }
  if (best.length === 0) return null;
  const choice = best[rng.int(best.length)]!;
  return { room: choice.room, cell: choice.cells[rng.int(choice.cells.length)]! };
}

/** Free cells of a room not 8-adjacent to an expert of `project`. */
function validCells(room: Room, project: number): number[] {
  const out: number[] = [];
  const hasColleague = (room.count.get(project) ?? 0) > 0;
  for (let cell = 0; cell < room.cells.length; cell++) {
    if (room.cells[cell] !== -1) continue;
    if (hasColleague && adjacentTo(room, cell, project)) continue;
    out.push(cell);
  }
  return out;
}

function adjacentTo(room: Room, cell: number, project: number, ignoreCell = -1): boolean {
  const r = Math.floor(cell / room.cols);
  const c = cell % room.cols;
  for (let dr = -1; dr <= 1; dr++) {
    for (let dc = -1; dc <= 1; dc++) {
      if (dr === 0 && dc === 0) continue;
      const rr = r + dr;
      const cc = c + dc;
      if (rr < 0 || cc < 0 || rr >= room.rows || cc >= room.cols) continue;
      const other = rr * room.cols + cc;
      if (other !== ignoreCell && room.cells[other] === project) return true;
    }
  }
  return false;
}

function place(
  rooms: Room[],
  person: Person,
  spot: { room: number; cell: number },
  placedAt: ({ room: number; cell: number } | null)[],
  personIndex: number,
): void {
  const room = rooms[spot.room]!;
  room.cells[spot.cell] = person.project;
  room.free--;
  room.count.set(person.project, (room.count.get(person.project) ?? 0) + 1);
  placedAt[personIndex] = spot;
}

function unplace(rooms: Room[], person: Person, placedAt: ({ room: number; cell: number } | null)[], personIndex: number): void {
  const spot = placedAt[personIndex]!;
  const room = rooms[spot.room]!;
  room.cells[spot.cell] = -1;
  room.free++;
  room.count.set(person.project, room.count.get(person.project)! - 1);
  placedAt[personIndex] = null;
}

/**
 * No free booth fits: find an occupant (another project) of a booth this person could take, who can
 * move to a free booth of their own elsewhere. One level deep: enough for the sizes of a day.
 */
function ejectAndPlace(
  personIndex: number,
  people: Person[],
  rooms: Room[],
  placedAt: ({ room: number; cell: number } | null)[],
  rng: DrawRng,
): { room: number; cell: number } | null {
  const person = people[personIndex]!;
  const occupantAt = new Map<string, number>();
  placedAt.forEach((at, i) => {
    if (at) occupantAt.set(`${at.room}:${at.cell}`, i);
  });
  for (const roomIndex of rng.shuffle([...person.rooms])) {
    const room = rooms[roomIndex]!;
    for (let cell = 0; cell < room.cells.length; cell++) {
      const project = room.cells[cell]!;
      if (project < 0 || project === person.project) continue;
      if (adjacentTo(room, cell, person.project)) continue;
      const occupant = occupantAt.get(`${roomIndex}:${cell}`)!;
      unplace(rooms, people[occupant]!, placedAt, occupant);
      const elsewhere = bestSpot(people[occupant]!, rooms, rng);
      if (elsewhere && !(elsewhere.room === roomIndex && elsewhere.cell === cell)) {
        place(rooms, people[occupant]!, elsewhere, placedAt, occupant);
        return { room: roomIndex, cell };
      }
      place(rooms, people[occupant]!, { room: roomIndex, cell }, placedAt, occupant);
    }
  }
  return null;
}

/**
 * Capacity checks that name the failing project before any seating: more experts than booths at the
 * sites they can reach (too_few_booths), or more experts of one project than fit mutually
 * non-adjacent in the rooms they can reach (adjacency_impossible; a 3×3 room holds at most 4).
 */
function precheck(people: Person[], rooms: Room[], projectIds: string[]): DrawFailure[] {
  const failures: DrawFailure[] = [];
  const byProject = new Map<number, Person[]>();
  for (const p of people) byProject.set(p.project, [...(byProject.get(p.project) ?? []), p]);
  for (const [project, members] of byProject) {
    const reachable = new Set(members.flatMap((m) => m.rooms));
    const independent = [...reachable].reduce((a, r) => a + maxIndependentCells(rooms[r]!), 0);
    const booths = [...reachable].reduce((a, r) => a + rooms[r]!.free, 0);
    if (booths < members.length) {
      failures.push({
        project: projectIds[project]!,
        reason: 'too_few_booths',
        needed: members.length,
        available: booths,
        message: `project ${projectIds[project]} has ${members.length} experts but the sites they can reach have ${booths} enabled booths`,
      });
    } else if (independent < members.length) {
      failures.push({
        project: projectIds[project]!,
        reason: 'adjacency_impossible',
        needed: members.length,
        available: independent,
        message: `project ${projectIds[project]} has ${members.length} experts but at most ${independent} can sit non-adjacent in the rooms they can reach`,
      });
    }
  }
  return failures;
}

/** Largest set of enabled cells with no two 8-adjacent: every other row and column, best offset. */
function maxIndependentCells(room: Room): number {
  let best = 0;
  for (let r0 = 0; r0 < 2; r0++) {
    for (let c0 = 0; c0 < 2; c0++) {
      let n = 0;
      for (let r = r0; r < room.rows; r += 2) for (let c = c0; c < room.cols; c += 2) if (room.cells[r * room.cols + c] !== -2) n++;
      best = Math.max(best, n);
    }
  }
  return best;
}

function describeStuck(stuck: number[], people: Person[], rooms: Room[], projectIds: string[]): DrawFailure[] {
  const seen = new Map<string, DrawFailure>();
  for (const index of stuck) {
    const person = people[index]!;
    const project = projectIds[person.project]!;
    if (seen.has(project)) continue;
    const free = person.rooms.reduce((a, r) => a + rooms[r]!.free, 0);
    seen.set(
      project,
      free === 0
        ? {
            project,
            reason: 'too_few_booths',
            needed: 1,
            available: 0,
            message: `expert ${person.expert} of project ${project} cannot be seated: every booth at the sites they can reach is taken by the day's other experts`,
          }
        : {
            project,
            reason: 'adjacency_impossible',
            needed: 1,
            available: 0,
            message: `expert ${person.expert} of project ${project} cannot be seated: the ${free} free booths they can reach are all next to a colleague of the same project`,
          },
    );
  }
  return [...seen.values()];
}

export function seatQuality(seats: readonly { project: string; room: string; site: string }[]): SeatQuality {
  const roomsOfProject = new Map<string, Set<string>>();
  const projectsInRoom = new Map<string, Map<string, number>>();
  for (const s of seats) {
    const roomKey = `${s.site}/${s.room}`;
    if (!roomsOfProject.has(s.project)) roomsOfProject.set(s.project, new Set());
    roomsOfProject.get(s.project)!.add(roomKey);
    if (!projectsInRoom.has(roomKey)) projectsInRoom.set(roomKey, new Map());
    const counts = projectsInRoom.get(roomKey)!;
    counts.set(s.project, (counts.get(s.project) ?? 0) + 1);
  }
  let sameRoomPairs = 0;
  let singleProjectRooms = 0;
  for (const counts of projectsInRoom.values()) {
    for (const k of counts.values()) sameRoomPairs += (k * (k - 1)) / 2;
    if (counts.size === 1 && [...counts.values()][0]! >= 2) singleProjectRooms++;
  }
  const projects = [...roomsOfProject.values()];
  const roomsPerProjectMean = projects.length === 0 ? 0 : projects.reduce((a, r) => a + r.size, 0) / projects.length;
  return { roomsPerProjectMean: Math.round(roomsPerProjectMean * 1000) / 1000, sameRoomPairs, singleProjectRooms };
}

function sum(map: Map<number, number>): number {
  let total = 0;
  for (const v of map.values()) total += v;
  return total;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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
 * Two phases. Rooms first, most constrained expert first: each takes one of the best rooms by that
 * order (at random among equals), never more of one project in a room than fit there mutually
 * non-adjacent; when no room has space, an augmenting path moves earlier experts between their
 * reachable rooms (a matching with capacities), so capacity alone never fails a seatable day. Then
 * booths inside each room by a small backtracking search (a room has a few dozen cells at most).
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

export type SeatingOutcome =
  | { ok: true; seats: PlacedSeat[]; quality: SeatQuality }
  | {
      ok: false;
      failures: DrawFailure[];
      /**
       * Drawn experts competing for the booths that ran out (those left standing, and those sitting in
       * the rooms they could reach): replacing any one of them may let the day seat.
       */
      stuck: { expert: string; project: string }[];
      /** True when no seating of these drawn experts can exist (capacity), false when greedy got stuck. */
      definite: boolean;
    };

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
  /** most experts of one project that fit here mutually non-adjacent */
  independent: number;
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
): SeatingOutcome {
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
      const entry: Room = { site: site.id, id: room.id, rows: room.rows, cols: room.cols, cells, free, count: new Map(), independent: 0 };
      entry.independent = maxIndependentCells(entry);
      rooms.push(entry);
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
  if (failures.length > 0) {
    // The member of each failing project with the least room to sit is the one to replace.
    const roomFor = (p: Person) => p.rooms.reduce((a, r) => a + maxIndependentCells(rooms[r]!), 0);
    const stuck = failures.flatMap((f) => {
      const members = people.filter((p) => projectIds[p.project] === f.project);
      const least = Math.min(...members.map(roomFor));
      return members.filter((m) => roomFor(m) === least).map((m) => ({ expert: m.expert, project: f.project }));
    });
    return { ok: false, failures, stuck, definite: true };
  }

  // Most constrained first: fewest reachable booths; ties in random order.
  const capacity = (p: Person) => p.rooms.reduce((a, r) => a + rooms[r]!.free, 0);
  const order = rng.shuffle(people.map((_, i) => i));
  const rank = new Map(order.map((p, i) => [p, i]));
  const capacities = people.map(capacity);
  order.sort((a, b) => capacities[a]! - capacities[b]! || rank.get(a)! - rank.get(b)!);

  // Phase 1: a room for everyone. Best room by the objective order; when none has space, an
  // augmenting path moves earlier experts between their reachable rooms to make space (a matching
  // with room capacities), so capacity alone never makes a feasible day fail.
  const roomOf = new Int32Array(people.length).fill(-1);
  const occupants = rooms.map(() => [] as number[]);
  const stuck: number[] = [];
  for (const personIndex of order) {
    const room = bestRoom(people[personIndex]!, rooms, occupants, rng);
    if (room >= 0) assignRoom(personIndex, room, roomOf, occupants, people, rooms);
    else if (!augmentRooms(personIndex, people, rooms, roomOf, occupants, rng)) stuck.push(personIndex);
  }

  if (stuck.length === 0) improveSpread(people, rooms, roomOf, occupants, rng);

  // Phase 2: booths inside each room, colleagues never 8-adjacent (a small search per room).
  const placedAt = new Array<{ room: number; cell: number } | null>(people.length).fill(null);
  if (stuck.length === 0) {
    for (let r = 0; r < rooms.length; r++) {
      const cells = placeInRoom(rooms[r]!, occupants[r]!.map((i) => people[i]!.project), rng);
      if (!cells) {
        stuck.push(...occupants[r]!);
        continue;
      }
      occupants[r]!.forEach((personIndex, k) => {
        placedAt[personIndex] = { room: r, cell: cells[k]! };
      });
    }
  }
  if (stuck.length > 0) {
    return {
      ok: false,
      failures: describeStuck(stuck, people, rooms, projectIds),
      stuck: competitors(stuck, people, roomOf).map((i) => ({ expert: people[i]!.expert, project: projectIds[people[i]!.project]! })),
      definite: false,
    };
  }

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

/**
 * The best room with space for this person now, or -1: fewest colleagues already there (spread),
 * then one whose occupants would otherwise share a single project (mixing), then at random. A room
 * never takes more of one project than can sit there mutually non-adjacent.
 */
function bestRoom(person: Person, rooms: Room[], occupants: number[][], rng: DrawRng): number {
  let bestKey = Infinity;
  let best: number[] = [];
  for (const roomIndex of person.rooms) {
    const room = rooms[roomIndex]!;
    if (occupants[roomIndex]!.length >= room.free) continue;
    const same = room.count.get(person.project) ?? 0;
    if (same >= room.independent) continue;
    const occupied = occupants[roomIndex]!.length;
    const mixes = occupied > 0 && same === 0 ? 0 : occupied === 0 ? 1 : 2;
    const key = same * 4 + mixes;
    if (key < bestKey) {
      bestKey = key;
      best = [];
    }
    if (key === bestKey) best.push(roomIndex);
  }
  return best.length === 0 ? -1 : best[rng.int(best.length)]!;
}

function assignRoom(personIndex: number, room: number, roomOf: Int32Array, occupants: number[][], people: Person[], rooms: Room[]): void {
  roomOf[personIndex] = room;
  occupants[room]!.push(personIndex);
  const project = people[personIndex]!.project;
  rooms[room]!.count.set(project, (rooms[room]!.count.get(project) ?? 0) + 1);
}

function unassignRoom(personIndex: number, roomOf: Int32Array, occupants: number[][], people: Person[], rooms: Room[]): void {
  const room = roomOf[personIndex]!;
  const list = occupants[room]!;
  list.splice(list.indexOf(personIndex), 1);
  const project = people[personIndex]!.project;
  rooms[room]!.count.set(project, rooms[room]!.count.get(project)! - 1);
  roomOf[personIndex] = -1;
}

/**
 * Local improvement of the spread after the room phase. An expert sharing a room with a colleague
 * leaves it for a reachable room with none of their colleagues: one with space, or a full one whose
 * occupant (another project) moves on the same way, or one where a single colleague sits, who then
 * moves on — an ejection chain, depth-limited, that ends in a room without a colleague. Each success removes a same-room pair and adds
 * none, so it ends; the order of tries is random.
 */
function improveSpread(people: Person[], rooms: Room[], roomOf: Int32Array, occupants: number[][], rng: DrawRng): void {
  const colleagues = (room: number, project: number) => rooms[room]!.count.get(project) ?? 0;
  const settle = (x: number, leaving: number, visited: Uint8Array, depth: number): boolean => {
    const person = people[x]!;
    const targets = rng.shuffle(person.rooms.filter((r) => r !== leaving && !visited[r] && colleagues(r, person.project) === 0));
    const open = targets.find((r) => occupants[r]!.length < rooms[r]!.free);
    if (open !== undefined) {
      assignRoom(x, open, roomOf, occupants, people, rooms);
      return true;
    }
    if (depth >= 6) return false;
    // A room holding exactly one colleague: take that colleague's place, and move the colleague on.
    const shared = rng.shuffle(person.rooms.filter((r) => r !== leaving && !visited[r] && colleagues(r, person.project) === 1));
    for (const r of shared) {
      visited[r] = 1;
      const colleague = occupants[r]!.find((j) => people[j]!.project === person.project)!;
      unassignRoom(colleague, roomOf, occupants, people, rooms);
      assignRoom(x, r, roomOf, occupants, people, rooms);
      if (settle(colleague, r, visited, depth + 1)) return true;
      unassignRoom(x, roomOf, occupants, people, rooms);
      assignRoom(colleague, r, roomOf, occupants, people, rooms);
    }
    for (const r of targets) {
      visited[r] = 1;
      for (const j of [...occupants[r]!]) {
        unassignRoom(j, roomOf, occupants, people, rooms);
        assignRoom(x, r, roomOf, occupants, people, rooms);
        if (settle(j, r, visited, depth + 1)) return true;
        unassignRoom(x, roomOf, occupants, people, rooms);
        assignRoom(j, r, roomOf, occupants, people, rooms);
      }
    }
    return false;
  };
  for (let pass = 0; pass < 20; pass++) {
    let improved = false;
    for (const i of rng.shuffle(people.map((_, k) => k))) {
      const here = roomOf[i]!;
      if (colleagues(here, people[i]!.project) < 2) continue;
      unassignRoom(i, roomOf, occupants, people, rooms);
      // The room just left stays open to the chain: an ejected expert may take that place (a swap).
      if (settle(i, here, new Uint8Array(rooms.length), 0)) improved = true;
      else assignRoom(i, here, roomOf, occupants, people, rooms);
    }
    if (!improved) return;
  }
}

/** Room fits this person: space left and under its project's non-adjacent limit. */
function fits(person: Person, room: number, rooms: Room[], occupants: number[][]): boolean {
  return occupants[room]!.length < rooms[room]!.free && (rooms[room]!.count.get(person.project) ?? 0) < rooms[room]!.independent;
}

/**
 * Augmenting path over rooms (Kuhn's algorithm with capacities): seat `start` in a reachable room by
 * moving an occupant to another of their reachable rooms, recursively. Depth-first, iterative, each
 * room visited once per search.
 */
function augmentRooms(start: number, people: Person[], rooms: Room[], roomOf: Int32Array, occupants: number[][], rng: DrawRng): boolean {
  const visited = new Uint8Array(rooms.length);
  const tryPlace = (personIndex: number, depth: number): boolean => {
    const person = people[personIndex]!;
    const choices = rng.shuffle([...person.rooms]);
    for (const room of choices) {
      if (!visited[room] && fits(person, room, rooms, occupants)) {
        assignRoom(personIndex, room, roomOf, occupants, people, rooms);
        return true;
      }
    }
    if (depth > 64) return false;
    for (const room of choices) {
      if (visited[room]) continue;
      visited[room] = 1;
      for (const other of [...occupants[room]!]) {
        unassignRoom(other, roomOf, occupants, people, rooms);
        if (fits(person, room, rooms, occupants)) {
          assignRoom(personIndex, room, roomOf, occupants, people, rooms);
          if (tryPlace(other, depth + 1)) return true;
          unassignRoom(personIndex, roomOf, occupants, people, rooms);
        }
        assignRoom(other, room, roomOf, occupants, people, rooms);
      }
    }
    return false;
  };
  return tryPlace(start, 0);
}

/**
 * Cells for a room's occupants (given as their project indexes): every occupant a free enabled cell,
 * colleagues of one project never 8-adjacent. Largest project first, cells in random order, with
 * backtracking: a room has at most a few dozen cells, and the room phase already capped each project
 * at what fits alone. Returns one cell per occupant (same order), or null if no placement exists.
 */
function placeInRoom(room: Room, projects: number[], rng: DrawRng): number[] | null {
  const size = new Map<number, number>();
  for (const p of projects) size.set(p, (size.get(p) ?? 0) + 1);
  const order = rng.shuffle(projects.map((_, i) => i));
  order.sort((a, b) => size.get(projects[b]!)! - size.get(projects[a]!)!);
  const free = rng.shuffle([...room.cells.keys()].filter((c) => room.cells[c] === -1));
  const chosen = new Array<number>(projects.length).fill(-1);
  const taken = new Int32Array(room.cells.length).fill(-1); // project per cell during the search
  let steps = 0;
  const search = (k: number): boolean => {
    if (k === order.length) return true;
    if (++steps > 20_000) return false;
    const who = order[k]!;
    const project = projects[who]!;
    for (const cell of free) {
      if (taken[cell] !== -1 || neighbourHas(room, taken, cell, project)) continue;
      taken[cell] = project;
      chosen[who] = cell;
      if (search(k + 1)) return true;
      taken[cell] = -1;
    }
    return false;
  };
  if (!search(0)) return null;
  for (let k = 0; k < projects.length; k++) room.cells[chosen[k]!] = projects[k]!;
  return chosen;
}

function neighbourHas(room: Room, taken: Int32Array, cell: number, project: number): boolean {
  const r = Math.floor(cell / room.cols);
  const c = cell % room.cols;
  for (let dr = -1; dr <= 1; dr++) {
    for (let dc = -1; dc <= 1; dc++) {
      if (dr === 0 && dc === 0) continue;
      const rr = r + dr;
      const cc = c + dc;
      if (rr >= 0 && cc >= 0 && rr < room.rows && cc < room.cols && taken[rr * room.cols + cc] === project) return true;
    }
  }
  return false;
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
    const free = person.rooms.reduce((a, r) => a + rooms[r]!.free - countOccupied(rooms[r]!), 0);
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

/** The unseated, plus everyone assigned to a room one of them could reach. */
function competitors(stuck: number[], people: Person[], roomOf: Int32Array): number[] {
  const rooms = new Set(stuck.flatMap((i) => people[i]!.rooms));
  const out = new Set(stuck);
  roomOf.forEach((room, i) => {
    if (room >= 0 && rooms.has(room)) out.add(i);
  });
  return [...out].sort((a, b) => a - b);
}

function countOccupied(room: Room): number {
  let total = 0;
  for (const v of room.count.values()) total += v;
  return total;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { drawResultSchema, type DayInput, type DayProject, type DrawResult } from './day-schema.ts';

/**
 * An independent checker of the draw's rules (issue #4), written from the rules and not from the
 * algorithm: it shares nothing with run-draw.ts but the day schema. The property tests run it on
 * every generated day; an operator can run it on any published result.json.
 *
 * Rules (the `rule` of each violation):
 *   schema                  the result is not a valid result.json
 *   date                    the result's date is not the day's
 *   draw.projects           every project has exactly one draw; no draw of an unknown project
 *   draw.count              experts[] holds exactly the sum of the needs' counts; alternates[] exactly `alternates`
 *   draw.unknown_expert     every drawn id is an expert of the day
 *   draw.coverage           the drawn experts cover every need: each need {specialty, count} by `count`
 *                           distinct drawn experts having that specialty (a perfect bipartite matching)
 *   draw.specialty          every alternate has the specialty of one of the project's needs
 *   draw.employer           no drawn expert's employer is the org of one of the project's bidders
 *   draw.conflict           no drawn expert has a listed conflict with the org of one of the project's bidders
 *   draw.once               an expert is drawn at most once in the day (experts and alternates together)
 *   seat.count              every drawn non-alternate expert has exactly one seat; alternates and
 *                           experts not drawn have none
 *   seat.project            a seat's project is the project the expert was drawn for
 *   seat.site               the seat's site exists and the expert can reach it
 *   seat.room               the seat's room exists at that site
 *   seat.grid               row and col lie within the room's grid
 *   seat.label              label = row letter (A = row 0) + (col + 1)
 *   seat.disabled           no seat in a booth disabled for the day
 *   seat.booth_shared       one expert per booth
 *   seat.adjacent           two experts of one project never in 8-adjacent booths of a room
 *   codename.empty          every code name is non-empty
 *   codename.unique         code names are unique for the day
 *   codename.alphabet       no code name contains 0, O, 1 or I
 *   codename.identity       no code name contains its expert's id or employer (case-insensitive)
 *   blind                   blind[] is exactly the sorted ids of government procurement projects with
 *                           techWeight > 0.4 and of projects flagged `blind`
 *   bidder_codes.coverage   bidderCodes[project] has exactly one code per bidder of the project (and no
 *                           unknown project or bidder)
 *   bidder_codes.empty      every bidder code is non-empty
 *   bidder_codes.unique     bidder codes are unique within a project
 *   bidder_codes.identity   no bidder code contains the bidder's id, name or org (case-insensitive)
 *   quality                 result.quality equals spreadMetrics(result) (the mean to ±0.0005: it may be
 *                           published rounded to three decimals)
 */

export interface RuleViolation {
  rule: string;
  message: string;
  project?: string;
  expert?: string;
}

export interface SpreadMetrics {
  /** Mean over the projects with seats of the number of distinct rooms their experts sit in. */
  roomsPerProjectMean: number;
  /** Pairs of experts of one project seated in one room, summed over rooms and projects. */
  sameRoomPairs: number;
  /** Rooms with at least two experts seated, all of one project. */
  singleProjectRooms: number;
}

const FORBIDDEN_CODENAME_CHARS = ['0', 'O', '1', 'I'] as const;
/** The published mean may be rounded to three decimals. */
const QUALITY_TOLERANCE = 0.0005 + 1e-9;

const roomKey = (site: string, room: string): string => `${site}\u0000${room}`;

export function boothLabel(row: number, col: number): string {
  return `${String.fromCharCode(65 + row)}${col + 1}`;
}

/** The soft goals' figures, computed from the seats alone. */
export function spreadMetrics(result: Pick<DrawResult, 'seats'>): SpreadMetrics {
  const roomsOfProject = new Map<string, Set<string>>();
  const perRoom = new Map<string, Map<string, number>>();
  for (const seat of result.seats) {
    const room = roomKey(seat.site, seat.room);
    let rooms = roomsOfProject.get(seat.project);
    if (!rooms) roomsOfProject.set(seat.project, (rooms = new Set()));
    rooms.add(room);
    let counts = perRoom.get(room);
    if (!counts) perRoom.set(room, (counts = new Map()));
    counts.set(seat.project, (counts.get(seat.project) ?? 0) + 1);
  }
  let roomSum = 0;
  for (const rooms of roomsOfProject.values()) roomSum += rooms.size;
  let sameRoomPairs = 0;
  let singleProjectRooms = 0;
  for (const counts of perRoom.values()) {
    let seated = 0;
    for (const n of counts.values()) {
      sameRoomPairs += (n * (n - 1)) / 2;
      seated += n;
    }
    if (counts.size === 1 && seated >= 2) singleProjectRooms += 1;
  }
  return {
    roomsPerProjectMean: roomsOfProject.size === 0 ? 0 : roomSum / roomsOfProject.size,
    sameRoomPairs,
    singleProjectRooms,
  };
}

/** Projects reviewed blind: government procurement weighing the technical score over 40 %, or flagged. */
export function expectedBlind(input: DayInput): string[] {
  const ids = input.projects
    .filter((p) => (p.category === 'government_procurement' && p.techWeight > 0.4) || p.blind === true)
    .map((p) => p.id);
  return [...new Set(ids)].sort();
}

/**
 * Whether `experts` can be matched one-to-one onto the need slots (each need expanded into `count`
 * slots of its specialty). Returns the slots left uncovered by a maximum matching, by specialty.
 */
export function uncoveredNeeds(
  needs: DayProject['needs'],
  experts: readonly string[],
  specialtiesOf: (expert: string) => ReadonlySet<string>,
): Map<string, number> {
  const slots: string[] = [];
  for (const need of needs) for (let i = 0; i < need.count; i++) slots.push(need.specialty);
  const matchOfExpert = new Array<number>(experts.length).fill(-1);
  const canTake = slots.map((specialty) => experts.flatMap((e, i) => (specialtiesOf(e).has(specialty) ? [i] : [])));
  const augment = (slot: number, seen: boolean[]): boolean => {
    for (const e of canTake[slot] ?? []) {
      if (seen[e]) continue;
      seen[e] = true;
      const other = matchOfExpert[e] ?? -1;
      if (other === -1 || augment(other, seen)) {
        matchOfExpert[e] = slot;
        return true;
      }
    }
    return false;
  };
  const uncovered = new Map<string, number>();
  slots.forEach((specialty, slot) => {
    if (!augment(slot, new Array<boolean>(experts.length).fill(false))) {
      uncovered.set(specialty, (uncovered.get(specialty) ?? 0) + 1);
    }
  });
  return uncovered;
}

export function checkDrawRules(input: DayInput, result: DrawResult): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const report = (rule: string, message: string, where: { project?: string; expert?: string } = {}): void => {
    violations.push({ rule, message, ...where });
  };

  const parsed = drawResultSchema.safeParse(result);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report('schema', `${issue.path.join('.')}: ${issue.message}`);
    return violations;
  }
  if (result.date !== input.date) report('date', `result date ${result.date} is not the day's ${input.date}`);

  const experts = new Map(input.experts.map((e) => [e.id, e]));
  const specialties = new Map(input.experts.map((e) => [e.id, new Set(e.specialties)]));
  const noSpecialties = new Set<string>();
  const specialtiesOf = (id: string): ReadonlySet<string> => specialties.get(id) ?? noSpecialties;
  const projects = new Map(input.projects.map((p) => [p.id, p]));
  const conflictsOf = new Map<string, Set<string>>();
  for (const c of input.conflicts) {
    let orgs = conflictsOf.get(c.expert);
    if (!orgs) conflictsOf.set(c.expert, (orgs = new Set()));
    orgs.add(c.org);
  }

  // --- The draw ---------------------------------------------------------------------------------
  const drawOf = new Map<string, DrawResult['draws'][number]>();
  for (const draw of result.draws) {
    if (!projects.has(draw.project)) report('draw.projects', `draw of unknown project ${draw.project}`, { project: draw.project });
    else if (drawOf.has(draw.project)) report('draw.projects', `project ${draw.project} is drawn twice`, { project: draw.project });
    else drawOf.set(draw.project, draw);
  }
  /** expert → where drawn (first occurrence) */
  const drawnFor = new Map<string, { project: string; alternate: boolean }>();
  for (const project of input.projects) {
    const draw = drawOf.get(project.id);
    if (!draw) {
      report('draw.projects', `project ${project.id} has no draw`, { project: project.id });
      continue;
    }
    const where = { project: project.id };
    const needed = project.needs.reduce((sum, n) => sum + n.count, 0);
    if (draw.experts.length !== needed) {
      report('draw.count', `${draw.experts.length} experts drawn, the needs ask for ${needed}`, where);
    }
    if (draw.alternates.length !== project.alternates) {
      report('draw.count', `${draw.alternates.length} alternates drawn, the project asks for ${project.alternates}`, where);
    }
    const bidderOrgs = new Set(project.bidders.map((b) => b.org));
    const needSpecialties = new Set(project.needs.map((n) => n.specialty));
    const known: string[] = [];
    for (const [id, alternate] of [
      ...draw.experts.map((id) => [id, false] as const),
      ...draw.alternates.map((id) => [id, true] as const),
    ]) {
      const at = { project: project.id, expert: id };
      const expert = experts.get(id);
      if (!expert) {
        report('draw.unknown_expert', `${id} is not an expert of the day`, at);
        continue;
      }
      if (!alternate) known.push(id);
      const earlier = drawnFor.get(id);
      if (earlier) {
        report(
          'draw.once',
          `${id} is drawn for ${project.id}${alternate ? ' (alternate)' : ''} and already for ${earlier.project}${earlier.alternate ? ' (alternate)' : ''}`,
          at,
        );
      } else {
        drawnFor.set(id, { project: project.id, alternate });
      }
      if (bidderOrgs.has(expert.employer)) {
        report('draw.employer', `${id} works for ${expert.employer}, a bidder's org of ${project.id}`, at);
      }
      for (const org of conflictsOf.get(id) ?? []) {
        if (bidderOrgs.has(org)) report('draw.conflict', `${id} has a listed conflict with ${org}, a bidder's org of ${project.id}`, at);
      }
      if (alternate && !expert.specialties.some((s) => needSpecialties.has(s))) {
        report('draw.specialty', `alternate ${id} has none of the needs' specialties (${[...needSpecialties].join(', ')})`, at);
      }
    }
    const uncovered = uncoveredNeeds(project.needs, known, specialtiesOf);
    for (const [specialty, missing] of uncovered) {
      report('draw.coverage', `the drawn experts leave ${missing} of the need for ${specialty} uncovered`, where);
    }
  }

  // --- Seats ------------------------------------------------------------------------------------
  const sites = new Map(input.sites.map((s) => [s.id, new Map(s.rooms.map((r) => [r.id, r]))]));
  const seatsOf = new Map<string, number>();
  const boothTaken = new Map<string, string>();
  /** room → project → booth coordinates, for the adjacency rule */
  const placed = new Map<string, Map<string, { row: number; col: number; expert: string }[]>>();
  const codenameOwner = new Map<string, string>();
  for (const seat of result.seats) {
    const at = { project: seat.project, expert: seat.expert };
    seatsOf.set(seat.expert, (seatsOf.get(seat.expert) ?? 0) + 1);
    const drawn = drawnFor.get(seat.expert);
    if (drawn && drawn.project !== seat.project) {
      report('seat.project', `${seat.expert} is seated for ${seat.project} but drawn for ${drawn.project}`, at);
    }
    const expert = experts.get(seat.expert);

    // Code names.
    const codename = seat.codename;
    if (codename.length === 0) report('codename.empty', `${seat.expert} has an empty code name`, at);
    const bad = FORBIDDEN_CODENAME_CHARS.filter((c) => codename.includes(c));
    if (bad.length > 0) report('codename.alphabet', `code name ${codename} contains ${bad.join(', ')}`, at);
    const owner = codenameOwner.get(codename);
    if (owner !== undefined) report('codename.unique', `code name ${codename} is given to ${owner} and ${seat.expert}`, at);
    else codenameOwner.set(codename, seat.expert);
    if (expert && codename.length > 0) {
      const lower = codename.toLowerCase();
      for (const identity of [expert.id, expert.employer]) {
        if (lower.includes(identity.toLowerCase())) report('codename.identity', `code name ${codename} contains ${identity}`, at);
      }
    }

    // Where.
    const rooms = sites.get(seat.site);
    if (!rooms) {
      report('seat.site', `${seat.expert} is seated at unknown site ${seat.site}`, at);
      continue;
    }
    if (expert && !expert.sites.includes(seat.site)) {
      report('seat.site', `${seat.expert} cannot reach site ${seat.site} (reaches ${expert.sites.join(', ')})`, at);
    }
    const room = rooms.get(seat.room);
    if (!room) {
      report('seat.room', `room ${seat.room} does not exist at site ${seat.site}`, at);
      continue;
    }
    if (seat.row < 0 || seat.row >= room.rows || seat.col < 0 || seat.col >= room.cols) {
      report('seat.grid', `booth (${seat.row}, ${seat.col}) is outside the ${room.rows}×${room.cols} room ${seat.site}/${seat.room}`, at);
    }
    const label = boothLabel(seat.row, seat.col);
    if (seat.label !== label) report('seat.label', `label ${seat.label} at row ${seat.row}, col ${seat.col} should be ${label}`, at);
    if (room.disabled.includes(label)) report('seat.disabled', `booth ${label} of ${seat.site}/${seat.room} is disabled today`, at);
    const key = roomKey(seat.site, seat.room);
    const booth = `${key}\u0000${seat.row}\u0000${seat.col}`;
    const occupant = boothTaken.get(booth);
    if (occupant !== undefined) {
      report('seat.booth_shared', `booth ${label} of ${seat.site}/${seat.room} seats ${occupant} and ${seat.expert}`, at);
    } else {
      boothTaken.set(booth, seat.expert);
    }
    let byProject = placed.get(key);
    if (!byProject) placed.set(key, (byProject = new Map()));
    let same = byProject.get(seat.project);
    if (!same) byProject.set(seat.project, (same = []));
    for (const other of same) {
      if (Math.abs(other.row - seat.row) <= 1 && Math.abs(other.col - seat.col) <= 1) {
        report(
          'seat.adjacent',
          `${other.expert} (${boothLabel(other.row, other.col)}) and ${seat.expert} (${label}) of ${seat.project} are adjacent in ${seat.site}/${seat.room}`,
          at,
        );
      }
    }
    same.push({ row: seat.row, col: seat.col, expert: seat.expert });
  }
  for (const [id, drawn] of drawnFor) {
    const n = seatsOf.get(id) ?? 0;
    if (drawn.alternate && n > 0) report('seat.count', `alternate ${id} is seated`, { project: drawn.project, expert: id });
    if (!drawn.alternate && n !== 1) report('seat.count', `${id} has ${n} seats, not 1`, { project: drawn.project, expert: id });
  }
  for (const [id, n] of seatsOf) {
    if (!drawnFor.has(id)) report('seat.count', `${id} is seated (${n}×) but not drawn`, { expert: id });
  }

  // --- Blind review and bidder codes --------------------------------------------------------------
  const blind = expectedBlind(input);
  if (JSON.stringify(blind) !== JSON.stringify(result.blind)) {
    report('blind', `blind is [${result.blind.join(', ')}], the rules give [${blind.join(', ')}]`);
  }
  for (const project of input.projects) {
    const where = { project: project.id };
    const codes = result.bidderCodes[project.id];
    if (!codes) {
      if (project.bidders.length > 0) report('bidder_codes.coverage', `no bidder codes for ${project.id}`, where);
      continue;
    }
    const bidders = new Map(project.bidders.map((b) => [b.id, b]));
    for (const id of Object.keys(codes)) {
      if (!bidders.has(id)) report('bidder_codes.coverage', `code for unknown bidder ${id}`, where);
    }
    const owners = new Map<string, string>();
    for (const bidder of project.bidders) {
      const code = codes[bidder.id];
      if (code === undefined) {
        report('bidder_codes.coverage', `bidder ${bidder.id} has no code`, where);
        continue;
      }
      if (code.length === 0) report('bidder_codes.empty', `bidder ${bidder.id} has an empty code`, where);
      const owner = owners.get(code);
      if (owner !== undefined) report('bidder_codes.unique', `code ${code} is given to ${owner} and ${bidder.id}`, where);
      else owners.set(code, bidder.id);
      const lower = code.toLowerCase();
      if (code.length > 0) {
        for (const identity of new Set([bidder.id, bidder.name, bidder.org])) {
          if (lower.includes(identity.toLowerCase())) report('bidder_codes.identity', `code ${code} contains ${identity}`, where);
        }
      }
    }
  }
  for (const id of Object.keys(result.bidderCodes)) {
    if (!projects.has(id)) report('bidder_codes.coverage', `bidder codes for unknown project ${id}`, { project: id });
  }

  // --- Spread -----------------------------------------------------------------------------------
  const spread = spreadMetrics(result);
  const q = result.quality;
  if (
    Math.abs(q.roomsPerProjectMean - spread.roomsPerProjectMean) > QUALITY_TOLERANCE ||
    q.sameRoomPairs !== spread.sameRoomPairs ||
    q.singleProjectRooms !== spread.singleProjectRooms
  ) {
    report('quality', `quality ${JSON.stringify(q)} differs from the seats' ${JSON.stringify(spread)}`);
  }
  return violations;
}

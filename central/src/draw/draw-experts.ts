import type { DayInput, DayProject, DrawFailure } from './day-schema.ts';
import type { DrawRng } from './prng.ts';

/**
 * Draws the experts of all the day's projects at once.
 *
 * Every need {specialty, count} becomes `count` slots; every project's alternates become slots that
 * any of its specialties can fill. An expert is eligible for a project's slot when they have the
 * specialty, can reach at least one of the day's sites, their employer is not the organisation of any
 * of the project's bidders, and no conflict links them to one. Each expert fills at most one slot
 * of the day (alternates included).
 *
 * Slots are filled as a bipartite matching in random order with random candidate order (Kuhn's
 * augmenting paths), main slots first, then alternates without ever unfilling a main slot. Because a
 * matching can re-route earlier choices, this step succeeds whenever any valid choice of experts
 * exists, and experts with the same eligibility are treated symmetrically: each is equally likely to
 * be drawn. (Whether they can also be seated is the caller's loop: see run-draw.ts.)
 */
export interface DrawnProject {
  project: string;
  experts: string[];
  alternates: string[];
}

interface Slot {
  project: DayProject;
  specialty: string | null; // null: an alternate, any of the project's specialties
  alternate: boolean;
  candidates: number[]; // expert indexes
}

export function drawExperts(
  input: DayInput,
  rng: DrawRng,
  /** `${expertId}\u0000${projectId}` pairs ruled out of the project's seats (not its alternates): that expert could not be seated for it. */
  forbidden: ReadonlySet<string> = new Set(),
): { ok: true; draws: DrawnProject[] } | { ok: false; failures: DrawFailure[]; draws: DrawnProject[] } {
  const siteIds = new Set(input.sites.map((s) => s.id));
  const experts = input.experts;
  const conflicts = new Map<string, Set<string>>();
  for (const c of input.conflicts) {
    if (!conflicts.has(c.expert)) conflicts.set(c.expert, new Set());
    conflicts.get(c.expert)!.add(c.org);
  }
  const reachesADay = experts.map((e) => e.sites.some((s) => siteIds.has(s)));
  const sites = new SiteBook(input, experts);

  const conflictOrgs = experts.map((e) => [...(conflicts.get(e.id) ?? [])]);
  const eligibleFor = (project: DayProject): Uint8Array => {
    const orgs = new Set(project.bidders.map((b) => b.org));
    const eligible = new Uint8Array(experts.length);
    experts.forEach((e, i) => {
      eligible[i] = reachesADay[i] && !orgs.has(e.employer) && !conflictOrgs[i]!.some((org) => orgs.has(org)) ? 1 : 0;
    });
    return eligible;
  };
  const withSpecialty = new Map<string, number[]>();
  experts.forEach((e, i) => {
    for (const s of new Set(e.specialties)) {
      if (!withSpecialty.has(s)) withSpecialty.set(s, []);
      withSpecialty.get(s)!.push(i);
    }
  });

  const projects = [...input.projects].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const slots: Slot[] = [];
  for (const project of projects) {
    const eligible = eligibleFor(project);
    const specialties = new Set(project.needs.map((n) => n.specialty));
    for (const need of project.needs) {
      // An expert who could not be seated for this project stays eligible as its alternate (no seat today).
      const candidates = (withSpecialty.get(need.specialty) ?? []).filter(
        (i) => eligible[i] && !forbidden.has(`${experts[i]!.id}\u0000${project.id}`),
      );
      for (let k = 0; k < need.count; k++) slots.push({ project, specialty: need.specialty, alternate: false, candidates });
    }
    const anyOf = [...new Set([...specialties].flatMap((sp) => withSpecialty.get(sp) ?? []))]
      .sort((a, b) => a - b)
      .filter((i) => eligible[i]);
    for (let k = 0; k < project.alternates; k++) slots.push({ project, specialty: null, alternate: true, candidates: anyOf });
  }

  const slotOfExpert = new Int32Array(experts.length).fill(-1);
  const failedSlots: number[] = [];
  const order = (alternate: boolean) => rng.shuffle(slots.flatMap((s, i) => (s.alternate === alternate ? [i] : [])));

  for (const phase of [false, true]) {
    for (const slotIndex of order(phase)) {
      if (!augment(slotIndex, slots, slotOfExpert, sites, rng)) failedSlots.push(slotIndex);
    }
  }
  const byProject = new Map<string, DrawnProject>(projects.map((p) => [p.id, { project: p.id, experts: [], alternates: [] }]));
  slotOfExpert.forEach((slotIndex, expertIndex) => {
    if (slotIndex < 0) return;
    const slot = slots[slotIndex]!;
    const drawn = byProject.get(slot.project.id)!;
    (slot.alternate ? drawn.alternates : drawn.experts).push(experts[expertIndex]!.id);
  });
  const draws = [...byProject.values()];
  for (const d of draws) {
    d.experts.sort();
    d.alternates.sort();
  }
  if (failedSlots.length > 0) {
    // The projects that were fully drawn, so the caller can still find their seating problems.
    const failing = new Set(failedSlots.map((i) => slots[i]!.project.id));
    return {
      ok: false,
      failures: describeFailures(failedSlots, slots, experts.length, sites),
      draws: draws.filter((d) => !failing.has(d.project)),
    };
  }
  return { ok: true, draws };
}

/**
 * Kuhn's augmenting path from `slotIndex`, iterative (no recursion limit at 2,000 experts). Each
 * step first looks for a free candidate, then descends through taken ones, shifting every expert on
 * the path one slot along when a free one is found. Candidates are visited in a random order drawn
 * lazily (Fisher–Yates one position at a time): the same distribution as shuffling the whole list,
 * paid only for what is looked at. A free expert is therefore picked uniformly among the free ones.
 */
function augment(slotIndex: number, slots: Slot[], slotOfExpert: Int32Array, sites: SiteBook, rng: DrawRng): boolean {
  const visited = new Uint8Array(slotOfExpert.length);
  const frame = (slot: number, via: number): Frame => ({ slot, via, pool: slots[slot]!.candidates.slice(), next: 0, taken: [], descent: 0 });
  const stack: Frame[] = [frame(slotIndex, -1)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    let expert = -1;
    // Phase 1: scan in random order for a free expert, putting taken ones aside.
    while (top.next < top.pool.length) {
      const j = top.next + rng.int(top.pool.length - top.next);
      const candidate = top.pool[j]!;
      top.pool[j] = top.pool[top.next]!;
      top.pool[top.next++] = candidate;
      if (visited[candidate]) continue;
      visited[candidate] = 1;
      // A free expert can take a seat-bearing slot only if a site they reach still has a free booth.
      if (slotOfExpert[candidate]! < 0) {
        if (slots[top.slot]!.alternate || sites.hasRoomFor(candidate)) {
          expert = candidate;
          break;
        }
        continue; // free, but no booth anywhere they can go
      }
      top.taken.push(candidate);
    }
    if (expert >= 0) {
      // Shift the path: each frame's slot takes the expert that led to the frame above it.
      let take = expert;
      for (let i = stack.length - 1; i >= 0; i--) {
        const from = slotOfExpert[take]!;
        const to = stack[i]!.slot;
        slotOfExpert[take] = to;
        // Book or release a booth as the expert enters or leaves a seat-bearing (non-alternate) slot.
        const hadSeat = from >= 0 && !slots[from]!.alternate;
        const needsSeat = !slots[to]!.alternate;
        if (needsSeat && !hadSeat) sites.book(take, rng);
        if (hadSeat && !needsSeat) sites.release(take);
        take = stack[i]!.via;
      }
      return true;
    }
    // Phase 2: try to move the holder of a taken candidate elsewhere.
    if (top.descent >= top.taken.length) {
      stack.pop();
      continue;
    }
    const via = top.taken[top.descent++]!;
    stack.push(frame(slotOfExpert[via]!, via));
  }
  return false;
}

/**
 * Booths per site, booked as experts are drawn, so the draw never picks more experts who can only
 * reach a site than it has booths. A flexible expert is booked at the reachable site with the most
 * booths left (ties at random), keeping small sites for those who can only go there. The seat
 * allocation later chooses the actual rooms; this only keeps the draw seatable.
 */
class SiteBook {
  private readonly left = new Map<string, number>();
  private readonly capacity = new Map<string, number>();
  private readonly reach: string[][];
  private readonly bookedAt: (string | null)[];

  constructor(input: DayInput, experts: DayInput['experts']) {
    for (const site of input.sites) {
      let booths = 0;
      for (const room of site.rooms) booths += room.rows * room.cols - new Set(room.disabled).size;
      this.left.set(site.id, booths);
      this.capacity.set(site.id, booths);
    }
    this.reach = experts.map((e) => [...new Set(e.sites)].filter((s) => this.left.has(s)));
    this.bookedAt = experts.map(() => null);
  }

  /** Whether a booth can be found for this expert, moving one booked flexible expert elsewhere if need be. */
  hasRoomFor(expert: number): boolean {
    if (this.reach[expert]!.some((s) => this.left.get(s)! > 0)) return true;
    for (const site of this.reach[expert]!) {
      for (const other of this.bookedHere.get(site) ?? []) {
        const elsewhere = this.reach[other]!.find((s) => s !== site && this.left.get(s)! > 0);
        if (elsewhere === undefined) continue;
        this.release(other);
        this.bookAt(other, elsewhere);
        return true;
      }
    }
    this.shortOfBooths = true;
    return false;
  }

  /** Set when a free expert was passed over for want of a booth: the draw's failure is then about booths. */
  shortOfBooths = false;
  private readonly bookedHere = new Map<string, Set<number>>();

  private bookAt(expert: number, site: string): void {
    this.left.set(site, this.left.get(site)! - 1);
    this.bookedAt[expert] = site;
    if (!this.bookedHere.has(site)) this.bookedHere.set(site, new Set());
    this.bookedHere.get(site)!.add(expert);
  }

  /** Enabled booths, in all, at the sites any of these experts can reach. */
  totalBoothsReachableBy(experts: readonly number[]): number {
    const reachable = new Set(experts.flatMap((e) => this.reach[e]!));
    return [...reachable].reduce((a, s) => a + this.capacity.get(s)!, 0);
  }

  book(expert: number, rng: DrawRng): void {
    let most = 0;
    let best: string[] = [];
    for (const s of this.reach[expert]!) {
      const n = this.left.get(s)!;
      if (n > most) {
        most = n;
        best = [];
      }
      if (n === most && n > 0) best.push(s);
    }
    if (best.length === 0) return; // only when an augmenting path re-routes an alternate; seating will say
    this.bookAt(expert, best[rng.int(best.length)]!);
  }

  release(expert: number): void {
    const site = this.bookedAt[expert];
    if (!site) return;
    this.left.set(site, this.left.get(site)! + 1);
    this.bookedAt[expert] = null;
    this.bookedHere.get(site)!.delete(expert);
  }
}

interface Frame {
  slot: number;
  /** The expert this frame's slot holds and would give up (-1 for the first frame). */
  via: number;
  pool: number[];
  next: number;
  taken: number[];
  descent: number;
}

function describeFailures(failedSlots: number[], slots: Slot[], expertCount: number, sites: SiteBook): DrawFailure[] {
  const seen = new Map<string, DrawFailure>();
  for (const index of failedSlots) {
    const slot = slots[index]!;
    const key = `${slot.project.id}\u0000${slot.specialty ?? '*alternates'}`;
    const needed = slot.alternate
      ? slot.project.alternates
      : slot.project.needs.filter((n) => n.specialty === slot.specialty).reduce((a, n) => a + n.count, 0);
    const available = slot.candidates.length;
    if (seen.has(key)) continue;
    const what = slot.alternate ? 'alternates' : `experts of specialty ${slot.specialty}`;
    const message =
      available < needed
        ? `project ${slot.project.id} needs ${needed} ${what}; only ${available} of ${expertCount} experts are eligible (specialty, avoidance of bidders' organisations, conflicts, reachable sites)`
        : `project ${slot.project.id} needs ${needed} ${what}; ${available} are eligible, but other projects of the day need the same experts and not all can be served`;
    if (sites.shortOfBooths && !slot.alternate && available >= needed) {
      // Enough eligible experts, but the sites they can reach have too few booths for the day.
      const booths = sites.totalBoothsReachableBy(slot.candidates);
      seen.set(key, {
        project: slot.project.id,
        reason: 'too_few_booths',
        needed,
        available: booths,
        message: `project ${slot.project.id} needs ${needed} experts of specialty ${slot.specialty}; the ${available} eligible ones can only reach sites with ${booths} enabled booths, and the day's other experts need them too`,
      });
      continue;
    }
    seen.set(key, {
      project: slot.project.id,
      reason: 'too_few_experts',
      ...(slot.specialty ? { specialty: slot.specialty } : {}),
      needed,
      available,
      message,
    });
  }
  return [...seen.values()].sort((a, b) => (a.project < b.project ? -1 : a.project > b.project ? 1 : 0));
}

import type { DayExpert, DayInput, DayProject } from '../../src/draw/day-schema.ts';

/**
 * Seeded generator of realistic draw days (day.json) for the property tests, the fairness test and
 * the allocation benchmark (bench/allocation imports `generateDay` and `PRESETS` from here: keep
 * their signatures stable).
 *
 * Shape of a day: a city pool of sites on a ring (neighbouring sites are near each other); each site
 * has `roomsPerSite` rooms of rows×cols booths (some county sites, if `countyRate` > 0, have one
 * small room of 3–5 booths); booths disabled at `disabledRate`. Experts live near one site and reach
 * 1–4 neighbouring sites, hold 1–3 specialties (some specialties are common, some rare) and work for
 * employers shared with other experts. Projects (engineering, government procurement, other; a
 * techWeight around the 0.4 blind threshold, exactly 0.4 included) need 3–7 experts over 1–3
 * specialties plus 0–2 alternates, and have 3–8 bidders whose orgs are sometimes an expert's
 * employer. Some experts have listed conflicts with bidders' orgs.
 *
 * `feasible: true` (the default) plants a valid solution: need slots are drawn and seated by a
 * simple randomised greedy, round-robin over the projects, and any slot the greedy cannot fill (no
 * eligible expert left, or no free non-adjacent booth the expert can reach) is removed from the day,
 * as are projects left with no need. So every feasible day has at least one draw satisfying every rule. `maxFill` caps
 * the share of enabled booths the planted solution may use (slack for the algorithm under test).
 * `feasible: false` skips the planting: the day is whatever the random sizes give.
 *
 * All randomness comes from `seed` (mulberry32 over a splitmix32-mixed seed), never Math.random.
 */

export interface GenerateOptions {
  experts: number;
  projects: number;
  sites: number;
  roomsPerSite: number;
  rows: number;
  cols: number;
  /** Share of booths disabled for the day (0–1). */
  disabledRate: number;
  /** Distinct specialties in the city's expert pool. */
  specialties: number;
  /** Share of experts with one or two listed conflicts. */
  conflictRate: number;
  seed: number;
  /** Plant a valid solution and trim what does not fit (default true). */
  feasible?: boolean;
  /** With `feasible`, the largest share of enabled booths the planted seating may use (default 1). */
  maxFill?: number;
  /** Share of sites that are county sites: one room of 3–5 booths (default 0). */
  countyRate?: number;
  /** Room ids repeat at every site (R1, R2, …) instead of being unique in the day (default false). */
  sharedRoomIds?: boolean;
  /** Most sites an expert reaches (default 4). */
  maxReach?: number;
  /** Range of alternates per project (default [0, 2]). */
  alternates?: readonly [number, number];
  date?: string;
}

/** Sizes used by the tests and the benchmark. `large` is the benchmark size. */
export const PRESETS = {
  tiny: { experts: 24, projects: 3, sites: 2, roomsPerSite: 1, rows: 3, cols: 3, disabledRate: 0.05, specialties: 3, conflictRate: 0.1, seed: 1 },
  small: { experts: 80, projects: 10, sites: 4, roomsPerSite: 2, rows: 3, cols: 3, disabledRate: 0.05, specialties: 5, conflictRate: 0.1, seed: 1 },
  medium: { experts: 500, projects: 70, sites: 25, roomsPerSite: 2, rows: 3, cols: 3, disabledRate: 0.05, specialties: 12, conflictRate: 0.05, seed: 1 },
  large: { experts: 2000, projects: 300, sites: 100, roomsPerSite: 2, rows: 3, cols: 3, disabledRate: 0.05, specialties: 20, conflictRate: 0.05, seed: 1 },
} as const satisfies Record<string, GenerateOptions>;
export type PresetName = keyof typeof PRESETS;

// --- Seeded randomness -----------------------------------------------------------------------------

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Index drawn with the given (non-negative) weights. */
  weighted(weights: readonly number[]): number;
  /** A new array, Fisher–Yates shuffled. */
  shuffle<T>(items: readonly T[]): T[];
}

/** splitmix32 finaliser: spreads nearby integer seeds over the whole state space. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

export function createRng(seed: number): Rng {
  let state = mix32(seed >>> 0 || 0x6d2b79f5);
  const next = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)] as T;
    },
    weighted: (weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      let x = next() * total;
      for (let i = 0; i < weights.length; i++) {
        x -= weights[i] ?? 0;
        if (x < 0) return i;
      }
      return weights.length - 1;
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}

// --- Names -------------------------------------------------------------------------------------------

const SPECIALTY_NAMES = [
  '房屋建筑', '市政工程', '工程造价', '水利水电', '公路工程', '电气工程', '给排水', '暖通空调', '信息化系统',
  '医疗设备', '法律', '财务会计', '园林绿化', '消防工程', '智能化弱电', '交通运输', '教学仪器', '环境保护',
  '地质勘察', '物业管理', '通信工程', '电力工程', '港口航道', '农业林业',
];
const ORG_PLACES = ['华', '东', '南', '西', '北', '中', '兴', '建', '鸿', '恒', '金', '宏', '海', '嘉', '安', '瑞', '泰', '新', '永', '远'];
const ORG_WORDS = ['城', '信', '达', '通', '远', '盛', '联', '诚', '晟', '源', '科', '正'];
const ORG_KINDS = ['工程咨询有限公司', '建设集团有限公司', '设计研究院', '造价师事务所', '科技有限公司', '建筑工程有限公司', '大学', '医院'];

function orgNames(count: number, rng: Rng): string[] {
  const all: string[] = [];
  for (const a of ORG_PLACES) for (const b of ORG_WORDS) for (const c of ORG_KINDS) all.push(`${a}${b}${c}`);
  const shuffled = rng.shuffle(all);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = shuffled[i % shuffled.length] as string;
    out.push(i < shuffled.length ? base : `${base}第${Math.floor(i / shuffled.length) + 1}分公司`);
  }
  return out;
}

function specialtyNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => SPECIALTY_NAMES[i] ?? `专业${String(i + 1).padStart(2, '0')}`);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function boothLabel(row: number, col: number): string {
  return `${String.fromCharCode(65 + row)}${col + 1}`;
}

// --- The day ------------------------------------------------------------------------------------------

/** Sizes of the whole pipeline: total needs, enabled booths, etc. (for logs and benchmark reports). */
export function describeDay(day: DayInput): {
  experts: number;
  projects: number;
  sites: number;
  rooms: number;
  booths: number;
  enabledBooths: number;
  seatsNeeded: number;
  alternatesNeeded: number;
} {
  let rooms = 0;
  let booths = 0;
  let enabledBooths = 0;
  for (const site of day.sites) {
    for (const room of site.rooms) {
      rooms += 1;
      booths += room.rows * room.cols;
      enabledBooths += room.rows * room.cols - new Set(room.disabled).size;
    }
  }
  return {
    experts: day.experts.length,
    projects: day.projects.length,
    sites: day.sites.length,
    rooms,
    booths,
    enabledBooths,
    seatsNeeded: day.projects.reduce((s, p) => s + p.needs.reduce((t, n) => t + n.count, 0), 0),
    alternatesNeeded: day.projects.reduce((s, p) => s + p.alternates, 0),
  };
}

interface RoomShape {
  rows: number;
  cols: number;
}
const COUNTY_ROOMS: readonly RoomShape[] = [
  { rows: 1, cols: 3 },
  { rows: 2, cols: 2 },
  { rows: 1, cols: 4 },
  { rows: 1, cols: 5 },
];

export function generateDay(options: GenerateOptions): DayInput {
  return generateDayWithWitness(options).day;
}

/** The planted solution of a feasible day: a draw and seating meeting every rule (no code names). */
export interface Witness {
  draws: { project: string; experts: string[]; alternates: string[] }[];
  seats: { expert: string; project: string; site: string; room: string; row: number; col: number; label: string }[];
}

/** `generateDay`, plus the planted solution when `feasible` (null otherwise). */
export function generateDayWithWitness(options: GenerateOptions): { day: DayInput; witness: Witness | null } {
  const rng = createRng(options.seed);
  const date = options.date ?? '2025-03-18';
  const maxReach = options.maxReach ?? 4;
  const [altMin, altMax] = options.alternates ?? [0, 2];

  // Sites on a ring, rooms, disabled booths.
  const sites: DayInput['sites'] = [];
  for (let s = 0; s < options.sites; s++) {
    const siteId = `S${pad(s + 1, 3)}`;
    const county = rng.chance(options.countyRate ?? 0);
    const shapes: RoomShape[] = county
      ? [rng.pick(COUNTY_ROOMS)]
      : Array.from({ length: options.roomsPerSite }, () => ({ rows: options.rows, cols: options.cols }));
    sites.push({
      id: siteId,
      rooms: shapes.map((shape, r) => {
        const disabled: string[] = [];
        for (let row = 0; row < shape.rows; row++) {
          for (let col = 0; col < shape.cols; col++) if (rng.chance(options.disabledRate)) disabled.push(boothLabel(row, col));
        }
        return { id: options.sharedRoomIds ? `R${r + 1}` : `${siteId}-R${r + 1}`, rows: shape.rows, cols: shape.cols, disabled };
      }),
    });
  }

  // Specialties with Zipf-like popularity: a few common ones, a tail of rare ones.
  const specialties = specialtyNames(options.specialties);
  const popularity = specialties.map((_, i) => 1 / Math.pow(i + 1, 0.8));
  const drawSpecialties = (n: number): string[] => {
    const chosen = new Set<string>();
    const weights = [...popularity];
    while (chosen.size < Math.min(n, specialties.length)) {
      const i = rng.weighted(weights);
      chosen.add(specialties[i] as string);
      weights[i] = 0;
    }
    return [...chosen];
  };

  // Organisations: employers (shared by experts; big institutes employ many) and bidding companies.
  const employerCount = Math.max(3, Math.round(options.experts / 5));
  const companyCount = Math.max(8, Math.round(options.projects * 2));
  const names = orgNames(employerCount + companyCount, rng);
  const employers = names.slice(0, employerCount);
  const companies = names.slice(employerCount);
  const employerWeights = employers.map((_, i) => 1 / Math.pow(i + 1, 0.6));

  // Experts.
  const reachWeights = [35, 30, 20, 15].slice(0, Math.max(1, Math.min(maxReach, options.sites)));
  const experts: DayExpert[] = [];
  for (let e = 0; e < options.experts; e++) {
    const home = rng.int(0, options.sites - 1);
    const reach = 1 + rng.weighted(reachWeights);
    const reachable: string[] = [];
    for (let step = 0; reachable.length < reach; step++) {
      // home, home+1, home-1, home+2, … on the ring
      const offset = step === 0 ? 0 : step % 2 === 1 ? (step + 1) / 2 : -step / 2;
      const id = (sites[(((home + offset) % options.sites) + options.sites) % options.sites] as { id: string }).id;
      if (!reachable.includes(id)) reachable.push(id);
    }
    experts.push({
      id: `ZJ${pad(e + 1, 5)}`,
      specialties: drawSpecialties(1 + rng.weighted([50, 35, 15])),
      employer: employers[rng.weighted(employerWeights)] as string,
      sites: reachable,
    });
  }

  // Projects.
  const projects: DayProject[] = [];
  const counters = { engineering: 0, government_procurement: 0, other: 0 };
  const prefix = { engineering: 'GC', government_procurement: 'ZC', other: 'QT' } as const;
  for (let p = 0; p < options.projects; p++) {
    const category = (['engineering', 'government_procurement', 'other'] as const)[rng.weighted([50, 35, 15])] as DayProject['category'];
    counters[category] += 1;
    const id = `${prefix[category]}${date.replaceAll('-', '')}-${pad(counters[category], 3)}`;
    const techWeight =
      category === 'government_procurement' ? rng.pick([0.3, 0.35, 0.4, 0.4, 0.45, 0.5, 0.6]) : Math.round((0.3 + rng.next() * 0.4) * 100) / 100;
    const total = rng.pick([3, 4, 5, 5, 5, 6, 7, 7]);
    const groups = drawSpecialties(Math.min(total, 1 + rng.weighted([45, 40, 15])));
    const counts = groups.map(() => 1);
    for (let left = total - groups.length; left > 0; left--) {
      const i = rng.int(0, groups.length - 1);
      counts[i] = (counts[i] ?? 0) + 1;
    }
    const bidderCount = rng.int(3, 8);
    const bidders: DayProject['bidders'] = [];
    const orgsUsed = new Set<string>();
    for (let b = 0; b < bidderCount; b++) {
      let org = rng.chance(0.15) ? rng.pick(employers) : rng.pick(companies);
      if (orgsUsed.has(org)) org = rng.pick(companies);
      if (orgsUsed.has(org)) continue;
      orgsUsed.add(org);
      const branch = rng.chance(0.2);
      bidders.push({ id: `${id}-T${b + 1}`, name: branch ? `${org}${rng.pick(['第一', '第二', '第三'])}分公司` : org, org });
    }
    projects.push({
      id,
      category,
      techWeight,
      needs: groups.map((specialty, i) => ({ specialty, count: counts[i] as number })),
      alternates: rng.int(altMin, altMax),
      bidders,
      blind: rng.chance(0.05),
    });
  }

  // Listed conflicts: mostly with orgs that bid today, some with others.
  const bidderOrgs = [...new Set(projects.flatMap((p) => p.bidders.map((b) => b.org)))];
  const conflicts: DayInput['conflicts'] = [];
  for (const expert of experts) {
    if (!rng.chance(options.conflictRate)) continue;
    const n = rng.int(1, 2);
    for (let i = 0; i < n; i++) {
      const org = bidderOrgs.length > 0 && rng.chance(0.7) ? rng.pick(bidderOrgs) : rng.pick(companies);
      if (!conflicts.some((c) => c.expert === expert.id && c.org === org)) conflicts.push({ expert: expert.id, org });
    }
  }

  const day: DayInput = { date, sites, experts, projects, conflicts };
  return options.feasible === false ? { day, witness: null } : plantSolution(day, rng, options.maxFill ?? 1);
}

/** Whether `expert` may be drawn for `project` (employer and listed conflicts). */
export function eligible(expert: DayExpert, project: DayProject | ReadonlySet<string>, conflictsOf: Map<string, Set<string>>): boolean {
  const orgs = project instanceof Set ? project : new Set((project as DayProject).bidders.map((b) => b.org));
  if (orgs.has(expert.employer)) return false;
  for (const org of conflictsOf.get(expert.id) ?? []) if (orgs.has(org)) return false;
  return true;
}

export function conflictMap(day: DayInput): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const c of day.conflicts) {
    let orgs = map.get(c.expert);
    if (!orgs) map.set(c.expert, (orgs = new Set()));
    orgs.add(c.org);
  }
  return map;
}

interface Booth {
  site: string;
  room: string;
  row: number;
  col: number;
  /** index of the room in `rooms` */
  roomIndex: number;
}

/**
 * Draws and seats the day's projects one by one with a randomised greedy, trimming the need slots
 * (and alternates) it cannot fill. The day returned has the planted solution as a witness of
 * feasibility; the solution itself is not returned (the algorithm must find its own).
 */
function plantSolution(day: DayInput, rng: Rng, maxFill: number): { day: DayInput; witness: Witness } {
  const conflicts = conflictMap(day);
  const rooms: { site: string; room: string; rows: number; cols: number; project: (string | null)[] }[] = [];
  const boothsAtSite = new Map<string, Booth[]>();
  for (const site of day.sites) {
    const list: Booth[] = [];
    for (const room of site.rooms) {
      const roomIndex = rooms.length;
      const disabled = new Set(room.disabled);
      const project: (string | null)[] = [];
      for (let row = 0; row < room.rows; row++) {
        for (let col = 0; col < room.cols; col++) {
          const off = disabled.has(boothLabel(row, col));
          project.push(off ? 'disabled' : null);
          if (!off) list.push({ site: site.id, room: room.id, row, col, roomIndex });
        }
      }
      rooms.push({ site: site.id, room: room.id, rows: room.rows, cols: room.cols, project });
    }
    boothsAtSite.set(site.id, list);
  }
  const enabled = [...boothsAtSite.values()].reduce((s, l) => s + l.length, 0);
  const seatBudget = Math.floor(enabled * maxFill);
  let seated = 0;

  const free = (b: Booth, project: string): boolean => {
    const room = rooms[b.roomIndex];
    if (!room || room.project[b.row * room.cols + b.col] !== null) return false;
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const r = b.row + dr;
        const c = b.col + dc;
        if (r < 0 || c < 0 || r >= room.rows || c >= room.cols) continue;
        if (room.project[r * room.cols + c] === project) return false;
      }
    }
    return true;
  };
  const used = new Set<string>();
  const witnessSeats: Witness['seats'] = [];
  const bySpecialty = new Map<string, DayExpert[]>();
  for (const e of day.experts) {
    for (const s of e.specialties) {
      let list = bySpecialty.get(s);
      if (!list) bySpecialty.set(s, (list = []));
      list.push(e);
    }
  }

  // Round-robin over the projects (in random order), one need slot each per round, so that what
  // does not fit trims the largest projects rather than dropping the last ones.
  const order = rng.shuffle(day.projects).map((project) => ({
    project,
    orgs: new Set(project.bidders.map((b) => b.org)),
    slots: rng.shuffle(project.needs.flatMap((n) => Array.from({ length: n.count }, () => n.specialty))),
    planted: new Map<string, number>(),
  }));
  const rounds = Math.max(0, ...order.map((o) => o.slots.length));
  for (let round = 0; round < rounds; round++) {
    for (const { project, orgs, slots, planted } of order) {
      const specialty = slots[round];
      if (specialty === undefined || seated >= seatBudget) continue;
      for (const expert of rng.shuffle(bySpecialty.get(specialty) ?? [])) {
        if (used.has(expert.id) || !eligible(expert, orgs, conflicts)) continue;
        const options = expert.sites.flatMap((s) => boothsAtSite.get(s) ?? []).filter((b) => free(b, project.id));
        if (options.length === 0) continue;
        const booth = rng.pick(options);
        const room = rooms[booth.roomIndex];
        if (room) room.project[booth.row * room.cols + booth.col] = project.id;
        used.add(expert.id);
        seated += 1;
        witnessSeats.push({ expert: expert.id, project: project.id, site: booth.site, room: booth.room, row: booth.row, col: booth.col, label: boothLabel(booth.row, booth.col) });
        planted.set(specialty, (planted.get(specialty) ?? 0) + 1);
        break;
      }
    }
  }
  const projects: DayProject[] = [];
  const draws: Witness['draws'] = [];
  for (const { project, orgs, planted } of order) {
    const needs = project.needs.flatMap((n) => {
      // a specialty listed in two needs: fill the first need first
      const count = Math.min(n.count, planted.get(n.specialty) ?? 0);
      planted.set(n.specialty, (planted.get(n.specialty) ?? 0) - count);
      return count > 0 ? [{ specialty: n.specialty, count }] : [];
    });
    if (needs.length === 0) continue;
    const needSpecialties = new Set(needs.map((n) => n.specialty));
    let alternates = 0;
    const witnessAlternates: string[] = [];
    for (const expert of rng.shuffle(day.experts)) {
      if (alternates >= project.alternates) break;
      if (used.has(expert.id) || !expert.specialties.some((s) => needSpecialties.has(s))) continue;
      if (!eligible(expert, orgs, conflicts)) continue;
      used.add(expert.id);
      alternates += 1;
      witnessAlternates.push(expert.id);
    }
    projects.push({ ...project, needs, alternates });
    draws.push({ project: project.id, experts: witnessSeats.filter((w) => w.project === project.id).map((w) => w.expert), alternates: witnessAlternates });
  }
  // Keep the projects in the generated order (ids are dated and numbered).
  const kept = new Set(projects.map((p) => p.id));
  const byId = new Map(projects.map((p) => [p.id, p]));
  return {
    day: { ...day, projects: day.projects.filter((p) => kept.has(p.id)).map((p) => byId.get(p.id) as DayProject) },
    witness: { draws, seats: witnessSeats },
  };
}

// --- Deliberately infeasible days --------------------------------------------------------------------

export type InfeasibleKind = 'too_few_experts' | 'too_few_booths' | 'adjacency_impossible';

export interface Infeasibility {
  project: string;
  reason: InfeasibleKind;
  specialty: string;
  needed: number;
  available: number;
}

/**
 * A feasible day (with slack) plus one or more extra projects that cannot be satisfied, each for
 * exactly one known reason, without touching the other projects:
 *   too_few_experts       the project needs k of a fresh specialty; k−1 eligible experts hold it, plus
 *                         one employed by a bidder and one with a listed conflict (both ineligible)
 *   too_few_booths        the specialty's experts reach only a fresh site whose one 3×3 room has k−1
 *                         enabled, mutually non-adjacent booths
 *   adjacency_impossible  the specialty's experts reach only a fresh site with 1–2 fully enabled 3×3
 *                         rooms (9 or 18 booths), and the project needs more than 4 per room
 * Nobody else holds the fresh specialty or reaches the fresh site. Alternates are 0 for the extra
 * projects (so "needed" is unambiguous).
 */
export function generateInfeasibleDay(
  options: GenerateOptions,
  kinds: readonly InfeasibleKind[],
): { day: DayInput; expected: Infeasibility[] } {
  const base = generateDay({ ...options, feasible: true, maxFill: Math.min(options.maxFill ?? 0.7, 0.7) });
  const rng = createRng(options.seed ^ 0x5bd1e995);
  const day: DayInput = structuredClone(base);
  const expected: Infeasibility[] = [];
  const employerBase = `隔离测试单位${pad(options.seed % 1000, 3)}`;
  kinds.forEach((kind, i) => {
    const specialty = `稀缺专业${i + 1}`;
    const projectId = `XX${day.date.replaceAll('-', '')}-${pad(i + 1, 3)}`;
    const bidders = Array.from({ length: 4 }, (_, b) => {
      const org = `投标测试公司${i + 1}-${b + 1}`;
      return { id: `${projectId}-T${b + 1}`, name: org, org };
    });
    let added = 0;
    const addExperts = (n: number, sites: string[], employer: (k: number) => string): string[] =>
      Array.from({ length: n }, (_, k) => {
        added += 1;
        const id = `ZX${pad(i + 1, 2)}${pad(added, 3)}`;
        day.experts.push({ id, specialties: [specialty], employer: employer(k), sites });
        return id;
      });
    let needed: number;
    let available: number;
    if (kind === 'too_few_experts') {
      needed = rng.int(3, 5);
      available = needed - 1;
      const normalSites = rng.shuffle(day.sites.map((s) => s.id)).slice(0, 2);
      addExperts(available, normalSites, (k) => `${employerBase}-${i}-${k}`);
      // one employed by a bidder, one with a listed conflict: both hold the specialty, neither is eligible
      const [, conflicted] = addExperts(2, normalSites, (k) => (k === 0 ? (bidders[0] as { org: string }).org : `${employerBase}-${i}-x`));
      day.conflicts.push({ expert: conflicted as string, org: (bidders[1] as { org: string }).org });
    } else {
      const siteId = `SZ${pad(i + 1, 2)}`;
      if (kind === 'too_few_booths') {
        needed = rng.int(2, 5);
        available = needed - 1;
        const corners = ['A1', 'A3', 'C1', 'C3'];
        const open = new Set(rng.shuffle(corners).slice(0, available));
        const disabled: string[] = [];
        for (let row = 0; row < 3; row++) for (let col = 0; col < 3; col++) if (!open.has(boothLabel(row, col))) disabled.push(boothLabel(row, col));
        day.sites.push({ id: siteId, rooms: [{ id: `${siteId}-R1`, rows: 3, cols: 3, disabled }] });
      } else {
        const roomCount = rng.int(1, 2);
        available = 4 * roomCount;
        needed = available + rng.int(1, 2);
        day.sites.push({
          id: siteId,
          rooms: Array.from({ length: roomCount }, (_, r) => ({ id: `${siteId}-R${r + 1}`, rows: 3, cols: 3, disabled: [] })),
        });
      }
      addExperts(needed + 2, [siteId], (k) => `${employerBase}-${i}-${k}`);
    }
    day.projects.push({
      id: projectId,
      category: 'engineering',
      techWeight: 0.5,
      needs: [{ specialty, count: needed }],
      alternates: 0,
      bidders,
      blind: false,
    });
    expected.push({ project: projectId, reason: kind, specialty, needed, available });
  });
  return { day, expected };
}

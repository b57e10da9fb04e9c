import { afterEach, describe, expect, it, vi } from 'vitest';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { dayInputSchema } from '../../src/draw/day-schema.ts';
import { conflictMap, createRng, describeDay, eligible, generateDay, generateInfeasibleDay, PRESETS } from './generate-day.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('generateDay', () => {
  it('is a function of its options alone (no Math.random) and gives valid day.json', () => {
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random used');
    });
    const a = generateDay({ ...PRESETS.small, seed: 9, countyRate: 0.3 });
    const b = generateDay({ ...PRESETS.small, seed: 9, countyRate: 0.3 });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(generateDay({ ...PRESETS.small, seed: 10 }))).not.toBe(canonicalJson(a));
    expect(dayInputSchema.parse(a)).toEqual(a);
  });

  it('gives the benchmark its sizes: 2,000 experts, 300 projects, 100 sites of 2 rooms of 3×3', () => {
    const day = generateDay(PRESETS.large);
    const shape = describeDay(day);
    expect(shape).toMatchObject({ experts: 2000, projects: 300, sites: 100, rooms: 200, booths: 1800 });
    expect(shape.seatsNeeded).toBeLessThanOrEqual(shape.enabledBooths);
    const capped = describeDay(generateDay({ ...PRESETS.large, maxFill: 0.85 }));
    expect(capped.projects).toBe(300);
    expect(capped.seatsNeeded).toBeLessThanOrEqual(Math.floor(0.85 * capped.enabledBooths));
  });

  it('has the realistic shape the tests rely on', () => {
    const day = generateDay({ ...PRESETS.medium, seed: 4, countyRate: 0.3, conflictRate: 0.1 });
    const reach = day.experts.map((e) => e.sites.length);
    expect(Math.min(...reach)).toBe(1);
    expect(Math.max(...reach)).toBe(4);
    const employers = new Map<string, number>();
    for (const e of day.experts) employers.set(e.employer, (employers.get(e.employer) ?? 0) + 1);
    expect(Math.max(...employers.values())).toBeGreaterThan(3);
    const bidderOrgs = new Set(day.projects.flatMap((p) => p.bidders.map((b) => b.org)));
    expect([...employers.keys()].some((org) => bidderOrgs.has(org))).toBe(true);
    expect(day.conflicts.some((c) => bidderOrgs.has(c.org))).toBe(true);
    for (const p of day.projects) {
      expect(p.needs.length).toBeGreaterThanOrEqual(1);
      expect(p.needs.length).toBeLessThanOrEqual(3);
      expect(p.needs.reduce((s, n) => s + n.count, 0)).toBeLessThanOrEqual(7);
    }
    const procurement = day.projects.filter((p) => p.category === 'government_procurement');
    expect(procurement.some((p) => p.techWeight > 0.4)).toBe(true);
    expect(procurement.some((p) => p.techWeight <= 0.4)).toBe(true);
    const county = day.sites.filter((s) => s.rooms.length === 1);
    expect(county.length).toBeGreaterThan(0);
    for (const s of county) {
      const room = s.rooms[0]!;
      expect(room.rows * room.cols).toBeGreaterThanOrEqual(3);
      expect(room.rows * room.cols).toBeLessThanOrEqual(5);
    }
  });
});

describe('generateInfeasibleDay', () => {
  it('builds each kind of impossibility exactly as documented', () => {
    const { day, expected } = generateInfeasibleDay({ ...PRESETS.small, seed: 21 }, ['too_few_experts', 'too_few_booths', 'adjacency_impossible']);
    expect(dayInputSchema.parse(day)).toEqual(day);
    const conflicts = conflictMap(day);
    for (const e of expected) {
      const project = day.projects.find((p) => p.id === e.project)!;
      expect(project.needs).toEqual([{ specialty: e.specialty, count: e.needed }]);
      const holders = day.experts.filter((x) => x.specialties.includes(e.specialty));
      const usable = holders.filter((x) => eligible(x, project, conflicts));
      expect(day.projects.filter((p) => p.needs.some((n) => n.specialty === e.specialty))).toHaveLength(1);
      if (e.reason === 'too_few_experts') {
        expect(usable).toHaveLength(e.needed - 1);
        expect(holders).toHaveLength(e.needed + 1);
        continue;
      }
      // every holder reaches only the fresh site, which nobody else reaches
      const site = usable[0]!.sites[0]!;
      expect(usable.every((x) => x.sites.length === 1 && x.sites[0] === site)).toBe(true);
      expect(day.experts.filter((x) => x.sites.includes(site))).toHaveLength(holders.length);
      const rooms = day.sites.find((s) => s.id === site)!.rooms;
      const enabled = rooms.reduce((s, r) => s + r.rows * r.cols - r.disabled.length, 0);
      if (e.reason === 'too_few_booths') expect(enabled).toBe(e.needed - 1);
      else expect([enabled, 4 * rooms.length]).toEqual([9 * rooms.length, e.available]);
    }
  });
});

describe('createRng', () => {
  it('spreads integers evenly (a smoke test of the generator’s own PRNG)', () => {
    const rng = createRng(123);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[rng.int(0, 9)]! += 1;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });
});

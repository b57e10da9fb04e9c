import { describe, expect, it } from 'vitest';
import { checkDrawRules, expectedBlind, spreadMetrics, uncoveredNeeds } from '../../src/draw/check-rules.ts';
import type { DayInput, DrawResult } from '../../src/draw/day-schema.ts';
import { generateDayWithWitness, PRESETS } from './generate-day.ts';
import { witnessResult } from './witness-result.ts';

/** A generated day and its planted solution as a result.json: valid by construction. */
function base(): { day: DayInput; result: DrawResult } {
  const { day, witness } = generateDayWithWitness({ ...PRESETS.small, seed: 3, countyRate: 0.25 });
  if (!witness) throw new Error('a feasible day has a witness');
  return { day, result: witnessResult(day, witness) };
}

/**
 * The rules reported after mutating a copy of the valid day and result. The spread figures are
 * recomputed after the mutation (so that moving a seat reports the seat, not also the figures)
 * unless the case is about them.
 */
function rulesAfter(mutate: (day: DayInput, result: DrawResult) => void, keepQuality: boolean): string[] {
  const { day, result } = base();
  mutate(day, result);
  if (!keepQuality && result.seats.every((s) => s.row >= 0)) result.quality = spreadMetrics(result);
  return [...new Set(checkDrawRules(day, result).map((v) => v.rule))].sort();
}

const first = <T,>(items: readonly T[], what = 'item'): T => {
  const item = items[0];
  if (item === undefined) throw new Error(`no ${what}`);
  return item;
};
const withAlternates = (r: DrawResult) => first(r.draws.filter((d) => d.alternates.length > 0), 'draw with alternates');
const withTwoExperts = (r: DrawResult) => first(r.draws.filter((d) => d.experts.length >= 2), 'draw with two experts');
const expertOf = (day: DayInput, id: string) => first(day.experts.filter((e) => e.id === id), `expert ${id}`);
const projectOf = (day: DayInput, id: string) => first(day.projects.filter((p) => p.id === id), `project ${id}`);
const seatOf = (r: DrawResult, expert: string) => first(r.seats.filter((s) => s.expert === expert), `seat of ${expert}`);
/** An expert added to the day: every specialty and site, an employer nobody bids for, no conflicts. */
const freshExpert = (day: DayInput): string => {
  const id = 'ZJ-FRESH';
  const specialties = [...new Set(day.projects.flatMap((p) => p.needs.map((n) => n.specialty)))];
  day.experts.push({ id, specialties, employer: '独立测试单位', sites: day.sites.map((s) => s.id) });
  return id;
};
/** A seat of another project than `seat`'s with no colleague in `seat`'s room. */
const seatAway = (r: DrawResult, seat: DrawResult['seats'][number]) =>
  first(
    r.seats.filter(
      (s) => s.project !== seat.project && !r.seats.some((o) => o !== s && o.project === s.project && o.site === seat.site && o.room === seat.room),
    ),
    'seat of a project absent from the room',
  );
const biddingProject = (day: DayInput, r: DrawResult) =>
  first(r.draws.filter((d) => projectOf(day, d.project).bidders.length >= 2), 'project with two bidders');

describe('checkDrawRules', () => {
  it('accepts the planted solutions of generated days of every size and shape', () => {
    for (const [name, preset] of Object.entries(PRESETS)) {
      for (const extra of [{}, { countyRate: 0.3, sharedRoomIds: true }]) {
        const { day, witness } = generateDayWithWitness({ ...preset, ...extra, seed: 11 });
        expect(checkDrawRules(day, witnessResult(day, witness!)), `${name} ${JSON.stringify(extra)}`).toEqual([]);
      }
    }
  });

  const cases: [string, string[], (day: DayInput, r: DrawResult) => void][] = [
    ['a seat outside the schema', ['schema'], (_, r) => void (first(r.seats).row = -1)],
    ["another day's date", ['date'], (_, r) => void (r.date = '2025-03-19')],
    ['a project without a draw', ['draw.projects'], (_, r) => {
      const gone = r.draws.shift()!;
      r.seats = r.seats.filter((s) => s.project !== gone.project);
    }],
    ['a project drawn twice', ['draw.projects'], (_, r) => void r.draws.push(structuredClone(first(r.draws)))],
    ['a draw of an unknown project', ['draw.projects'], (_, r) => void r.draws.push({ project: 'NOPE', experts: [], alternates: [] })],
    ['one alternate short', ['draw.count'], (_, r) => void withAlternates(r).alternates.pop()],
    ['an expert too many', ['draw.count', 'seat.count'], (day, r) => void first(r.draws).experts.push(freshExpert(day))],
    ['an unknown alternate', ['draw.unknown_expert'], (_, r) => void (withAlternates(r).alternates[0] = 'ZZ99999')],
    ['an expert without the need’s specialty', ['draw.coverage'], (day, r) => {
      expertOf(day, first(first(r.draws).experts)).specialties = ['无关专业'];
    }],
    ['an alternate without any need’s specialty', ['draw.specialty'], (day, r) => {
      expertOf(day, first(withAlternates(r).alternates)).specialties = ['无关专业'];
    }],
    ['an expert working for a bidder', ['draw.employer'], (day, r) => {
      const d = biddingProject(day, r);
      expertOf(day, first(d.experts)).employer = first(projectOf(day, d.project).bidders).org;
    }],
    ['an alternate with a listed conflict', ['draw.conflict'], (day, r) => {
      const d = withAlternates(r);
      day.conflicts.push({ expert: first(d.alternates), org: first(projectOf(day, d.project).bidders).org });
    }],
    ['an expert drawn twice (once as an alternate)', ['draw.once'], (day, r) => {
      // drawn first (in the day's order of projects) for another project, then as an alternate of d
      const order = day.projects.map((p) => p.id);
      const d = first(r.draws.filter((x) => x.alternates.length > 0 && order.indexOf(x.project) > 0), 'draw with alternates');
      const before = order.slice(0, order.indexOf(d.project));
      const other = first(r.draws.filter((x) => before.includes(x.project)), 'project drawn before');
      const twice = first(other.experts);
      d.alternates[0] = twice;
      const expert = expertOf(day, twice);
      expert.specialties.push(...projectOf(day, d.project).needs.map((n) => n.specialty));
      expert.employer = '独立测试单位';
      day.conflicts = day.conflicts.filter((c) => c.expert !== twice);
    }],
    ['an expert drawn twice in one project', ['draw.once', 'seat.count'], (_, r) => {
      const d = withTwoExperts(r);
      d.experts[1] = first(d.experts);
    }],
    ['an expert without a seat', ['seat.count'], (_, r) => void r.seats.pop()],
    ['an expert with two seats', ['seat.count', 'seat.grid', 'seat.label'], (_, r) => {
      const seat = first(r.seats);
      r.seats.push({ ...seat, row: 90, col: 90, label: 'Z9', codename: 'ZZ-99' });
    }],
    ['a seated alternate in place of the drawn expert', ['seat.count'], (day, r) => {
      const d = withAlternates(r);
      const seat = seatOf(r, first(d.experts));
      seat.expert = first(d.alternates);
      expertOf(day, seat.expert).sites.push(seat.site);
    }],
    ['a seated expert not drawn', ['seat.count'], (day, r) => void (first(r.seats).expert = freshExpert(day))],
    ['a seat under another project', ['seat.project'], (_, r) => {
      const seat = first(r.seats);
      seat.project = seatAway(r, seat).project;
    }],
    ['a site the expert cannot reach', ['seat.site'], (day, r) => {
      const seat = first(r.seats);
      expertOf(day, seat.expert).sites = day.sites.map((s) => s.id).filter((s) => s !== seat.site);
    }],
    ['an unknown site', ['seat.site'], (_, r) => void (first(r.seats).site = 'S999')],
    ['an unknown room', ['seat.room'], (_, r) => void (first(r.seats).room = 'R999')],
    ['a booth outside the grid', ['seat.grid', 'seat.label'], (_, r) => void (first(r.seats).col = 40)],
    ['a wrong label', ['seat.label'], (_, r) => void (first(r.seats).label = 'Z9')],
    ['a disabled booth', ['seat.disabled'], (day, r) => {
      const seat = first(r.seats);
      const room = first(first(day.sites.filter((s) => s.id === seat.site)).rooms.filter((x) => x.id === seat.room));
      room.disabled.push(seat.label);
    }],
    ['two experts in one booth', ['seat.booth_shared'], (day, r) => {
      const a = first(r.seats);
      const b = seatAway(r, a);
      Object.assign(b, { site: a.site, room: a.room, row: a.row, col: a.col, label: a.label });
      expertOf(day, b.expert).sites.push(a.site);
    }],
    ['an empty code name', ['codename.empty'], (_, r) => void (first(r.seats).codename = '')],
    ['a code name given twice', ['codename.unique'], (_, r) => void (r.seats[1]!.codename = first(r.seats).codename)],
    ['a code name with O', ['codename.alphabet'], (_, r) => void (first(r.seats).codename = 'AO-23')],
    ['a code name with 0', ['codename.alphabet'], (_, r) => void (first(r.seats).codename = 'AB-02')],
    ['a code name with 1', ['codename.alphabet'], (_, r) => void (first(r.seats).codename = 'AB-21')],
    ['a code name with I', ['codename.alphabet'], (_, r) => void (first(r.seats).codename = 'IB-23')],
    ['a code name carrying the expert id', ['codename.alphabet', 'codename.identity'], (_, r) => void (first(r.seats).codename = `X-${first(r.seats).expert.toLowerCase()}`)],
    ['a code name carrying the employer', ['codename.identity'], (day, r) => {
      expertOf(day, first(r.seats).expert).employer = 'KX';
      first(r.seats).codename = 'KX-23';
    }],
    ['a flagged project missing from blind', ['blind'], (day) => {
      first(day.projects.filter((p) => !expectedBlind(day).includes(p.id))).blind = true;
    }],
    ['blind not sorted', ['blind'], (day, r) => {
      for (const p of day.projects) p.blind = true;
      r.blind = day.projects.map((p) => p.id).sort().reverse();
    }],
    ['techWeight exactly 0.4 reviewed blind', ['blind'], (day, r) => {
      const p = day.projects[0]!;
      Object.assign(p, { category: 'government_procurement', techWeight: 0.4, blind: false });
      r.blind = [...new Set([...r.blind, p.id])].sort();
    }],
    ['government procurement at 0.41 not blind', ['blind'], (day, r) => {
      const p = day.projects[0]!;
      Object.assign(p, { category: 'government_procurement', techWeight: 0.41, blind: false });
      r.blind = r.blind.filter((id) => id !== p.id);
    }],
    ['a bidder without a code', ['bidder_codes.coverage'], (day, r) => {
      const p = first(day.projects.filter((x) => x.bidders.length > 0));
      delete r.bidderCodes[p.id]![first(p.bidders).id];
    }],
    ['a project without bidder codes', ['bidder_codes.coverage'], (day, r) => {
      delete r.bidderCodes[first(day.projects.filter((x) => x.bidders.length > 0)).id];
    }],
    ['a code for an unknown bidder', ['bidder_codes.coverage'], (day, r) => void (r.bidderCodes[day.projects[0]!.id]!['nobody'] = '投标人99')],
    ['an empty bidder code', ['bidder_codes.empty'], (day, r) => {
      const p = first(day.projects.filter((x) => x.bidders.length > 0));
      r.bidderCodes[p.id]![first(p.bidders).id] = '';
    }],
    ['a bidder code given twice', ['bidder_codes.unique'], (day, r) => {
      const p = biddingProject(day, r);
      const codes = r.bidderCodes[p.project]!;
      const [a, b] = projectOf(day, p.project).bidders;
      codes[b!.id] = codes[a!.id]!;
    }],
    ['a bidder code carrying its org', ['bidder_codes.identity'], (day, r) => {
      const p = first(day.projects.filter((x) => x.bidders.length > 0));
      const b = first(p.bidders);
      r.bidderCodes[p.id]![b.id] = `1-${b.org}`;
    }],
    ['a bidder code carrying its id', ['bidder_codes.identity'], (day, r) => {
      const p = first(day.projects.filter((x) => x.bidders.length > 0));
      const b = first(p.bidders);
      r.bidderCodes[p.id]![b.id] = b.id.toLowerCase();
    }],
  ];
  it.each(cases)('reports %s', (_name, rules, mutate) => {
    expect(rulesAfter(mutate, false)).toEqual(rules);
  });

  it('reports spread figures that are not the seats\' (the mean to ±0.0005)', () => {
    expect(rulesAfter((_, r) => void (r.quality.sameRoomPairs += 1), true)).toEqual(['quality']);
    expect(rulesAfter((_, r) => void (r.quality.singleProjectRooms += 1), true)).toEqual(['quality']);
    expect(rulesAfter((_, r) => void (r.quality.roomsPerProjectMean += 0.01), true)).toEqual(['quality']);
    expect(rulesAfter((_, r) => void (r.quality.roomsPerProjectMean = Math.round(r.quality.roomsPerProjectMean * 1000) / 1000), true)).toEqual([]);
  });

  it('reports two experts of one project in adjacent booths, and only then', () => {
    const day: DayInput = {
      date: '2025-03-18',
      sites: [{ id: 'S1', rooms: [{ id: 'R1', rows: 3, cols: 3, disabled: [] }] }],
      experts: ['a', 'b', 'c'].map((id) => ({ id: `E-${id}`, specialties: ['造价'], employer: `单位${id}`, sites: ['S1'] })),
      projects: [
        { id: 'P1', category: 'engineering', techWeight: 0.5, needs: [{ specialty: '造价', count: 2 }], alternates: 0, bidders: [], blind: false },
        { id: 'P2', category: 'engineering', techWeight: 0.5, needs: [{ specialty: '造价', count: 1 }], alternates: 0, bidders: [], blind: false },
      ],
      conflicts: [],
    };
    const seat = (expert: string, project: string, [row, col]: readonly [number, number], codename: string) => ({
      expert, project, site: 'S1', room: 'R1', row, col, label: `${'ABC'[row]}${col + 1}`, codename,
    });
    /** E-a (P1) at A1, E-b (P1) and E-c (P2) where told */
    const result = (b: readonly [number, number], c: readonly [number, number]): DrawResult => {
      const seats = [seat('E-a', 'P1', [0, 0], 'AB-23'), seat('E-b', 'P1', b, 'AB-24'), seat('E-c', 'P2', c, 'AB-25')];
      return {
        procedure: 't', date: day.date, inputHash: '0'.repeat(64), commitment: '0'.repeat(64), publicValue: '', seed: '0'.repeat(64),
        draws: [{ project: 'P1', experts: ['E-a', 'E-b'], alternates: [] }, { project: 'P2', experts: ['E-c'], alternates: [] }],
        seats, blind: [], bidderCodes: { P1: {}, P2: {} }, quality: spreadMetrics({ seats }),
      };
    };
    // another project's expert between them is what the rule wants
    expect(checkDrawRules(day, result([0, 2], [0, 1]))).toEqual([]);
    expect(checkDrawRules(day, result([2, 0], [1, 1]))).toEqual([]);
    expect(checkDrawRules(day, result([2, 2], [1, 1]))).toEqual([]);
    for (const b of [[0, 1], [1, 0], [1, 1]] as const) {
      expect(checkDrawRules(day, result(b, [2, 2])).map((v) => v.rule)).toEqual(['seat.adjacent']);
    }
  });

  it('covers needs by a matching, not by counting specialties', () => {
    const specs = new Map([
      ['x', new Set(['造价', '法律'])],
      ['y', new Set(['造价'])],
    ]);
    const of = (id: string) => specs.get(id) ?? new Set<string>();
    const needs = [{ specialty: '法律', count: 1 }, { specialty: '造价', count: 1 }];
    expect(uncoveredNeeds(needs, ['y', 'x'], of).size).toBe(0);
    // both hold 造价, only x holds 法律: two 法律 slots cannot both be covered
    expect([...uncoveredNeeds([{ specialty: '法律', count: 2 }], ['x', 'y'], of)]).toEqual([['法律', 1]]);
  });
});

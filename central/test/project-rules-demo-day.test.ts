import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { runDraw } from '../src/draw/run-draw.ts';
import { dayInputSchema, type DayInput } from '../src/draw/day-schema.ts';
import { committeeOfThree } from '../../scripts/lib/demo-central.node.ts';

/**
 * The demo's committee (npm start): the demo day reshaped so that its blind project GC-01 seats three
 * experts who all have a face in the demo registry, whatever the day's seed, while the gate's cases
 * stay (three seated at site-city, one at site-county, E204 in the pool unseated).
 */

const REPO = join(import.meta.dirname, '..', '..');

/** The day make-demo-experts.node.ts writes, built from its config without the photos. */
function demoDay(): DayInput {
  const config = z
    .object({
      experts: z.array(z.object({ id: z.string(), specialty: z.string(), employer: z.string(), sites: z.array(z.string()) })),
      projects: z.array(z.unknown()),
    })
    .parse(JSON.parse(readFileSync(join(REPO, 'resources/demo/demo-experts.json'), 'utf8')));
  return dayInputSchema.parse({
    date: '2026-11-23',
    sites: [
      { id: 'site-city', rooms: [{ id: 'room-3', rows: 3, cols: 3, disabled: [] }, { id: 'room-5', rows: 3, cols: 3, disabled: [] }] },
      { id: 'site-county', rooms: [{ id: 'room-county-1', rows: 2, cols: 3, disabled: [] }] },
    ],
    experts: config.experts.map((e) => ({ id: e.id, specialties: [e.specialty], employer: e.employer, sites: e.sites })),
    projects: config.projects,
    conflicts: [],
  });
}

describe('the demo day of npm start', () => {
  it('seats a committee of three on GC-01 with every seed, and keeps the gate\'s cases', () => {
    const before = demoDay();
    expect(before.projects.find((p) => p.id === 'GC-01')!.needs.reduce((n, x) => n + x.count, 0)).toBe(2); // why the reshaping exists
    const day = committeeOfThree(before);
    expect(day.projects.map((p) => p.id)).toEqual(['GC-01', 'SL-03']);
    for (let i = 0; i < 20; i++) {
      const outcome = runDraw(day, { secret: `${i}`.padStart(64, '0'), publicValue: `demo ${i}` });
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.failures));
      const { seats, blind } = outcome.result;
      expect(blind).toEqual(['GC-01']);
      expect(seats.filter((s) => s.project === 'GC-01').map((s) => s.expert).sort()).toEqual(['E201', 'E202', 'E203']);
      expect(seats.filter((s) => s.site === 'site-city')).toHaveLength(3);
      expect(seats.filter((s) => s.site === 'site-county').map((s) => s.expert)).toEqual(['E205']);
      expect(seats.some((s) => s.expert === 'E204')).toBe(false);
    }
  });
});

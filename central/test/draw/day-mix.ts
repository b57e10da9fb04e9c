import { createRng, type GenerateOptions } from './generate-day.ts';

/** A named day of the property tests' mix. */
export interface MixedDay {
  name: string;
  options: GenerateOptions;
}

/**
 * The property tests' days: `count` days of mixed sizes and shapes, all from `seed` (fixed, so a
 * failure names a day that can be regenerated with `generateDay(options)`).
 * Sizes: 40 % tiny (2–3 sites, one or two rooms each), 40 % small, 15 % medium, 5 % city-wide.
 */
export function dayMix(count: number, seed: number, feasible = true): MixedDay[] {
  const rng = createRng(seed);
  const days: MixedDay[] = [];
  for (let i = 0; i < count; i++) {
    const size = rng.weighted([40, 40, 15, 5]);
    const common = {
      seed: seed * 1000 + i,
      feasible,
      rows: 3,
      cols: 3,
      disabledRate: rng.pick([0, 0.05, 0.05, 0.15]),
      conflictRate: rng.pick([0, 0.05, 0.15]),
      maxFill: rng.pick([0.6, 0.75, 0.85, 0.85, 1]),
      countyRate: rng.pick([0, 0, 0.3]),
      sharedRoomIds: rng.chance(0.25),
      alternates: rng.pick([[0, 0], [0, 2], [1, 3]] as const),
    };
    const options: GenerateOptions =
      size === 0
        ? { ...common, experts: rng.int(15, 40), projects: rng.int(2, 4), sites: rng.int(2, 3), roomsPerSite: rng.int(1, 2), specialties: rng.int(2, 4) }
        : size === 1
          ? { ...common, experts: rng.int(60, 160), projects: rng.int(6, 18), sites: rng.int(3, 8), roomsPerSite: 2, specialties: rng.int(4, 8) }
          : size === 2
            ? { ...common, experts: rng.int(300, 600), projects: rng.int(40, 80), sites: rng.int(15, 30), roomsPerSite: 2, specialties: rng.int(8, 16) }
            : { ...common, experts: rng.int(1000, 1400), projects: rng.int(150, 200), sites: rng.int(50, 70), roomsPerSite: 2, specialties: 20 };
    const tag = ['tiny', 'small', 'medium', 'city'][size];
    days.push({ name: `${tag} #${i} (seed ${options.seed}, fill ${options.maxFill}, ${options.experts}e/${options.projects}p/${options.sites}s)`, options });
  }
  return days;
}

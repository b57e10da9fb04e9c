import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runDraw } from '@kawei/central/draw/run-draw.ts';
import { generateDay, PRESETS, type PresetName } from '../../central/test/draw/generate-day.ts';
import { allocateOurs, checkSeating, drawDay } from './instance.ts';
import { buildSeatingData, solveSeating } from './minizinc-runner.node.ts';

/**
 * One day, our allocator (one allocateSeats attempt on runDraw's first draw) against the Gecode
 * model on the same experts, for looking into a case the test or the benchmark reports; plus what
 * runDraw as a whole makes of the day:
 *
 *   node --import tsx bench/allocation/compare.node.ts --preset small --seed 4 [--fill 0.85]
 *        [--secret HEX64] [--limit 20000] [--out DIR]
 *
 * Prints both spreads, the projects whose room counts differ, and any rule broken; with --out, writes
 * day.json, draws.json, seating-data.json (the model's data: `minizinc --solver gecode
 * bench/allocation/seating.mzn DIR/seating-data.json`), ours.json and gecode.json.
 */
const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'small' },
    seed: { type: 'string', default: '1' },
    fill: { type: 'string', default: '1' },
    secret: { type: 'string', default: 'a1'.repeat(32) },
    limit: { type: 'string', default: '20000' },
    out: { type: 'string' },
  },
});
const preset = values.preset as PresetName;
if (!(preset in PRESETS)) throw new Error(`--preset: one of ${Object.keys(PRESETS).join(', ')}`);

const rawDay = generateDay({ ...PRESETS[preset], seed: Number(values.seed), maxFill: Number(values.fill) });
const drawn = drawDay(rawDay, values.secret);
if (!drawn.ok) {
  process.stdout.write(`the draw fails: ${JSON.stringify(drawn.failures, null, 2)}\n`);
  process.exit(1);
}
const day = drawn.day;
const started = performance.now();
const ours = allocateOurs(day);
const oursMs = performance.now() - started;
const gecode = await solveSeating(day.input, day.draws, { timeLimitMs: Number(values.limit) });

const roomsOf = (seats: readonly { project: string; site: string; room: string }[]) => {
  const map = new Map<string, Set<string>>();
  for (const s of seats) map.set(s.project, (map.get(s.project) ?? new Set()).add(`${s.site}/${s.room}`));
  return map;
};
const lines: string[] = [`${preset} seed ${values.seed} fill ${values.fill}: ${day.draws.reduce((n, d) => n + d.experts.length, 0)} drawn experts`];
const oursChecked = ours.ok ? checkSeating(day, ours.seats) : null;
lines.push(
  ours.ok
    ? `ours   ${oursMs.toFixed(2)} ms  ${JSON.stringify(oursChecked!.spread)}  seat violations ${oursChecked!.seatViolations.length}`
    : `ours   ${oursMs.toFixed(2)} ms  FAILED ${JSON.stringify(ours.failures)}`,
);
const gecodeChecked = gecode.seats ? checkSeating(day, gecode.seats) : null;
lines.push(
  `gecode ${gecode.wallMs.toFixed(0)} ms  ${gecode.status}${gecodeChecked ? `  ${JSON.stringify(gecodeChecked.spread)}  seat violations ${gecodeChecked.seatViolations.length}` : ''}`,
);
for (const v of [...(oursChecked?.seatViolations ?? []), ...(gecodeChecked?.seatViolations ?? [])]) lines.push(`  ${v.rule}: ${v.message}`);
const full = runDraw(rawDay, { secret: values.secret });
lines.push(
  full.ok
    ? `runDraw ok: ${JSON.stringify(full.result.quality)}${JSON.stringify(full.result.draws) === JSON.stringify(day.draws) ? '' : ' (after repairing the first draw)'}`
    : `runDraw FAILED ${JSON.stringify(full.failures)}`,
);
if (ours.ok && gecode.seats) {
  const a = roomsOf(ours.seats);
  const b = roomsOf(gecode.seats);
  for (const d of day.draws) {
    const na = a.get(d.project)?.size ?? 0;
    const nb = b.get(d.project)?.size ?? 0;
    if (na !== nb) lines.push(`  ${d.project} (${d.experts.length} experts): ours ${na} rooms, gecode ${nb}`);
  }
}
process.stdout.write(`${lines.join('\n')}\n`);

if (values.out) {
  mkdirSync(values.out, { recursive: true });
  const write = (name: string, data: unknown) => writeFileSync(join(values.out!, name), `${JSON.stringify(data, null, 2)}\n`);
  write('day.json', day.input);
  write('draws.json', day.draws);
  write('seating-data.json', buildSeatingData(day.input, day.draws).data);
  write('ours.json', ours);
  write('gecode.json', gecode);
  process.stdout.write(`written to ${values.out}\n`);
}

import { parseArgs } from 'node:util';
import { runChaos, type ChaosStore } from './chaos-harness.node.ts';
import { seedFromEnv } from './prng.ts';

/**
 * Replays or explores a chaos run from the command line and prints its report as JSON:
 *
 *   node --import tsx tests/chaos/run-chaos.node.ts --seed 1234 --cycles 200 [--devices 2]
 *        [--events 4] [--store sqlite|postgres] [--keep] [--drain-ms 120000]
 *        [--modes reorder,duplicates]   (rotate through these fault modes only)
 *
 * The seed defaults to KAWEI_CHAOS_SEED, then to 1. Exit code 1 when anything was lost, duplicated,
 * mismatched or not drained, or a chain is broken.
 */
const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    cycles: { type: 'string', default: '50' },
    devices: { type: 'string', default: '2' },
    events: { type: 'string', default: '4' },
    store: { type: 'string', default: 'sqlite' },
    keep: { type: 'boolean', default: false },
    'drain-ms': { type: 'string', default: '120000' },
    modes: { type: 'string' },
  },
});
const seed = values.seed !== undefined ? seedFromEnv(1, { KAWEI_CHAOS_SEED: values.seed }) : seedFromEnv(1, process.env);
const report = await runChaos({
  seed,
  cycles: Number(values.cycles),
  devices: Number(values.devices),
  eventsPerCycle: Number(values.events),
  store: values.store as ChaosStore,
  keepDir: values.keep,
  drainTimeoutMs: Number(values['drain-ms']),
  ...(values.modes ? { modes: values.modes.split(',') } : {}),
  progressEvery: 25,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
const ok = report.lost === 0 && report.duplicated === 0 && report.mismatched === 0 && report.chainIntact && report.drained;
process.exit(ok || report.skipped ? 0 : 1);

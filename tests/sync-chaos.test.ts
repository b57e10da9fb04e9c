import { describe, expect, it } from 'vitest';
import { runChaos, type ChaosReport } from './chaos/chaos-harness.node.ts';
import { seedFromEnv } from './chaos/prng.ts';

/**
 * Issue #3's proof, short form (`npm run bench -- sync` runs ≥ 1,000 cycles): real central and device
 * processes SIGKILLed and restarted at random, every device byte through the fault proxy (drops,
 * lost acknowledgements, delays, duplicates, reorders, outages), then every device's log compared
 * with the central's store.
 *
 * Replay a failure with its seed: KAWEI_CHAOS_SEED=<seed> npx vitest run tests/sync-chaos.test.ts, or
 * `node --import tsx tests/chaos/run-chaos.node.ts --seed <seed> --cycles 30 --keep` for the report
 * and the kept data directory. A failing run keeps its directory (logs, databases) and says where.
 */
const SEED = seedFromEnv(20261122, process.env);
const CYCLES = Number(process.env['KAWEI_CHAOS_TEST_CYCLES'] ?? 30);

function summary(report: ChaosReport): string {
  const { evidence, ...rest } = report;
  return JSON.stringify({ ...rest, evidence: evidence && { dir: evidence.dir, lastActions: evidence.lastActions.slice(-15) } }, null, 2);
}

describe('sync under chaos (real processes, fault proxy)', () => {
  it(
    `loses nothing, duplicates nothing and keeps every chain intact (seed ${SEED}, ${CYCLES} cycles)`,
    async () => {
      const report = await runChaos({ cycles: CYCLES, seed: SEED, devices: 2, eventsPerCycle: 4, store: 'sqlite', drainTimeoutMs: 45_000, minTicksPerDevice: 25 });
      const context = `seed ${SEED}\n${summary(report)}`;

      // the guarantee
      expect(report.lost, context).toBe(0);
      expect(report.duplicated, context).toBe(0);
      expect(report.mismatched, context).toBe(0);
      expect(report.chainIntact, context).toBe(true);
      expect(report.drained, context).toBe(true);
      expect(report.stored, context).toBe(report.appended);
      for (const d of report.perDevice) {
        expect(d.localChainIntact, `${d.label}: its own log\n${context}`).toBe(true);
        expect(d.ticksContiguous, `${d.label}: tick numbers\n${context}`).toBe(true);
        expect(d.printedButMissing, `${d.label}: reported appended, not in its log\n${context}`).toBe(0);
        expect(d.ticks, `${d.label} appended too little to prove anything\n${context}`).toBeGreaterThan(20);
      }

      // …and the faults really happened
      const p = report.proxy;
      expect(p.drops.total, `no connection was dropped\n${context}`).toBeGreaterThan(0);
      expect(p.lostAcks, `no acknowledgement was lost\n${context}`).toBeGreaterThan(0);
      expect(p.duplicated, `nothing was duplicated\n${context}`).toBeGreaterThan(0);
      expect(p.delayedChunks, `nothing was delayed\n${context}`).toBeGreaterThan(0);
      expect(p.reordered + p.reorderTimeouts, `nothing was reordered\n${context}`).toBeGreaterThan(0);
      expect(p.cuts, `the network was never cut\n${context}`).toBeGreaterThan(0);
      expect(report.actions.centralKills, `the central was never killed\n${context}`).toBeGreaterThan(0);
      expect(report.actions.centralRestarts, `the central was never restarted\n${context}`).toBeGreaterThan(0);
      expect(report.actions.deviceKills, `no device was killed\n${context}`).toBeGreaterThan(0);
      expect(report.perDevice.every((d) => d.starts > 1), `a device was never restarted\n${context}`).toBe(true);
    },
    150_000,
  );
});

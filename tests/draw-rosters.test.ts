import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { DeviceIdentityService } from '@kawei/shared/device/device-identity.node.ts';
import { drawResultSchema, type DayInput } from '@kawei/central/draw/day-schema.ts';
import { ENTRY, REPO_ROOT, runNode, startNode, type Listening, type Running } from '../scripts/lib/processes.node.ts';

/**
 * From the day's draw to the devices: the operator draws with kawei-draw, publishes the rosters
 * with kawei-central, and a booth and a gate receive what they need through the sync stream.
 */
const DRAW = join(REPO_ROOT, 'central/src/draw/main.node.ts');
const dir = mkdtempSync(join(tmpdir(), 'kawei-rosters-'));
const centralData = join(dir, 'central');
let central: Running<Listening>;

async function cli(entry: string, args: string[]): Promise<string> {
  const out = await runNode(entry, args);
  if (out.code !== 0) throw new Error(`${args.join(' ')} (${out.code}): ${out.stderr}`);
  return out.stdout;
}

async function enrolled(kind: 'booth' | 'gate', target: string) {
  const store = DeviceStore.open(join(dir, target, 'device.sqlite'));
  const service = new DeviceIdentityService({ kind, store, appVersion: 't', linkIntervalMs: 200 });
  const code = JSON.parse(await cli(ENTRY.central, ['enrol-code', `--${kind}`, target, '--json', '--data', centralData])) as { code: string };
  await service.enrol(central.ready.url.replace(/\/$/, ''), code.code);
  return { store, service };
}

beforeAll(async () => {
  await cli(ENTRY.central, ['seed-demo', '--data', centralData]);
  central = await startNode<Listening>(ENTRY.central, ['serve', '--data', centralData, '--port', '0'], { label: 'central', quiet: true });
}, 60_000);
afterAll(async () => {
  await central.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('draw → rosters → devices', () => {
  it('sends the booth its seated expert and the gate its site, never the project to the gate', async () => {
    const specialties = ['土建', '造价'];
    const day: DayInput = {
      date: '2026-11-23',
      sites: [{ id: 'site-city', rooms: [{ id: 'room-3', rows: 3, cols: 3, disabled: [] }, { id: 'room-5', rows: 3, cols: 3, disabled: ['B2'] }] }],
      experts: Array.from({ length: 16 }, (_, i) => ({ id: `E${100 + i}`, specialties: [specialties[i % 2]!], employer: `单位${i % 5}`, sites: ['site-city'] })),
      projects: ['GC-01', 'ZF-02'].map((id, i) => ({
        id,
        category: i === 1 ? ('government_procurement' as const) : ('engineering' as const),
        techWeight: 0.6,
        needs: [{ specialty: specialties[i]!, count: 3 }],
        alternates: 1,
        bidders: [{ id: `${id}-b1`, name: `某建设集团${i}`, org: `单位${i}` }],
        blind: false,
      })),
      conflicts: [],
    };
    writeFileSync(join(dir, 'day.json'), JSON.stringify(day));
    writeFileSync(join(dir, 'secret.txt'), `${'5e'.repeat(32)}\n`);
    await cli(DRAW, ['draw', '--input', join(dir, 'day.json'), '--secret-file', join(dir, 'secret.txt'), '--public-value', '7 12 19', '--out', join(dir, 'result.json')]);
    const result = drawResultSchema.parse(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')));
    expect(result.blind).toEqual(['ZF-02']);
    const seat = result.seats[0]!;

    const booth = await enrolled('booth', `${seat.room}-${seat.label}`);
    const gate = await enrolled('gate', 'gate-entrance');
    const published = JSON.parse(await cli(ENTRY.central, ['publish-rosters', '--result', join(dir, 'result.json'), '--json', '--data', centralData])) as {
      sent: number;
      unmatched: unknown[];
    };
    expect(published).toMatchObject({ sent: 2 });
    expect(published.unmatched).toHaveLength(result.seats.length - 1); // the other booths have no device yet

    await expect.poll(() => booth.store.inbox().length, { timeout: 10_000 }).toBe(1);
    expect(booth.store.inbox()[0]).toMatchObject({
      type: 'roster.booth',
      payload: { expert: seat.expert, codename: seat.codename, project: seat.project, label: seat.label, room: seat.room },
    });
    await expect.poll(() => gate.store.inbox().length, { timeout: 10_000 }).toBe(1);
    const gateRoster = gate.store.inbox()[0]!;
    expect(gateRoster.type).toBe('roster.gate');
    const entries = gateRoster.payload['entries'] as { expert: string; codename: string; label: string }[];
    expect(entries.map((e) => e.expert).sort()).toEqual(result.seats.map((s) => s.expert).sort());
    expect(JSON.stringify(gateRoster.payload)).not.toMatch(/GC-01|ZF-02/);

    for (const d of [booth, gate]) {
      await d.service.close();
      d.store.close();
    }
  });

  it('refuses a result file that is not a draw result, with a clear message', async () => {
    writeFileSync(join(dir, 'bogus.json'), JSON.stringify({ seats: 'none' }));
    const out = await runNode(ENTRY.central, ['publish-rosters', '--result', join(dir, 'bogus.json'), '--data', centralData]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/seats/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { DeviceIdentityService } from '@kawei/shared/device/device-identity.node.ts';
import { drawResultSchema, type DayInput } from '@kawei/central/draw/day-schema.ts';
import { facesGatePayloadSchema } from '@kawei/shared/api/gate-roster.ts';
import { ENTRY, REPO_ROOT, runNode, startNode, type Listening, type Running } from '../scripts/lib/processes.node.ts';

/**
 * From the day's draw to the devices: the operator draws with kawei-draw, publishes the rosters
 * with kawei-central, and a booth and a gate receive what they need through the sync stream.
 */
const DRAW = join(REPO_ROOT, 'central/src/draw/main.node.ts');
const MAKE_DEMO_EXPERTS = join(REPO_ROOT, 'scripts/make-demo-experts.node.ts');
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
  const code = JSON.parse(await cli(ENTRY.central, ['enrol-code', `--${kind}`, target, '--json', '--data', centralData])) as {
    code: string;
    centralFingerprint: string;
  };
  await service.enrol(central.ready.url.replace(/\/$/, ''), code.code, code.centralFingerprint);
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

  it('with --experts also sends every gate the day\'s face templates: the whole pool, seats at any site, masked', async () => {
    // the demo registry and its day (scripts/make-demo-experts.node.ts), with one file that is no photo
    const demo = JSON.parse((await cli(MAKE_DEMO_EXPERTS, [join(dir, 'experts')])).trim().split('\n').at(-1)!) as { dir: string; day: string };
    writeFileSync(join(demo.dir, 'photos', 'E203', 'scan.png'), 'not a picture');
    const names = JSON.parse(readFileSync(join(demo.dir, 'experts.json'), 'utf8')) as { id: string; name: string; idNumber: string }[];
    await cli(DRAW, ['draw', '--input', demo.day, '--secret-file', join(dir, 'secret.txt'), '--public-value', '3 5 8', '--out', join(dir, 'result-faces.json')]);
    const resultFile = join(dir, 'result-faces.json');
    const gate = await enrolled('gate', 'gate-room-3');

    // a registry that misses E205, who is seated at the county today: a loud warning; --strict sends nothing
    const partial = join(dir, 'experts-partial');
    cpSync(demo.dir, partial, { recursive: true });
    writeFileSync(join(partial, 'experts.json'), JSON.stringify(names.filter((n) => n.id !== 'E205')));
    const strict = await runNode(ENTRY.central, ['publish-rosters', '--result', resultFile, '--experts', partial, '--day', demo.day, '--strict', '--data', centralData]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/警告：1 位今日已排座的专家没有人脸模板/);
    expect(strict.stderr).toMatch(/WARNING: 1 expert\(s\) seated today have no face template/);
    expect(strict.stderr).toMatch(/E205 → site-county\/room-county-1 [A-Z]\d+: 未在专家登记册中 \/ not in the registry/);
    expect(strict.stderr).toMatch(/nothing was sent because of --strict/);
    const lenient = await runNode(ENTRY.central, ['publish-rosters', '--result', resultFile, '--experts', partial, '--day', demo.day, '--data', centralData, '--json']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/WARNING: 1 expert/);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ faces: { people: 4, seatedWithoutFace: [{ expert: 'E205', why: 'not_registered' }] } });

    const published = JSON.parse(
      await cli(ENTRY.central, ['publish-rosters', '--result', resultFile, '--experts', demo.dir, '--day', demo.day, '--json', '--data', centralData]),
    ) as { faces: Record<string, unknown> };
    expect(published.faces).toMatchObject({
      people: 5,
      parts: 1,
      gates: 2, // gate-entrance (enrolled above) and gate-room-3
      sent: 2,
      refused: [{ expert: 'E203', file: 'photos/E203/scan.png', reason: 'unreadable' }],
      seatedWithoutFace: [],
      poolWithoutFace: [],
      cache: { hits: 0, misses: 6 },
    });

    // the gate receives both of its roster.gate messages and both faces.gate sets (the lenient run's and this one)
    await expect.poll(() => gate.store.inbox().filter((m) => m.type === 'faces.gate').length, { timeout: 15_000 }).toBe(2);
    const faces = facesGatePayloadSchema.parse(gate.store.inbox().find((m) => m.type === 'faces.gate')!.payload); // newest first
    expect(faces).toMatchObject({ date: '2026-11-23', site: 'site-city', part: 1, parts: 1 });
    const seat = Object.fromEntries(faces.people.map((p) => [p.expert, p.seat]));
    expect(Object.keys(seat)).toEqual(['E201', 'E202', 'E203', 'E204', 'E205']);
    expect(seat['E205']).toMatchObject({ site: 'site-county', siteName: '县分中心', room: 'room-county-1', roomNumber: 1 });
    expect(seat['E204']).toBeNull();
    expect(seat['E201']).toMatchObject({ site: 'site-city', siteName: '市公共资源交易中心' });
    expect(faces.people.map((p) => p.maskedName)).toEqual(['张*远', '李*怡', '王*国', '陈*琪', '刘*峰']);
    const inbox = JSON.stringify(gate.store.inbox());
    for (const n of names) {
      expect(inbox).not.toContain(n.name);
      expect(inbox).not.toContain(n.idNumber);
    }

    // publishing again embeds nothing: every photo's result comes from the encrypted cache
    const again = await cli(ENTRY.central, ['publish-rosters', '--result', resultFile, '--experts', demo.dir, '--day', demo.day, '--data', centralData]);
    expect(again).toMatch(/人脸模板：5 人，每台闸机 1 个分包，共 2 台闸机，下发 2 条/);
    expect(again).toMatch(/photo cache: 6 命中 hit\(s\), 0 新计算 computed/);
    // The wording is the registry's (sharp decodes JPEG, PNG and WebP now); the reason code is the contract.
    expect(again).toMatch(/photos\/E203\/scan\.png \(E203\): 无法读取（[^）]+） \/ cannot be read \([^)]+\) \[unreadable\]/);

    await gate.service.close();
    gate.store.close();
  }, 120_000);

  it('refuses a registry that is not valid and a day file that is not the draw\'s, in Chinese and English', async () => {
    const bad = join(dir, 'experts-bad');
    cpSync(join(dir, 'experts'), bad, { recursive: true });
    writeFileSync(join(bad, 'experts.json'), JSON.stringify([{ id: 'E201', name: '张明远', idNumber: '110101197203150131' }]));
    const out = await runNode(ENTRY.central, ['publish-rosters', '--result', join(dir, 'result-faces.json'), '--experts', bad, '--data', centralData]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/错误：专家名册格式有误/);
    expect(out.stderr).toMatch(/error: .*experts\.json is not a valid expert list/);
    expect(out.stderr).toMatch(/0\.idNumber: 身份证号码无效/);

    const wrongDay = await runNode(ENTRY.central, ['publish-rosters', '--result', join(dir, 'result-faces.json'), '--experts', join(dir, 'experts'), '--day', join(dir, 'day.json'), '--data', centralData]);
    expect(wrongDay.code).toBe(2);
    expect(wrongDay.stderr).toMatch(/错误：当日输入文件（day\.json）与抽取结果不符/);
    expect(wrongDay.stderr).toMatch(/error: the day file does not match the draw result/);
  }, 60_000);

  it('refuses a result file that is not a draw result, with a clear message', async () => {
    writeFileSync(join(dir, 'bogus.json'), JSON.stringify({ seats: 'none' }));
    const out = await runNode(ENTRY.central, ['publish-rosters', '--result', join(dir, 'bogus.json'), '--data', centralData]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/seats/);
  });
});

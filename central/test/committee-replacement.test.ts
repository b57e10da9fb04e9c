import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTenderPdf } from '@kawei/shared/tender/make-tender-pdf.node.ts';
import { BOOTH_FILE_PATH, FACES_BOOTH_MESSAGE, PROJECT_BOOTH_MESSAGE, ROSTER_BOOTH_MESSAGE, projectBoothPayloadSchema } from '@kawei/shared/api/booth-roster.ts';
import type { EvaluationRulesInput } from '@kawei/shared/committee/evaluation-rules.ts';
import { runDrawCli } from '../src/draw/cli.node.ts';
import { drawResultSchema, type DayInput, type DrawResult } from '../src/draw/day-schema.ts';
import { runCli } from '../src/cli/run-cli.node.ts';
import { buildCentralServer } from '../src/server.node.ts';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { checkFileAccess, readGrantsSync } from '../src/projects/project-files.node.ts';
import { seatedBooths } from '../src/projects/booth-seats.ts';
import { TestDevice } from './device-signer.ts';
import { useTempDir } from './temp-dir.ts';
import { addCode, attempt } from './store-fixtures.ts';

/**
 * `committee replace` delivers what the replacement's booth needs (replacement-delivery.node.ts):
 * at a booth that was not seated on the project (`--booth`), the project's material (`project.booth`,
 * as publish-project sent it) and a place in the project's file grant, so its device can fetch the
 * tender files; at the leaver's own booth nothing more. Without `--experts` no face template goes
 * out: the command still succeeds, warns in both languages naming `committee face`, and says
 * `facesSent: false` in --json. Driven through the real publish-project on a real draw.
 */

const tempDir = useTempDir();
const PROJECT = 'GC-01';
const OPERATOR = ['--operator', 'op-1', '--why', 'the member did not arrive'];

let pdfCache: Uint8Array | null = null;
async function pdf(): Promise<Uint8Array> {
  pdfCache ??= (await makeTenderPdf({ bidder: { name: '华东示例建设有限公司' }, project: { name: '示例工程', code: PROJECT, tenderee: '示例中心' }, pages: 8 })).bytes;
  return pdfCache;
}

const RULES: EvaluationRulesInput = {
  method: 'comprehensive',
  preliminary: [],
  groups: [
    { id: 'tech', name: '技术' },
    { id: 'price', name: '价格' },
  ],
  items: [{ id: 'T1', group: 'tech', kind: 'subjective', name: '施工方案', max: 10 }],
  price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
};

function io() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    out: () => stdout,
    err: () => stderr,
  };
}

interface Published {
  data: string;
  result: DrawResult;
  /** GC-01's booth devices, in seat order. */
  seated: { boothId: string; deviceId: string; codename: string }[];
  /** A booth in the same room not seated on GC-01, with an enrolled device whose key the test holds. */
  spare: { boothId: string; device: TestDevice };
  fileSha256: string;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  messages(deviceId: string, type: string): Promise<{ cursor: number; payload: unknown }[]>;
  /** publish-project again (as after a booth PC was replaced); its --json summary. */
  publish(): Promise<Record<string, unknown>>;
}

/** The demo topology, a draw with GC-01 (three members, one alternate), every seat enrolled, one spare booth enrolled, GC-01 published. */
async function published(): Promise<Published> {
  const dir = tempDir();
  const data = join(dir, 'central');
  expect(await runCli(['seed-demo', '--data', data], io().io)).toBe(0);
  const day: DayInput = {
    date: '2026-11-23',
    sites: [{ id: 'site-city', rooms: [{ id: 'room-3', rows: 3, cols: 3, disabled: [] }] }],
    experts: Array.from({ length: 10 }, (_, i) => ({ id: `E${100 + i}`, specialties: ['土建'], employer: `单位${i}`, sites: ['site-city'] })),
    projects: [
      { id: PROJECT, category: 'engineering', techWeight: 0.6, needs: [{ specialty: '土建', count: 3 }], alternates: 1, bidders: [{ id: 'b1', name: '某建设集团', org: '某建设集团有限公司' }], blind: true },
    ],
    conflicts: [],
  };
  writeFileSync(join(dir, 'day.json'), JSON.stringify(day));
  const resultFile = join(dir, 'result.json');
  expect(runDrawCli(['draw', '--input', join(dir, 'day.json'), '--secret', 'cd'.repeat(32), '--public-value', '1 2 3', '--out', resultFile], () => undefined, () => undefined)).toBe(0);
  const result = drawResultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8')));

  const store = await SqliteCentralStore.open(join(data, 'central.sqlite'));
  const seated: Published['seated'] = [];
  let spare: Published['spare'];
  try {
    const seats = seatedBooths(result, await store.listSiteTrees(), []).filter((s) => s.seat.project === PROJECT);
    for (const [i, s] of seats.entries()) {
      const code = `SEAT${'ABCDEFGH'[i]}234`;
      await addCode(store, code, { kind: 'booth', boothId: s.boothId! });
      seated.push({ boothId: s.boothId!, deviceId: (await store.consumeEnrolmentCode(attempt(code, 'booth'))).device.id, codename: s.seat.codename });
    }
    const taken = new Set(seated.map((s) => s.boothId));
    const room = (await store.listSiteTrees()).flatMap((site) => site.rooms).find((r) => r.id === 'room-3')!;
    const boothId = room.booths.map((b) => b.id).find((id) => !taken.has(id))!;
    const device = new TestDevice();
    await addCode(store, 'SPAREZ234', { kind: 'booth', boothId });
    device.deviceId = (await store.consumeEnrolmentCode(attempt('SPAREZ234', 'booth', device))).device.id;
    spare = { boothId, device };
  } finally {
    await store.close();
  }

  const material = join(dir, 'material');
  mkdirSync(material, { recursive: true });
  const bytes = await pdf();
  writeFileSync(join(material, 'a.pdf'), bytes);
  writeFileSync(
    join(material, 'project.json'),
    JSON.stringify({
      title: '示例市第一中学教学楼改扩建工程',
      blind: true,
      startsAt: '2026-11-23T09:00:00+08:00',
      endsAt: '2026-11-23T17:00:00+08:00',
      bidders: [
        { code: 'A', name: '华东示例建设有限公司', aliases: [] },
        { code: 'B', name: '示例（北方）工程咨询有限公司', aliases: [] },
      ],
      files: [{ path: 'a.pdf', bidder: 'A', title: '投标文件' }],
      rules: RULES,
      bids: [
        { code: 'A', price: 38_652_318.46 },
        { code: 'B', price: 37_918_560 },
      ],
    }),
  );
  const cli = async (...args: string[]) => {
    const run = io();
    const code = await runCli([...args, '--data', data], run.io);
    return { code, stdout: run.out(), stderr: run.err() };
  };
  const publish = async () => {
    const run = await cli('publish-project', '--result', resultFile, '--project', PROJECT, '--material', material, '--no-ocr', '--json');
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };
  expect(await publish()).toMatchObject({ sent: 3, committee: { opened: true, members: 3, alternates: 1 } });

  const fileSha256 = createHash('sha256').update(bytes).digest('hex');
  const messages = async (deviceId: string, type: string) => {
    const s = await SqliteCentralStore.open(join(data, 'central.sqlite'));
    try {
      return (await s.messagesAfter(deviceId, 0, 10_000)).filter((m) => m.type === type).map((m) => ({ cursor: m.cursor, payload: m.payload }));
    } finally {
      await s.close();
    }
  };
  return { data, result, seated, spare: spare!, fileSha256, cli, messages, publish };
}

/** A device-authenticated GET of a tender file through the central's own route. */
async function fetchFile(data: string, device: TestDevice, sha256: string): Promise<{ status: number; bytes: number }> {
  const store = await SqliteCentralStore.open(join(data, 'central.sqlite'));
  const app = buildCentralServer({ store, dataDir: data, committeeCatchUpMs: 3_600_000 });
  try {
    await app.ready();
    const res = await app.inject(device.signedRequest({ method: 'GET', url: BOOTH_FILE_PATH.replace(':sha256', sha256) }));
    return { status: res.statusCode, bytes: res.rawPayload.length };
  } finally {
    await app.close();
    await store.close();
  }
}

describe('committee replace delivers what the replacement needs', { timeout: 120_000 }, () => {
  it('at another booth: the project material and the file grant, so its device can fetch the tender files; without --experts a warning names committee face', async () => {
    const p = await published();
    const alternate = p.result.draws.find((d) => d.project === PROJECT)!.alternates[0]!;
    const leaver = p.seated[2]!;

    // Before: the spare booth has no material and the route refuses it the file.
    expect(await p.messages(p.spare.device.deviceId, PROJECT_BOOTH_MESSAGE)).toEqual([]);
    expect((await checkFileAccess(p.data, p.fileSha256, p.spare.boothId)).kind).toBe('forbidden');
    expect((await fetchFile(p.data, p.spare.device, p.fileSha256)).status).toBe(404);

    const replaced = await p.cli(
      'committee', 'replace', '--project', PROJECT, '--codename', leaver.codename, '--reason', 'absent', '--alternate', alternate, '--booth', p.spare.boothId, ...OPERATOR,
    );
    expect([replaced.code, replaced.stderr]).toEqual([0, '']);
    // The material, the grant and the roster reported; the missing face template warned about in both languages, naming what to run.
    expect(replaced.stdout).toContain(`已向卡位 ${p.spare.boothId} 下发项目 ${PROJECT} 的评标材料`);
    expect(replaced.stdout).toContain(`booth ${p.spare.boothId} may now fetch the tender files of project ${PROJECT}`);
    expect(replaced.stdout).toMatch(/警告：未指定 --experts.*无法刷脸登录.*kawei-central committee face --project GC-01 --codename \S+ --experts/);
    expect(replaced.stdout).toMatch(/WARNING: no --experts.*Run: kawei-central committee face --project GC-01 --codename \S+ --experts <REGISTRY_DIR>/);

    // The spare booth's device got the very payload the seated booths got, and its roster.
    const leaverMaterial = (await p.messages(leaver.deviceId, PROJECT_BOOTH_MESSAGE)).at(-1)!;
    const spareMaterial = await p.messages(p.spare.device.deviceId, PROJECT_BOOTH_MESSAGE);
    expect(spareMaterial).toHaveLength(1);
    expect(spareMaterial[0]!.payload).toEqual(leaverMaterial.payload);
    expect(projectBoothPayloadSchema.parse(spareMaterial[0]!.payload).files.map((f) => f.sha256)).toEqual([p.fileSha256]);
    expect((await p.messages(p.spare.device.deviceId, ROSTER_BOOTH_MESSAGE)).at(-1)!.payload).toMatchObject({ expert: alternate, project: PROJECT });
    // The grant came before the material (a lower cursor cannot be checked on a file, so: the grant names the booth).
    const grant = readGrantsSync(p.data).find((g) => g.project === PROJECT)!;
    expect(grant.booths).toContain(p.spare.boothId);
    expect(grant.booths).toContain(leaver.boothId); // the leaver's booth keeps its grant (its documents stay readable there)
    expect(grant.files.map((f) => f.sha256)).toEqual([p.fileSha256]);

    // The device of the spare booth now fetches the file, byte for byte.
    expect(await fetchFile(p.data, p.spare.device, p.fileSha256)).toEqual({ status: 200, bytes: (await pdf()).length });
    expect(await p.messages(p.spare.device.deviceId, FACES_BOOTH_MESSAGE)).toEqual([]);

    // `committee face` without a registry is a usage error naming --experts.
    const codename = (/--codename (\S+) --experts/.exec(replaced.stdout) ?? [])[1]!;
    const face = await p.cli('committee', 'face', '--project', PROJECT, '--codename', codename);
    expect(face.code).not.toBe(0);
    expect(face.stderr).toContain('--experts');

    // Publishing again keeps the replacement's booth in the grant and sends it the material too.
    expect(await p.publish()).toMatchObject({ booths: 4, sent: 4, committee: { opened: false, why: 'decided' } });
    expect(readGrantsSync(p.data).find((g) => g.project === PROJECT)!.booths).toContain(p.spare.boothId);
    expect(await p.messages(p.spare.device.deviceId, PROJECT_BOOTH_MESSAGE)).toHaveLength(2);
    expect((await fetchFile(p.data, p.spare.device, p.fileSha256)).status).toBe(200);
  });

  it('at the leaver\'s booth: nothing sent again, the grant unchanged; --json says facesSent: false and warns on stderr', async () => {
    const p = await published();
    const alternate = p.result.draws.find((d) => d.project === PROJECT)!.alternates[0]!;
    const leaver = p.seated[0]!;
    const grantBefore = readGrantsSync(p.data).find((g) => g.project === PROJECT)!;

    const replaced = await p.cli('committee', 'replace', '--project', PROJECT, '--codename', leaver.codename, '--reason', 'ill', '--alternate', alternate, '--json', ...OPERATOR);
    expect(replaced.code).toBe(0);
    const json = JSON.parse(replaced.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ facesSent: false, projectMaterial: 'had', fileGrant: 'had' });
    expect(replaced.stderr).toContain('kawei-central committee face --project GC-01');
    expect(replaced.stderr).toContain('WARNING: no --experts');

    expect(await p.messages(leaver.deviceId, PROJECT_BOOTH_MESSAGE)).toHaveLength(1);
    expect(readGrantsSync(p.data).find((g) => g.project === PROJECT)).toEqual(grantBefore);
    expect(await p.messages(p.spare.device.deviceId, PROJECT_BOOTH_MESSAGE)).toEqual([]);
  });
});

/**
 * The report test's stack (issue #14): the committee stack of tests/support/committee-stack.node.ts —
 * a real `kawei-central serve` over TLS, the day drawn with kawei-draw, rosters and face templates
 * published, real booth services (CommitteeBooth) enrolled and logged in with face + commitment,
 * the project material published — with what the report needs on top:
 *
 * - the USB keys of a committee from SEVERAL CAs and key types (report-tokens.node.ts): per project,
 *   one key spec per seat ({ ca: 'A' | 'B', type: 'rsa' | 'ec' }), every CA in one trust folder that
 *   the booths and the central (`serve --trust DIR`) both read;
 * - the supervisor's (监标人) own token, made with the others (SoftHSM2 builds its slot list at
 *   C_Initialize), and its PIN in a file (`kawei-central report sign --pin-file`);
 * - a supervision certificate + key (openssl, RSA) for the identity annex's envelope, handed to the
 *   central by `centralArgs`.
 *
 * A copy of startCommitteeStack's set-up, trimmed (no host booths, no replacements), because that
 * one makes one EC key per seat under a fresh CA and starts the central without arguments; see the
 * test's report for the hook that would let this file shrink to a wrapper.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { loadFacePipeline, type FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { DEVICE_STORE_FILE } from '@kawei/shared/device/device-app-services.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { evaluationDay } from '@kawei/shared/domain/evaluation-day.ts';
import { drawResultSchema, type DayInput, type DrawResult } from '@kawei/central/draw/day-schema.ts';
import { SqliteCentralStore } from '@kawei/central/storage/sqlite-central-store.node.ts';
import { runCli } from '@kawei/central/cli/run-cli.node.ts';
import { readImageFile } from '@kawei/shared/face/image-decode.node.ts';
import { crop, padEdge, resize } from '@kawei/shared/face/image.ts';
import { ENTRY, REPO_ROOT, fingerprintOf, runNode, startNode, type Listening, type Running } from '../../scripts/lib/processes.node.ts';
import { CommitteeBooth, until, type BoothKey } from './committee-booth.node.ts';
import type { CliOutcome, CommitteeProjectSpec } from './committee-stack.node.ts';
import { bidders as makeBidders } from './committee-rules.node.ts';
import { createTokenUnder, makeTestCa, type ReportToken, type TestCa } from './report-tokens.node.ts';

const DRAW_ENTRY = join(REPO_ROOT, 'central/src/draw/main.node.ts');
export const REPORT_PIN = '123456';
const SITE = 'site-r';
const ROOM_SIDE = 5;

export type CaName = 'A' | 'B';
export interface KeySpec {
  ca: CaName;
  type: 'rsa' | 'ec';
}

export interface ReportProjectSpec extends CommitteeProjectSpec {
  /** One per seat, in the draw's seat order for the project (length = members). */
  keys: KeySpec[];
  /** project.json's `category` (report material). */
  category?: 'engineering' | 'procurement';
}

export interface ReportStackPaths {
  centralData: string;
  trustDir: string;
  supervisionCert: string;
  supervisionKey: string;
}

export interface ReportStackOptions {
  projects: ReportProjectSpec[];
  /** Extra `kawei-central serve` arguments (after --data/--host/--port). Default: `--trust <trustDir> --supervision-cert <cert>`. */
  centralArgs?: (paths: ReportStackPaths) => string[];
  linkIntervalMs?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface SupervisorKey {
  token: ReportToken;
  pinFile: string;
  /** The supervisor signs under this name (/Name). */
  name: string;
}

export interface ReportStack {
  readonly dir: string;
  readonly date: string;
  readonly centralData: string;
  /** The central's SQLite file (report files are stored there). */
  readonly sqlite: string;
  readonly result: DrawResult;
  readonly booths: CommitteeBooth[];
  /** Every CA of the run as PEM (CA-A, CA-B): the booths' and the central's trust folder. */
  readonly trustDir: string;
  readonly cas: Record<CaName, TestCa>;
  /** The token of each booth, by code name. */
  readonly tokens: Map<string, ReportToken>;
  readonly supervisor: SupervisorKey;
  /** PEM files of the supervision certificate and its key (identity annex envelope). */
  readonly supervision: { cert: string; key: string };
  /** Expert id → real name in the registry (names never to appear in a booth or the report). */
  readonly expertNames: Map<string, string>;
  boothsOf(project: string): CommitteeBooth[];
  cli(...args: string[]): Promise<string>;
  cliRaw(...args: string[]): Promise<CliOutcome>;
  cliProcess(...args: string[]): Promise<CliOutcome>;
  results(project: string): Promise<unknown>;
  stop(): Promise<void>;
}

async function cameraFrame(pipeline: FacePipeline): Promise<Buffer> {
  const image = readImageFile(join(REPO_ROOT, 'node_modules/@vladmandic/face-api/demo/sample3.jpg'));
  const box = (await pipeline.describeStill(image)).faces[0]?.face.box;
  if (!box) throw new Error('face-api sample3 shows no face to this pipeline');
  const w = box.width * 2.4;
  const h = w * 0.75;
  const pad = Math.round(w);
  const x = Math.round(box.x + box.width / 2 - w / 2) + pad;
  const y = Math.round(box.y + box.height / 2 - h / 2) + pad;
  const framed = resize(crop(padEdge(image, pad), x, y, Math.round(w), Math.round(h)), 640, 480);
  const data = Buffer.from(framed.data.buffer, framed.data.byteOffset, framed.data.byteLength);
  return Buffer.from(jpeg.encode({ width: framed.width, height: framed.height, data }, 90).data);
}

async function run(entry: string, args: string[], what: string): Promise<string> {
  const out = await runNode(entry, args);
  if (out.code !== 0) throw new Error(`${what} failed (${out.code}):\n${out.stderr}${out.stdout}`);
  return out.stdout;
}

function inboxTypes(dataDir: string): string[] {
  const file = join(dataDir, DEVICE_STORE_FILE);
  if (!existsSync(file)) return [];
  const store = DeviceStore.open(file);
  try {
    return store.inbox().map((m) => m.type);
  } finally {
    store.close();
  }
}

export async function startReportStack(o: ReportStackOptions): Promise<ReportStack> {
  const started = Date.now();
  const log = o.log ?? (process.env['KAWEI_TEST_VERBOSE'] ? (line: string) => process.stderr.write(`[report stack +${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`) : () => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'kawei-report-'));
  const date = evaluationDay(Date.now());
  const centralData = join(dir, 'central');
  mkdirSync(centralData, { recursive: true });
  const cliRaw = async (...args: string[]): Promise<CliOutcome> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli([...args, '--data', centralData], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
    return { code, stdout, stderr };
  };
  const cliProcess = (...args: string[]) => runNode(ENTRY.central, [...args, '--data', centralData]);
  const cli = async (...args: string[]) => {
    const out = await cliRaw(...args);
    if (out.code !== 0) throw new Error(`kawei-central ${args.join(' ')} failed (${out.code}):\n${out.stderr}${out.stdout}`);
    return out.stdout;
  };

  const pipelineLoading = loadFacePipeline();

  const totalMembers = o.projects.reduce((n, p) => n + p.members, 0);
  const roomIds = Array.from({ length: Math.ceil(totalMembers / 6) + 1 }, (_, i) => `room-r${i + 1}`);
  const sqlite = join(centralData, 'central.sqlite');
  const store = SqliteCentralStore.open(sqlite);
  try {
    await store.importTopology([
      { id: SITE, name: '评标测试中心', rooms: roomIds.map((id, i) => ({ id, number: i + 1, name: `${i + 1}号评标室`, rows: ROOM_SIDE, cols: ROOM_SIDE })), gates: [] },
    ]);
  } finally {
    await store.close();
  }

  log('draw');
  const poolSize = o.projects.reduce((n, p) => n + p.members + (p.alternates ?? 1), 0) + 2;
  const experts = Array.from({ length: poolSize }, (_, i) => `E${String(301 + i)}`);
  const expertNames = new Map(experts.map((id, i) => [id, `测试专家${i + 1}`]));
  const day: DayInput = {
    date,
    sites: [{ id: SITE, rooms: roomIds.map((id) => ({ id, rows: ROOM_SIDE, cols: ROOM_SIDE, disabled: [] })) }],
    experts: experts.map((id, i) => ({ id, specialties: ['造价'], employer: `专家单位${i}`, sites: [SITE] })),
    projects: o.projects.map((p) => ({
      id: p.id,
      // The draw's categories name procurement in full.
      category: p.category === 'procurement' ? ('government_procurement' as const) : ('engineering' as const),
      techWeight: 0.6,
      needs: [{ specialty: '造价', count: p.members }],
      alternates: p.alternates ?? 1,
      bidders: (p.bidders ?? makeBidders(p.bids.length)).map((b, i) => ({ id: `${p.id}-b${i + 1}`, name: b.name, org: b.name })),
      blind: p.blind ?? false,
    })),
    conflicts: [],
  };
  const dayFile = join(dir, 'day.json');
  const resultFile = join(dir, 'result.json');
  writeFileSync(dayFile, JSON.stringify(day, null, 2));
  await run(DRAW_ENTRY, ['draw', '--input', dayFile, '--secret', '6f'.repeat(32), '--public-value', `report ${date}`, '--out', resultFile], 'kawei-draw draw');
  const result = drawResultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8')));

  log('registry');
  const frame = await cameraFrame(await pipelineLoading);
  const registryDir = join(dir, 'experts');
  for (const id of experts) {
    mkdirSync(join(registryDir, 'photos', id), { recursive: true });
    writeFileSync(join(registryDir, 'photos', id, '1.jpg'), frame);
  }
  writeFileSync(join(registryDir, 'experts.json'), JSON.stringify(experts.map((id) => ({ id, name: expertNames.get(id) }))));
  const face = frame.toString('base64');

  // The keys: two CAs, every member's key under the CA its spec names, the supervisor's under CA-A.
  log('usb keys');
  const keyDir = join(dir, 'keys');
  const trustDir = join(dir, 'trust');
  mkdirSync(trustDir, { recursive: true });
  const cas: Record<CaName, TestCa> = { A: await makeTestCa('Kawei Report Test CA-A'), B: await makeTestCa('Kawei Report Test CA-B') };
  writeFileSync(join(trustDir, 'ca-a.pem'), cas.A.pem);
  writeFileSync(join(trustDir, 'ca-b.pem'), cas.B.pem);
  const seats = result.seats;
  const tokens = new Map<string, ReportToken>();
  const keys: BoothKey[] = [];
  for (const [i, seat] of seats.entries()) {
    const spec = o.projects.find((p) => p.id === seat.project);
    if (!spec) throw new Error(`the draw seated ${seat.codename} on unknown project ${seat.project}`);
    const k = seats.filter((s) => s.project === seat.project).indexOf(seat);
    const ks = spec.keys[k];
    if (!ks) throw new Error(`project ${spec.id}: no key spec for seat ${k + 1} (give one per member)`);
    const token = await createTokenUnder({ dir: keyDir, ca: cas[ks.ca], keyType: ks.type, codeName: seat.codename, label: `key-${i}`, pin: REPORT_PIN });
    tokens.set(seat.codename, token);
    keys.push({ modulePath: token.modulePath, trustDir, slot: token.slot, pin: REPORT_PIN });
  }
  const supervisorName = '监标人测试';
  const supervisorToken = await createTokenUnder({ dir: keyDir, ca: cas.A, keyType: 'ec', codeName: supervisorName, label: 'supervisor', pin: '654321', subjectOu: '监标人 Supervisor' });
  const pinFile = join(dir, 'supervisor.pin');
  writeFileSync(pinFile, '654321\n', { mode: 0o600 });
  process.env.SOFTHSM2_CONF = supervisorToken.conf;

  // The supervision certificate the identity annex is sealed for (openssl: an independent maker).
  const supervisionCert = join(dir, 'supervision-cert.pem');
  const supervisionKey = join(dir, 'supervision-key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', supervisionKey, '-out', supervisionCert, '-days', '30', '-subj', '/CN=Kawei Test Supervision/O=Kawei Test/C=CN'], { stdio: 'pipe' });

  log('central');
  const paths: ReportStackPaths = { centralData, trustDir, supervisionCert, supervisionKey };
  const extra = o.centralArgs ? o.centralArgs(paths) : ['--trust', trustDir, '--supervision-cert', supervisionCert];
  let central: Running<Listening> | null = null;
  central = await startNode<Listening>(ENTRY.central, ['serve', '--data', centralData, '--host', '127.0.0.1', '--port', '0', ...extra], { label: 'central', quiet: o.quiet ?? true });
  const centralUrl = central.ready.url;
  const centralFingerprint = fingerprintOf(central);
  const booths: CommitteeBooth[] = [];
  const pipeline = await pipelineLoading;
  try {
    log('booths');
    seats.forEach((seat, i) => booths.push(new CommitteeBooth(seat, join(dir, 'booths', `${seat.room}-${seat.label}`), keys[i]!, pipeline, face, o.linkIntervalMs)));
    for (let i = 0; i < booths.length; i += 3) {
      await Promise.all(
        booths.slice(i, i + 3).map(async (booth) => {
          const code = (JSON.parse(await cli('enrol-code', '--booth', booth.boothId, '--json')) as { code: string }).code;
          await booth.enrol(centralUrl, code, centralFingerprint);
        }),
      );
    }
    log('publish-rosters');
    await cli('publish-rosters', '--result', resultFile, '--experts', registryDir, '--day', dayFile);

    log('publish-project');
    for (const p of o.projects) {
      const materialDir = join(dir, 'material', p.id);
      mkdirSync(materialDir, { recursive: true });
      const material = {
        title: `${p.id} 评审测试项目`,
        category: p.category ?? 'engineering',
        blind: result.blind.includes(p.id),
        startsAt: null,
        endsAt: null,
        criteria: [{ id: 'total', name: '总分', max: 100 }],
        bidders: p.bidders ?? makeBidders(p.bids.length),
        files: [],
        rules: p.rules,
        bids: p.bids,
      };
      writeFileSync(join(materialDir, 'project.json'), JSON.stringify(material, null, 2));
      await cli('publish-project', '--result', resultFile, '--project', p.id, '--material', materialDir, '--no-ocr', '--json');
    }
    log('waiting for the day in every booth');
    for (const b of booths) {
      await until(`${b.boothId}'s day`, () => inboxTypes(b.dataDir), (t) => ['roster.booth', 'faces.booth', 'project.booth'].every((x) => t.includes(x)), 60_000, 200);
    }
    log('login');
    for (const b of booths) await b.login();
    log('ready');
  } catch (error) {
    for (const b of booths) await b.close().catch(() => undefined);
    await central.stop();
    pipeline.dispose();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    dir,
    date,
    centralData,
    sqlite,
    result,
    booths,
    trustDir,
    cas,
    tokens,
    supervisor: { token: supervisorToken, pinFile, name: supervisorName },
    supervision: { cert: supervisionCert, key: supervisionKey },
    expertNames,
    boothsOf: (project) => booths.filter((b) => b.seat.project === project),
    cli,
    cliRaw,
    cliProcess,
    async results(project) {
      return JSON.parse(await cli('results', '--project', project, '--json')) as unknown;
    },
    async stop() {
      for (const b of booths) await b.close().catch(() => undefined);
      await central?.stop();
      central = null;
      pipeline.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

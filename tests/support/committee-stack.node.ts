/**
 * Whole committees of real parts, for the committee tests, the Playwright spec and the benchmark:
 *
 * - a real central: `kawei-central serve` over TLS on its own data folder, the centre's topology (one
 *   site, rooms of 5×5 booths) imported into its store first, as an operator's topology import;
 * - the day drawn with `kawei-draw draw` (one project per committee, its members and alternates), the
 *   rosters and face templates published with `publish-rosters --experts` (a registry whose every
 *   expert has the same face-api demo face, framed as a booth camera sees it: each booth compares
 *   against its own expert only, and the replacement of a member can sit down at any booth);
 * - per seat, a real booth (committee-booth.node.ts: createBoothServices on its own data folder)
 *   enrolled with a real enrolment code, its USB key a SoftHSM2 token in its own slot (one SoftHSM
 *   token folder per process: SoftHSM2 reads SOFTHSM2_CONF once, so every key of the run is made
 *   before the first booth opens its PKCS#11 module) — an EC key under a CA of its own, or, where the
 *   project gives per-seat key specs, a key of the given type under one of the run's named CAs
 *   (report-tokens.node.ts; the report test's committee of two CAs), with extra tokens (a supervisor's)
 *   made alongside;
 * - the project material — `rules` and the opening record `bids` in project.json, no tender files —
 *   published with `publish-project`, which opens the committee at the central;
 * - the central started with whatever extra `serve` arguments the caller's beforeServe hook gives
 *   (--trust, --supervision-cert …), on every start.
 *
 * One stack per process. Its folder is a temp dir, removed by stop().
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import type { EvaluationRulesInput, OpeningBid } from '@kawei/shared/committee/evaluation-rules.ts';
import { loadFacePipeline, type FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { DEVICE_STORE_FILE } from '@kawei/shared/device/device-app-services.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { evaluationDay } from '@kawei/shared/domain/evaluation-day.ts';
import { drawResultSchema, type DayInput, type DrawResult } from '@kawei/central/draw/day-schema.ts';
import { SqliteCentralStore } from '@kawei/central/storage/sqlite-central-store.node.ts';
import { runCli } from '@kawei/central/cli/run-cli.node.ts';
import { createDownstreamMessage } from '@kawei/central/sync/downstream-messages.node.ts';
import { FACES_BOOTH_MESSAGE } from '@kawei/shared/api/booth-roster.ts';
import { encodeEmbedding } from '@kawei/shared/api/gate-roster.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { FACE_EMBEDDING_MODEL } from '@kawei/shared/face/models.ts';
import { ENTRY, REPO_ROOT, fingerprintOf, runNode, startNode, type Listening, type Running } from '../../scripts/lib/processes.node.ts';
import { createTestToken } from '../../scripts/lib/softhsm-token.node.ts';
import { readImageFile } from '@kawei/shared/face/image-decode.node.ts';
import { crop, padEdge, resize } from '@kawei/shared/face/image.ts';
import { CommitteeBooth, until, type BoothKey } from './committee-booth.node.ts';
import { CommitteeHostBooth } from './committee-host-booth.node.ts';
import { bidders as makeBidders, type ProjectBidder } from './committee-rules.node.ts';
import { createTokenUnder, makeTestCa, type ReportToken, type TestCa } from './report-tokens.node.ts';

const DRAW_ENTRY = join(REPO_ROOT, 'central/src/draw/main.node.ts');
export const COMMITTEE_PIN = '123456';
const SITE = 'site-c';
/** A 5×5 room seats up to 9 members of one project, never 8-adjacent. */
const ROOM_SIDE = 5;

export interface CommitteeProjectSpec {
  id: string;
  members: number;
  alternates?: number;
  blind?: boolean;
  rules: EvaluationRulesInput;
  bids: OpeningBid[];
  /** Defaults to one bidder per bid, codes A…. */
  bidders?: ProjectBidder[];
  /**
   * The USB key of each seat, in the draw's seat order for the project (one per member): its type and
   * which of the stack's named CAs (options.cas) certifies it. Without: an EC key under a CA of its own.
   */
  keys?: SeatKeySpec[];
  /** project.json's `category` (report material); without, project.json has none (the central's default). */
  category?: 'engineering' | 'procurement';
}

export interface SeatKeySpec {
  /** A name in CommitteeStackOptions.cas. */
  ca: string;
  type: 'rsa' | 'ec';
}

/** A token made with the seats' (before any booth opens): one nobody sits at, such as the supervisor's. */
export interface ExtraTokenSpec extends SeatKeySpec {
  codeName: string;
  label: string;
  pin: string;
  /** The certificate's OU (default: the experts' one). */
  subjectOu?: string;
}

/** Where the stack keeps what a beforeServe hook may need. */
export interface CommitteeStackPaths {
  dir: string;
  centralData: string;
  /** Every CA of the run's seat keys (PEM): the booths' trust folder. */
  trustDir: string;
}

export interface CommitteeStackOptions {
  projects: CommitteeProjectSpec[];
  /** Publish every project's material at start (default true). */
  publish?: boolean;
  /** Log in every booth (face + commitment) at start (default true). */
  login?: boolean;
  /**
   * The first N seats of the first project run as booth host processes (CommitteeHostBooth: a screen
   * for a browser), enrolled and sent their day but not logged in; the others are in-process services.
   */
  hostSeats?: number;
  /** Extra USB keys made before any booth opens (for booths a test adds later). */
  spareKeys?: number;
  /** The run's named CAs (name → subject CN), made before the keys and written to the trust folder. */
  cas?: Record<string, string>;
  /** Tokens made after the seats' keys, under the named CAs; in `tokens` by code name. */
  extraTokens?: ExtraTokenSpec[];
  /**
   * Extra `kawei-central serve` arguments (after --data/--host/--port), asked before every start of
   * the central, once the keys and the trust folder exist; it may prepare files under paths.dir.
   */
  beforeServe?: (paths: CommitteeStackPaths) => string[] | Promise<string[]>;
  linkIntervalMs?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommitteeStack {
  readonly dir: string;
  readonly date: string;
  readonly centralData: string;
  /** The central's SQLite file. */
  readonly sqlite: string;
  /** The trust folder of the seats' keys (paths.trustDir). */
  readonly trustDir: string;
  /** The named CAs of options.cas. */
  readonly cas: Record<string, TestCa>;
  /** The tokens made from key specs (seats of projects with `keys`, extraTokens), by code name. */
  readonly tokens: Map<string, ReportToken>;
  /** Expert id → real name in the registry (names never to appear in a booth or a report). */
  readonly expertNames: Map<string, string>;
  readonly centralUrl: string;
  readonly centralFingerprint: string;
  readonly resultFile: string;
  readonly result: DrawResult;
  readonly pipeline: FacePipeline;
  readonly booths: CommitteeBooth[];
  /** The seats served by booth host processes (hostSeats). */
  readonly hosts: CommitteeHostBooth[];
  /** The camera frame of the registry's face (every expert of the run has it). */
  readonly face: string;
  /** The same frame as a JPEG file (a fake camera for Chromium is made from it). */
  readonly facePhoto: string;
  /** USB keys not given to any booth yet (spareKeys). */
  readonly spareKeys: BoothKey[];
  boothsOf(project: string): CommitteeBooth[];
  boothOf(codename: string): CommitteeBooth;
  /** `kawei-central ARGS --data …`: stdout, or an error with what it said. */
  cli(...args: string[]): Promise<string>;
  /** The same, without throwing: exit code and both outputs. */
  cliRaw(...args: string[]): Promise<CliOutcome>;
  /** The kawei-central binary itself (a process), without throwing. */
  cliProcess(...args: string[]): Promise<CliOutcome>;
  /** project.json of `project` as published (rules, bids, …), with `over` merged in. */
  material(project: string, over?: Record<string, unknown>): Record<string, unknown>;
  /** Writes the material and runs publish-project (the committee opens); the CLI's outcome. */
  publishProject(project: string, over?: Record<string, unknown>): Promise<CliOutcome>;
  /** `kawei-central results --project P --json`, parsed. */
  results(project: string): Promise<unknown>;
  /** Enrols a booth at a free booth of the topology for `seat` (a replacement's booth) with a spare key. */
  addBooth(seat: { expert: string; project: string; codename: string }, boothId?: string): Promise<CommitteeBooth>;
  /**
   * Sends a booth the registry face's template for `expert` (faces.booth), signed and queued by the
   * central's own createDownstreamMessage: what publish-rosters --experts does for seated experts.
   * For an alternate seated by `committee replace`, which sends the roster but no template.
   */
  sendFaceTemplate(deviceId: string, expert: string): Promise<void>;
  stopCentral(): Promise<void>;
  startCentral(): Promise<void>;
  stop(): Promise<void>;
}

/** A 640×480 camera frame (JPEG) with face-api's sample3 face in the middle, ≈ 0.4 of the width. */
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

/** The message types in a booth's inbox, read from its device store (another process may be writing). */
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

const rooms = (members: number) => Math.ceil(members / 6) + 1;

function projectOf(o: CommitteeStackOptions, project: string): CommitteeProjectSpec {
  const spec = o.projects.find((p) => p.id === project);
  if (!spec) throw new Error(`no project ${project} in this stack`);
  return spec;
}

export async function startCommitteeStack(o: CommitteeStackOptions): Promise<CommitteeStack> {
  const started = Date.now();
  // KAWEI_TEST_VERBOSE=1: each step of the set-up on stderr, with the seconds since the start.
  const log = o.log ?? (process.env['KAWEI_TEST_VERBOSE'] ? (line: string) => process.stderr.write(`[committee stack +${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`) : () => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'kawei-committee-'));
  const date = evaluationDay(Date.now());
  const centralData = join(dir, 'central');
  const sqlite = join(centralData, 'central.sqlite');
  mkdirSync(centralData, { recursive: true });
  // The operator's commands run in this process through the CLI's own entry (runCli: the same code
  // and exit codes as the kawei-central binary) — a process per command costs seconds on a loaded
  // machine. cliProcess runs the real binary.
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

  // The centre's topology, imported into the central's store before it serves.
  const totalMembers = o.projects.reduce((n, p) => n + p.members, 0);
  const roomIds = Array.from({ length: rooms(totalMembers) }, (_, i) => `room-c${i + 1}`);
  const store = SqliteCentralStore.open(sqlite);
  try {
    await store.importTopology([
      { id: SITE, name: '评标测试中心', rooms: roomIds.map((id, i) => ({ id, number: i + 1, name: `${i + 1}号评标室`, rows: ROOM_SIDE, cols: ROOM_SIDE })), gates: [] },
    ]);
  } finally {
    await store.close();
  }

  // The day: experts enough for every committee and its alternates, each with a distinct employer.
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
  await run(DRAW_ENTRY, ['draw', '--input', dayFile, '--secret', '5e'.repeat(32), '--public-value', `committee ${date}`, '--out', resultFile], 'kawei-draw draw');
  const result = drawResultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8')));

  // The face registry: one demo face for every expert (a booth compares only with its own expert).
  // The registration photo is the camera's frame itself: a 640×480 frame around face-api's sample3.
  log('registry');
  const frame = await cameraFrame(await pipelineLoading);
  const registryDir = join(dir, 'experts');
  for (const id of experts) {
    mkdirSync(join(registryDir, 'photos', id), { recursive: true });
    writeFileSync(join(registryDir, 'photos', id, '1.jpg'), frame);
  }
  writeFileSync(join(registryDir, 'experts.json'), JSON.stringify(experts.map((id) => ({ id, name: expertNames.get(id) }))));
  const face = frame.toString('base64');

  // Every USB key of the run, in one SoftHSM2 token folder (see the header).
  log('usb keys');
  const keyDir = join(dir, 'keys');
  const trustDir = join(dir, 'trust');
  mkdirSync(trustDir, { recursive: true });
  const hostSeats = result.seats.filter((x) => x.project === o.projects[0]?.id).slice(0, o.hostSeats ?? 0);
  const seats = result.seats.filter((x) => !hostSeats.includes(x));
  const cas: Record<string, TestCa> = {};
  for (const [name, subject] of Object.entries(o.cas ?? {})) {
    cas[name] = await makeTestCa(subject);
    writeFileSync(join(trustDir, `ca-${name.toLowerCase()}.pem`), cas[name].pem);
  }
  const caOf = (name: string) => {
    const ca = cas[name];
    if (!ca) throw new Error(`no CA ${name} in this stack's cas`);
    return ca;
  };
  const tokens = new Map<string, ReportToken>();
  const keys: BoothKey[] = [];
  const keyCount = seats.length + (o.spareKeys ?? 0);
  for (let i = 0; i < keyCount; i++) {
    const seat = seats[i];
    const codeName = seat?.codename ?? `SPARE-${i}`;
    const specs = seat && projectOf(o, seat.project).keys;
    let token: { conf: string; modulePath: string; slot: string };
    if (specs) {
      // The seat's place among its project's seats, in the draw's order.
      const k = result.seats.filter((s) => s.project === seat.project).indexOf(seat);
      const ks = specs[k];
      if (!ks) throw new Error(`project ${seat.project}: no key spec for seat ${k + 1} (give one per member)`);
      const made = await createTokenUnder({ dir: keyDir, ca: caOf(ks.ca), keyType: ks.type, codeName, label: `key-${i}`, pin: COMMITTEE_PIN });
      tokens.set(codeName, made);
      token = made;
    } else {
      const made = await createTestToken({ dir: keyDir, codeName, label: `key-${i}`, pin: COMMITTEE_PIN, cas: 1, keyType: 'ec' });
      // Each call writes its own CA as ca-1.pem: keep them all.
      writeFileSync(join(trustDir, `ca-key-${i}.pem`), made.cas[0]!.pem);
      token = made;
    }
    process.env.SOFTHSM2_CONF = token.conf;
    keys.push({ modulePath: token.modulePath, trustDir, slot: token.slot, pin: COMMITTEE_PIN });
  }
  for (const x of o.extraTokens ?? []) {
    const made = await createTokenUnder({ dir: keyDir, ca: caOf(x.ca), keyType: x.type, codeName: x.codeName, label: x.label, pin: x.pin, ...(x.subjectOu ? { subjectOu: x.subjectOu } : {}) });
    tokens.set(x.codeName, made);
    process.env.SOFTHSM2_CONF = made.conf;
  }

  log('central');
  let central: Running<Listening> | null = null;
  let centralPort = 0;
  let centralFingerprint = '';
  const startCentral = async () => {
    const extra = (await o.beforeServe?.({ dir, centralData, trustDir })) ?? [];
    central = await startNode<Listening>(ENTRY.central, ['serve', '--data', centralData, '--host', '127.0.0.1', '--port', String(centralPort), ...extra], {
      label: 'central',
      quiet: o.quiet ?? true,
    });
    centralPort = Number(new URL(central.ready.url).port);
    centralFingerprint = fingerprintOf(central);
  };
  const booths: CommitteeBooth[] = [];
  const hosts: CommitteeHostBooth[] = [];
  await startCentral();
  try {
    const centralUrl = `https://127.0.0.1:${centralPort}`;

    const pipeline = await pipelineLoading;
    log('booths');
    for (const seat of hostSeats) hosts.push(await CommitteeHostBooth.create(seat, join(dir, 'hosts', `${seat.room}-${seat.label}`), COMMITTEE_PIN));
    const enrol = async (booth: CommitteeBooth | CommitteeHostBooth) => {
      const code = (JSON.parse(await cli('enrol-code', '--booth', booth.boothId, '--json')) as { code: string }).code;
      await booth.enrol(centralUrl, code, centralFingerprint);
    };
    seats.forEach((seat, i) => {
      const booth = new CommitteeBooth(seat, join(dir, 'booths', `${seat.room}-${seat.label}`), keys[i]!, pipeline, face, o.linkIntervalMs);
      booths.push(booth);
    });
    // Three enrolments at a time (each is a CLI process for the code, then the booth's request).
    const all = [...hosts, ...booths];
    for (let i = 0; i < all.length; i += 3) await Promise.all(all.slice(i, i + 3).map(enrol));
    log('publish-rosters');
    await cli('publish-rosters', '--result', resultFile, '--experts', registryDir, '--day', dayFile);

    const materialDir = (project: string) => join(dir, 'material', project);
    const material = (project: string, over: Record<string, unknown> = {}) => {
      const spec = projectOf(o, project);
      return {
        title: `${project} 评审测试项目`,
        blind: result.blind.includes(project),
        startsAt: null,
        endsAt: null,
        ...(spec.category ? { category: spec.category } : {}),
        criteria: [{ id: 'total', name: '总分', max: 100 }],
        bidders: spec.bidders ?? makeBidders(spec.bids.length),
        files: [],
        rules: spec.rules,
        bids: spec.bids,
        ...over,
      };
    };
    const publishProject = async (project: string, over: Record<string, unknown> = {}) => {
      mkdirSync(materialDir(project), { recursive: true });
      writeFileSync(join(materialDir(project), 'project.json'), JSON.stringify(material(project, over), null, 2));
      return cliRaw('publish-project', '--result', resultFile, '--project', project, '--material', materialDir(project), '--no-ocr', '--json');
    };

    const boothOf = (codename: string) => {
      const b = booths.find((x) => x.codename === codename);
      if (!b) throw new Error(`no booth seats ${codename}`);
      return b;
    };
    const spareKeys = keys.slice(seats.length);
    const stack: CommitteeStack = {
      dir,
      date,
      centralData,
      sqlite,
      trustDir,
      cas,
      tokens,
      expertNames,
      centralUrl,
      get centralFingerprint() {
        return centralFingerprint;
      },
      resultFile,
      result,
      pipeline,
      booths,
      hosts,
      face,
      facePhoto: join(registryDir, 'photos', experts[0]!, '1.jpg'),
      spareKeys,
      boothsOf: (project) => booths.filter((b) => b.seat.project === project),
      boothOf,
      cli,
      cliRaw,
      cliProcess,
      material,
      publishProject,
      async results(project) {
        return JSON.parse(await cli('results', '--project', project, '--json')) as unknown;
      },
      async addBooth(seat, boothId) {
        const key = spareKeys.shift();
        if (!key) throw new Error('no spare USB key left: give the stack more spareKeys');
        const taken = new Set(booths.map((b) => b.boothId));
        const free =
          boothId ??
          roomIds.flatMap((room) => Array.from({ length: ROOM_SIDE * ROOM_SIDE }, (_, k) => `${room}-${String.fromCharCode(65 + Math.floor(k / ROOM_SIDE))}${(k % ROOM_SIDE) + 1}`)).find((id) => !taken.has(id));
        if (!free) throw new Error('no free booth in the topology');
        const cut = free.lastIndexOf('-');
        const booth = new CommitteeBooth({ ...seat, room: free.slice(0, cut), label: free.slice(cut + 1) }, join(dir, 'booths', free), key, pipeline, face, o.linkIntervalMs);
        booths.push(booth);
        await enrol(booth);
        return booth;
      },
      async sendFaceTemplate(deviceId, expert) {
        const described = await pipeline.describeStill(readImageFile(join(registryDir, 'photos', experts[0]!, '1.jpg')));
        const embedding = described.faces[0]?.embedding;
        if (!embedding) throw new Error('the registry photo shows no face');
        const central = SqliteCentralStore.open(sqlite);
        try {
          const identity = await central.getCentralIdentity();
          await createDownstreamMessage(
            { store: central, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), now: Date.now },
            { deviceId, type: FACES_BOOTH_MESSAGE, payload: { date, expert, model: FACE_EMBEDDING_MODEL, embedding: encodeEmbedding(embedding) } },
          );
        } finally {
          await central.close();
        }
      },
      startCentral,
      async stopCentral() {
        await central?.stop();
        central = null;
      },
      async stop() {
        for (const b of booths) await b.close().catch(() => undefined);
        for (const h of hosts) await h.stop().catch(() => undefined);
        await central?.stop();
        pipeline.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };

    if (o.publish ?? true) {
      log('publish-project');
      for (const p of o.projects) {
        const out = await publishProject(p.id);
        if (out.code !== 0) throw new Error(`publish-project ${p.id} failed (${out.code}):\n${out.stderr}${out.stdout}`);
      }
      log('waiting for the day in every booth');
      for (const b of [...hosts, ...booths]) {
        await until(`${b.boothId}'s day`, () => inboxTypes(b.dataDir), (t) => ['roster.booth', 'faces.booth', 'project.booth'].every((x) => t.includes(x)), 60_000, 200);
      }
    } else {
      for (const b of [...hosts, ...booths]) await until(`${b.boothId}'s roster`, () => inboxTypes(b.dataDir), (t) => ['roster.booth', 'faces.booth'].every((x) => t.includes(x)), 60_000, 200);
    }
    if (o.login ?? true) {
      log('login');
      for (const b of booths) await b.login();
    }
    return stack;
  } catch (error) {
    // A set-up that fails leaves nothing running (the test's afterAll has no stack to stop).
    for (const b of booths) await b.close().catch(() => undefined);
    for (const h of hosts) await h.stop().catch(() => undefined);
    await (central as Running<Listening> | null)?.stop();
    (await pipelineLoading).dispose();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

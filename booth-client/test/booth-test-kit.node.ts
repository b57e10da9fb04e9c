/**
 * What the booth's session tests share: real faces cut from face-api's demo photos into 640×480
 * camera frames, an enrolled booth's data folder with the day's messages already in its inbox (as the
 * pull client stores them) and a central that is away (nothing listens at its address), a fake clock,
 * a SoftHSM2 token, and `openssl cms -verify`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jpeg from 'jpeg-js';
import { encodeEmbedding } from '@kawei/shared/api/gate-roster.ts';
import type { BoothSession, CameraFrameOutput } from '@kawei/shared/contract/booth-session.ts';
import type { CallResult } from '@kawei/shared/contract/contract.ts';
import { generateEd25519, privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { DEVICE_STORE_FILE } from '@kawei/shared/device/device-app-services.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import type { BoothPosition } from '@kawei/shared/domain/topology.ts';
import { loadFacePipeline, type FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import type { Box, RgbaImage } from '@kawei/shared/face/face-types.ts';
import { readImageFile } from '@kawei/shared/face/image-decode.node.ts';
import { crop, padEdge, resize } from '@kawei/shared/face/image.ts';
import { cosineSimilarity } from '@kawei/shared/face/matching.ts';
import { assessQuality, toGray } from '@kawei/shared/face/quality.ts';
import { EventLog } from '@kawei/shared/sync/event-log.node.ts';
import { createTestToken, type TestToken } from '../../scripts/lib/softhsm-token.node.ts';
import { createBoothServices, type BoothServices } from '../src/services/booth-services.node.ts';
import { parseBoothConfig } from '../src/services/booth-config.ts';
import { boothDay } from '../src/services/roster/booth-day.ts';

const run = promisify(execFile);
const DEMO = join(process.cwd(), 'node_modules/@vladmandic/face-api/demo');

export const START = Date.now();
export const TODAY = boothDay(START);
export const clock = { t: START };
export const now = (): number => clock.t;

export const EXPERT = 'exp-a';
export const CODENAME = 'HK-37';
export const PROJECT = 'JS-2026-0418';

export const POSITION: BoothPosition = {
  kind: 'booth',
  site: { id: 's1', name: '市公共资源交易中心' },
  room: { id: 'r3', siteId: 's1', number: 3, name: '3号评标室', rows: 3, cols: 3 },
  booth: { id: 'b-r3-a2', roomId: 'r3', row: 0, col: 1, label: 'A2' },
};

export interface Faces {
  /** The seated expert, as the camera sees them. */
  expert: string;
  /** Someone else, far below the passive "same person" bar against the expert. */
  other: string;
  /** Two people in the frame. */
  two: string;
  /** An empty booth. */
  blank: string;
  /** The expert's enrolment template (from the whole photo). */
  template: Float32Array;
}

function toJpeg(image: RgbaImage): string {
  const data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return Buffer.from(jpeg.encode({ width: image.width, height: image.height, data }, 90).data).toString('base64');
}

/** A 640×480 frame with the face in the middle, ≈ 0.4 of the width (a person at a booth's camera). */
function frameAround(image: RgbaImage, box: Box): RgbaImage {
  const w = box.width * 2.4;
  const h = w * 0.75;
  const pad = Math.round(w);
  const x = Math.round(box.x + box.width / 2 - w / 2) + pad;
  const y = Math.round(box.y + box.height / 2 - h / 2) + pad;
  return resize(crop(padEdge(image, pad), x, y, Math.round(w), Math.round(h)), 640, 480);
}

async function described(pipeline: FacePipeline, sample: number, index: number) {
  const image = readImageFile(join(DEMO, `sample${sample}.jpg`));
  const d = await pipeline.describeStill(image);
  const f = d.faces[index];
  if (!f) throw new Error(`sample${sample} has no face ${index}`);
  return { image, face: f };
}

export async function loadFaces(pipeline: FacePipeline): Promise<Faces> {
  const expert = await described(pipeline, 3, 0);
  const expertFrame = toJpeg(frameAround(expert.image, expert.face.face.box));
  // The "other" face: the demo face whose camera frame passes the quality gate and lies farthest
  // from the expert (printed if it ever gets close to the passive "same person" bar).
  let other = { frame: '', similarity: 1 };
  for (const [sample, index] of [
    [6, 0],
    [6, 1],
    [6, 2],
    [6, 3],
    [4, 0],
    [5, 0],
  ] as const) {
    const o = await described(pipeline, sample, index);
    const framed = frameAround(o.image, o.face.face.box);
    const seen = await pipeline.observe(framed, { still: true });
    const face = seen.faces[0];
    if (seen.faces.length !== 1 || !face || !assessQuality(seen, toGray(framed)).ok) continue;
    const s = cosineSimilarity(pipeline.embed(framed, [face])[0] as Float32Array, expert.face.embedding);
    if (s < other.similarity) other = { frame: toJpeg(framed), similarity: s };
  }
  if (other.similarity >= 0.86) console.warn(`booth-test-kit: the other face scores ${other.similarity} against the expert`);
  const s3 = readImageFile(join(DEMO, 'sample3.jpg'));
  return {
    expert: expertFrame,
    other: other.frame,
    two: toJpeg(resize(crop(s3, 400, 150, 1100, 825), 640, 480)),
    blank: toJpeg({ width: 640, height: 480, data: new Uint8Array(640 * 480 * 4).fill(128) }),
    template: expert.face.embedding,
  };
}

const tempDirs: string[] = [];
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface DayMessages {
  roster?: Record<string, unknown> | null;
  faces?: Record<string, unknown> | null;
  project?: Record<string, unknown> | null;
  extra?: { type: string; payload: unknown }[];
}

export function rosterPayload(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { date: TODAY, seed: 'seed-1', expert: EXPERT, codename: CODENAME, project: PROJECT, blind: 1, room: 'r3', label: 'A2', ...over };
}
export function facesPayload(template: Float32Array, model: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { date: TODAY, expert: EXPERT, model, embedding: encodeEmbedding(template), ...over };
}
export function projectPayload(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    date: TODAY,
    project: PROJECT,
    title: '某市第三人民医院门诊楼改扩建工程施工总承包',
    blind: true,
    startsAt: START,
    endsAt: START + 4 * 3_600_000,
    criteria: [
      { id: 'tech', name: '技术', max: 50 },
      { id: 'biz', name: '商务', max: 20 },
      { id: 'price', name: '价格', max: 30 },
    ],
    bidders: [
      { code: 'A', name: '江苏恒通建设集团有限公司', aliases: ['恒通建设'] },
      { code: 'B', name: '南京华宇工程有限公司', aliases: [] },
    ],
    files: [],
    ...over,
  };
}

/** An enrolled booth's data folder with the day's messages in its inbox; the central is away. */
export function enrolledBoothDir(messages: DayMessages, position: BoothPosition = POSITION): string {
  const dir = tempDir('kawei-booth-');
  const store = DeviceStore.open(join(dir, DEVICE_STORE_FILE));
  const keys = generateEd25519();
  const deviceId = `booth-${tempDirs.length}`;
  store.saveIdentity({
    deviceId,
    kind: 'booth',
    publicKey: keys.publicKey,
    privateKeyPkcs8: keys.privateKeyPkcs8,
    centralUrl: 'http://127.0.0.1:9',
    centralId: 'central-test',
    centralPublicKey: keys.publicKey,
    position,
    enrolledAt: START,
  });
  const log = EventLog.open(store, deviceId, privateKeyFromPkcs8(keys.privateKeyPkcs8));
  const list: { type: string; payload: unknown }[] = [];
  if (messages.roster !== null) list.push({ type: 'roster.booth', payload: messages.roster ?? rosterPayload() });
  if (messages.faces) list.push({ type: 'faces.booth', payload: messages.faces });
  if (messages.project !== null) list.push({ type: 'project.booth', payload: messages.project ?? projectPayload() });
  list.push(...(messages.extra ?? []));
  list.forEach((m, i) => log.receiveMessage({ cursor: i + 1, id: `msg-${i + 1}`, type: m.type, payload: m.payload as never, createdAt: START }));
  store.close();
  return dir;
}

export interface Booth {
  dir: string;
  services: BoothServices;
  sessions: BoothSession[];
  call<T>(name: string, input?: unknown): Promise<T>;
  error(name: string, input?: unknown): Promise<string>;
  /** One camera frame, the clock moved on by `advanceMs` first. */
  frame(image: string, advanceMs?: number): Promise<CameraFrameOutput>;
  events(type: string): { seq: number; type: string; payload: Record<string, unknown> }[];
}

export function openBooth(
  dir: string,
  pipeline: FacePipeline | Promise<FacePipeline>,
  config: Record<string, unknown> = {},
): Booth {
  const services = createBoothServices({
    dataDir: dir,
    appVersion: 'test',
    pipeline,
    now,
    config: parseBoothConfig({ livenessChallenges: 0, tokenPollMs: 100, ...config }),
  });
  const sessions: BoothSession[] = [];
  services.events.subscribe((channel, payload) => {
    if (channel === 'session') sessions.push(payload as BoothSession);
  });
  const call = async <T>(name: string, input: unknown = {}): Promise<T> => {
    const r: CallResult = await services.dispatch(name, input);
    if (!r.ok) throw Object.assign(new Error(`${name}: ${r.error.code} ${r.error.message}`), { code: r.error.code });
    return r.value as T;
  };
  return {
    dir,
    services,
    sessions,
    call,
    async error(name, input = {}) {
      const r = await services.dispatch(name, input);
      if (r.ok) throw new Error(`${name} succeeded`);
      return r.error.code;
    },
    async frame(image, advanceMs = 150) {
      clock.t += advanceMs;
      return call<CameraFrameOutput>('cameraFrame', { image, capturedAt: clock.t });
    },
    events(type) {
      return logEvents(dir).filter((e) => e.type === type);
    },
  };
}

export function logEvents(dir: string): { seq: number; type: string; payload: Record<string, unknown> }[] {
  const store = DeviceStore.open(join(dir, DEVICE_STORE_FILE));
  try {
    return store.eventsAfter(0, 100_000).map((e) => ({ seq: e.seq, type: e.type, payload: e.payload as Record<string, unknown> }));
  } finally {
    store.close();
  }
}

/** Frames until `done` says so (or `max` frames), returning every answer. */
export async function framesUntil(
  booth: Booth,
  image: string,
  done: (o: CameraFrameOutput) => boolean,
  max = 60,
  advanceMs = 150,
): Promise<CameraFrameOutput[]> {
  const out: CameraFrameOutput[] = [];
  for (let i = 0; i < max; i++) {
    const o = await booth.frame(image, advanceMs);
    out.push(o);
    if (done(o)) return out;
  }
  throw new Error(`no frame satisfied the condition in ${max} frames; last: ${JSON.stringify(out.at(-1))}`);
}

export async function waitFor(what: string, ok: () => boolean, ms = 5000): Promise<number> {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

// ── the USB key ──────────────────────────────────────────────────────────────────────────────────

/** A SoftHSM2 token for this test file; SOFTHSM2_CONF is set for this process (before the first provider). */
export async function tokenForFile(): Promise<TestToken> {
  const token = await createTestToken({ dir: tempDir('kawei-booth-token-'), codeName: 'HK-37', label: 'expert-key' });
  process.env.SOFTHSM2_CONF = token.conf;
  return token;
}

/** What a signing suite loads once (beforeAll): the file's USB key, the face pipeline, the registry's faces. */
export async function loadKeyAndFaces(): Promise<{ token: TestToken; pipeline: FacePipeline; faces: Faces }> {
  const token = await tokenForFile();
  const pipeline = await loadFacePipeline();
  return { token, pipeline, faces: await loadFaces(pipeline) };
}

/** The suite's end (afterAll): the pipeline released, the temp folders removed. */
export function closeSuite(pipeline: FacePipeline | undefined): void {
  pipeline?.dispose();
  removeTempDirs();
}

/** A SOFTHSM2_CONF with no token at all (the key is not inserted). */
export function noTokenConf(): string {
  const dir = tempDir('kawei-booth-notoken-');
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  return conf;
}

/** `openssl cms -verify` of a detached CMS over `content` with the CA: the independent check. */
export async function opensslVerify(dir: string, content: string, cmsBase64: string, caFile: string): Promise<{ ok: boolean; output: string }> {
  const stamp = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const dataFile = join(dir, `content-${stamp}.json`);
  const sigFile = join(dir, `sig-${stamp}.der`);
  writeFileSync(dataFile, content, 'utf8');
  writeFileSync(sigFile, Buffer.from(cmsBase64, 'base64'));
  try {
    const { stdout, stderr } = await run('openssl', ['cms', '-verify', '-binary', '-content', dataFile, '-inform', 'DER', '-in', sigFile, '-CAfile', caFile, '-out', '/dev/null']);
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

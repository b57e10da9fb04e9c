/**
 * The gate's check flow end to end in Node: the real face pipeline on faces cut out of face-api's
 * demo photos, the day's roster and faces put into the device inbox as the sync stores them, real
 * SQLite, and the turnstile relay, LED panel and SYN6288 voice as simulators on socat pty pairs.
 * The central is away (an unreachable address) for the whole file: every decision must still be made
 * and be in the sync log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { encodeEmbedding, maskName, type FacePerson } from '@kawei/shared/api/gate-roster.ts';
import type { CheckOutcome, GateMonitor } from '@kawei/shared/contract/gate-check.ts';
import type { CallResult } from '@kawei/shared/contract/contract.ts';
import { generateEd25519, privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { DEVICE_STORE_FILE } from '@kawei/shared/device/device-app-services.node.ts';
import { loadFacePipeline, type FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import type { RgbaImage } from '@kawei/shared/face/face-types.ts';
import { readImageFile } from '@kawei/shared/face/image-decode.node.ts';
import { crop, padEdge, resize } from '@kawei/shared/face/image.ts';
import { EventLog } from '@kawei/shared/sync/event-log.node.ts';
import type { GatePosition } from '@kawei/shared/domain/topology.ts';
import { startSimulator, type RunningSimulator } from '@kawei/led-driver/cli/simulate.node.ts';
import { TEST_CARD } from '@kawei/shared/devices/idcard/idcard-simulator.ts';
import { createGateServices } from '../src/services/gate-services.node.ts';
import { parseGateConfig } from '../src/services/gate-config.ts';
import { hashStaffPin } from '../src/services/staff/staff-sessions.ts';
import { gateDay } from '../src/services/check/gate-day.ts';
import { captureThumbnail } from '../src/services/monitor/thumbnail.node.ts';
import { DEVICE_DATABASE_FILE } from '@kawei/shared/store/device-database.node.ts';

const DEMO = join(process.cwd(), 'node_modules/@vladmandic/face-api/demo');

const START = Date.now();
let clock = START;
const now = () => clock;
const TODAY = gateDay(START);
const PIN = '2468';
const PIN_HASH = hashStaffPin(PIN);

/** Full names exist only here, to prove none reaches the monitor or the public outcome. */
const PEOPLE = {
  here: { expert: 'exp-a', name: '张三丰', site: 's1' },
  elsewhere: { expert: 'exp-b', name: '李四光', site: 's2' },
  unseated: { expert: 'exp-c', name: '王五福', site: null },
  room4: { expert: 'exp-d', name: '赵六顺', site: 's1' },
} as const;
const PROJECT = '某某大桥施工总承包';

let pipeline: FacePipeline;
const frames: Record<'here' | 'elsewhere' | 'unseated' | 'room4' | 'unknown' | 'two' | 'blank', string> = {
  here: '',
  elsewhere: '',
  unseated: '',
  room4: '',
  unknown: '',
  two: '',
  blank: '',
};
const embeddings = new Map<string, Float32Array>();
const photos = new Map<string, string>();
const dirs: string[] = [];

function toJpeg(image: RgbaImage): string {
  const data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return Buffer.from(jpeg.encode({ width: image.width, height: image.height, data }, 90).data).toString('base64');
}

/** A 640×480 camera frame with the face in the middle, ≈ 0.4 of the width. */
function frameAround(image: RgbaImage, box: { x: number; y: number; width: number; height: number }): RgbaImage {
  const w = box.width * 2.4;
  const h = w * 0.75;
  const pad = Math.round(w);
  const x = Math.round(box.x + box.width / 2 - w / 2) + pad;
  const y = Math.round(box.y + box.height / 2 - h / 2) + pad;
  return resize(crop(padEdge(image, pad), x, y, Math.round(w), Math.round(h)), 640, 480);
}

async function face(sample: number, index: number) {
  const image = readImageFile(join(DEMO, `sample${sample}.jpg`));
  const described = await pipeline.describeStill(image);
  const f = described.faces[index];
  if (!f) throw new Error(`sample${sample} has no face ${index}`);
  return { image, face: f };
}

beforeAll(async () => {
  pipeline = await loadFacePipeline();
  // Faces whose crops pass the quality gate and match their enrolment from the whole photo (≥ 0.99),
  // and an unknown face below the threshold against all of them.
  const chosen = { here: [3, 0], elsewhere: [3, 1], unseated: [6, 1], room4: [6, 2], unknown: [5, 0] } as const;
  for (const [key, [sample, index]] of Object.entries(chosen) as [keyof typeof chosen, readonly [number, number]][]) {
    const { image, face: f } = await face(sample, index);
    frames[key] = toJpeg(frameAround(image, f.face.box));
    if (key !== 'unknown') {
      embeddings.set(PEOPLE[key].expert, f.embedding);
      photos.set(PEOPLE[key].expert, captureThumbnail(image, f.face.box).replace(/^data:image\/jpeg;base64,/, ''));
    }
  }
  const s3 = readImageFile(join(DEMO, 'sample3.jpg'));
  frames.two = toJpeg(resize(crop(s3, 400, 150, 1100, 825), 640, 480));
  frames.blank = toJpeg({ width: 640, height: 480, data: new Uint8Array(640 * 480 * 4).fill(128) });
}, 120_000);

afterAll(() => {
  pipeline?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function facesPayload(): Record<string, unknown> {
  const seat = {
    here: { site: 's1', siteName: '市交易中心', room: 'r3', roomNumber: 3, label: 'A5' },
    elsewhere: { site: 's2', siteName: '东区分中心', room: 'r9', roomNumber: 9, label: 'C2' },
    unseated: null,
    room4: { site: 's1', siteName: '市交易中心', room: 'r4', roomNumber: 4, label: 'A1' },
  } as const;
  const people: FacePerson[] = (Object.keys(seat) as (keyof typeof seat)[]).map((k) => ({
    expert: PEOPLE[k].expert,
    maskedName: maskName(PEOPLE[k].name),
    seat: seat[k],
    embedding: encodeEmbedding(embeddings.get(PEOPLE[k].expert)!),
    photo: photos.get(PEOPLE[k].expert)!,
    // The simulated reader's test card belongs to the expert seated here (人证一致 tests).
    ...(k === 'here' ? { idNumberHash: createHash('sha256').update(`${TODAY}:${TEST_CARD.text.idNumber}`).digest('hex') } : {}),
  }));
  return { people };
}

/** An enrolled gate's data dir with the day's messages already in its inbox (as the pull client stores them). */
function enrolledGateDir(position: GatePosition): string {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-gate-flow-'));
  dirs.push(dir);
  const store = DeviceStore.open(join(dir, DEVICE_STORE_FILE));
  const keys = generateEd25519();
  const deviceId = `gate-${dirs.length}`;
  store.saveIdentity({
    deviceId,
    kind: 'gate',
    publicKey: keys.publicKey,
    privateKeyPkcs8: keys.privateKeyPkcs8,
    // Nothing listens here: the central is away for the whole test.
    centralUrl: 'http://127.0.0.1:9',
    centralId: 'central-test',
    centralPublicKey: keys.publicKey,
    position,
    enrolledAt: START,
  });
  const log = EventLog.open(store, deviceId, privateKeyFromPkcs8(keys.privateKeyPkcs8));
  const { people } = facesPayload() as { people: FacePerson[] };
  const messages = [
    {
      type: 'roster.gate',
      payload: {
        date: TODAY,
        seed: 'seed',
        site: 's1',
        entries: [
          { expert: PEOPLE.here.expert, codename: 'K07', room: 'r3', roomNumber: 3, label: 'A5' },
          { expert: PEOPLE.room4.expert, codename: 'K11', room: 'r4', roomNumber: 4, label: 'A1' },
        ],
      },
    },
    // Two parts, as the central splits big sets; then a malformed message, which is skipped.
    { type: 'faces.gate', payload: { date: TODAY, site: 's1', model: pipeline.model, part: 1, parts: 2, people: people.slice(0, 2) } },
    { type: 'faces.gate', payload: { date: TODAY, site: 's1', model: pipeline.model, part: 2, parts: 2, people: people.slice(2) } },
    { type: 'faces.gate', payload: { date: TODAY, site: 's1', model: pipeline.model, part: 'three' } },
  ];
  messages.forEach((m, i) =>
    log.receiveMessage({ cursor: i + 1, id: `msg-${i + 1}`, type: m.type, payload: m.payload as never, createdAt: START }),
  );
  store.close();
  return dir;
}

const entrance: GatePosition = {
  kind: 'gate',
  site: { id: 's1', name: '市交易中心' },
  gate: { id: 'g-in', siteId: 's1', name: '评标区入口', role: 'area_entrance', roomId: null },
  room: null,
};
const door3: GatePosition = {
  kind: 'gate',
  site: { id: 's1', name: '市交易中心' },
  gate: { id: 'g-r3', siteId: 's1', name: '3号评标室门', role: 'room_door', roomId: 'r3' },
  room: { id: 'r3', siteId: 's1', number: 3, name: '3号评标室', rows: 3, cols: 3 },
};

const door4: GatePosition = {
  ...door3,
  gate: { id: 'g-r4', siteId: 's1', name: '4号评标室门', role: 'room_door', roomId: 'r4' },
  room: { id: 'r4', siteId: 's1', number: 4, name: '4号评标室', rows: 3, cols: 3 },
};

type Services = ReturnType<typeof createGateServices>;

async function call<T>(services: Services, name: string, input: unknown): Promise<T> {
  const r: CallResult = await services.dispatch(name, input);
  if (!r.ok) throw Object.assign(new Error(`${name}: ${r.error.code} ${r.error.message}`), { code: r.error.code });
  return r.value as T;
}
async function callError(services: Services, name: string, input: unknown): Promise<string> {
  const r = await services.dispatch(name, input);
  if (r.ok) throw new Error(`${name} succeeded`);
  return r.error.code;
}
async function frame(services: Services, image: string, advanceMs = 150): Promise<CheckOutcome> {
  clock += advanceMs;
  return (await call<{ outcome: CheckOutcome }>(services, 'checkFace', { image, capturedAt: clock })).outcome;
}
/** The person walks away: no face for 2 s ends the cool-down. */
async function walkAway(services: Services): Promise<void> {
  await frame(services, frames.blank);
  const o = await frame(services, frames.blank, 2000);
  expect(o.kind).toBe('guidance');
}
async function waitFor(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
function logEvents(dir: string, type: string) {
  const store = DeviceStore.open(join(dir, DEVICE_STORE_FILE));
  try {
    return store.eventsAfter(0, 10_000).filter((e) => e.type === type);
  } finally {
    store.close();
  }
}

describe('gate entrance with simulated turnstile, LED and voice', () => {
  beforeAll(() => requireTool('socat'));
  let services: Services;
  let dir: string;
  let relay: RunningSimulator;
  let led: RunningSimulator;
  let voice: RunningSimulator;
  const published: CheckOutcome[] = [];

  beforeAll(async () => {
    const simDir = mkdtempSync(join(tmpdir(), 'kawei-gate-sim-'));
    dirs.push(simDir);
    [relay, led, voice] = await Promise.all([startSimulator('relay', simDir), startSimulator('led-bx', simDir), startSimulator('syn6288', simDir)]);
    dir = enrolledGateDir(entrance);
    services = createGateServices({
      dataDir: dir,
      appVersion: 'test',
      pipeline,
      now,
      staff: { ttlMs: 60_000, maxFailures: 3, lockoutMs: 30_000 },
      config: parseGateConfig({
        liveness: 'off',
        staffPinHash: PIN_HASH,
        devices: {
          relay: { path: relay.hostPath, pulseMs: 200 },
          led: { path: led.hostPath, baud: 57600 },
          voice: { chip: 'syn6288', path: voice.hostPath },
        },
      }),
    });
    services.events.subscribe((channel, payload) => {
      if (channel === 'check') published.push((payload as { outcome: CheckOutcome }).outcome);
    });
    await services.ready;
  }, 60_000);

  afterAll(async () => {
    await services?.close();
    await Promise.all([relay, led, voice].map((s) => s?.close()));
  });

  const state = () => ({
    pulses: relay.state.kind === 'relay' ? relay.state.relay.coilChanges.filter((c) => c.on).length : -1,
    panel: led.state.kind === 'led' ? led.state.panel.render() : '',
    spoken: voice.state.kind === 'voice' ? voice.state.spoken().map((u) => u.text) : [],
  });

  it('an expert seated here passes: turnstile pulse, seat on the LED, seat by voice, gate.check in the log', async () => {
    const o = await frame(services, frames.here);
    expect(o).toMatchObject({
      kind: 'pass',
      seat: { roomId: 'r3', roomNumber: 3, roomName: '3号评标室', label: 'A5' },
      announcement: '请到3号评标室A5号卡位',
    });
    await waitFor('the turnstile pulse', () => state().pulses === 1);
    await waitFor('the LED text', () => state().panel.includes('A5'));
    await waitFor('the voice', () => state().spoken.includes('请到3号评标室A5号卡位'));
    const events = logEvents(dir, 'gate.check');
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({
      decision: 'pass',
      reason: null,
      expert: PEOPLE.here.expert,
      seat: { room: 'r3', roomNumber: 3, label: 'A5' },
      relay: 'opened',
      at: clock,
    });
    expect(events[0]!.payload.similarity as number).toBeGreaterThan(0.95);
    expect(published.at(-1)).toEqual(o);
  });

  it('the same face standing there gets no second decision; gone for 1.5 s ends the cool-down', async () => {
    const first = await frame(services, frames.here);
    expect(first.kind).toBe('cooldown');
    // well past cooldownMs, still the same face: still cool-down
    expect((await frame(services, frames.here, 5000)).kind).toBe('cooldown');
    expect((await frame(services, frames.blank, 200)).kind).toBe('cooldown');
    expect((await frame(services, frames.blank, 1000)).kind).toBe('cooldown');
    expect(await frame(services, frames.blank, 600)).toMatchObject({ kind: 'guidance', quality: 'no_face' });
  });

  it('coming back through the entrance the same day is already_inside (anti-passback)', async () => {
    const o = await frame(services, frames.here);
    expect(o).toMatchObject({ kind: 'refused', reason: 'already_inside', redirect: null });
    await walkAway(services);
  });

  it('an unknown face needs two frames, then is refused with an alert and a short Chinese sentence', async () => {
    expect(await frame(services, frames.unknown)).toMatchObject({ kind: 'guidance', quality: null });
    const o = await frame(services, frames.unknown);
    expect(o).toMatchObject({ kind: 'refused', reason: 'unknown_face', redirect: null });
    await waitFor('the refusal sentence', () => state().spoken.includes('未能识别，请联系工作人员'));
    expect(state().pulses).toBe(1);
    await walkAway(services);
  });

  it('an expert seated at another site is sent there, by name', async () => {
    const o = await frame(services, frames.elsewhere);
    expect(o).toEqual({
      kind: 'refused',
      checkId: expect.any(String),
      reason: 'wrong_site',
      redirect: { roomId: 'r9', roomNumber: 9, roomName: '9号评标室', label: 'C2', siteName: '东区分中心' },
    });
    await waitFor('the redirect sentence', () => state().spoken.some((t) => t.includes('东区分中心')));
    await walkAway(services);
  });

  it('a pool member without a seat today is not_scheduled_today', async () => {
    expect(await frame(services, frames.unseated)).toMatchObject({ kind: 'refused', reason: 'not_scheduled_today' });
    await walkAway(services);
  });

  it('two faces in front of the camera are refused', async () => {
    expect(await frame(services, frames.two)).toMatchObject({ kind: 'guidance', quality: 'several_faces' });
    expect(await frame(services, frames.two)).toMatchObject({ kind: 'refused', reason: 'several_faces' });
    await walkAway(services);
  });

  it('a frame that is not a JPEG is IMAGE_UNREADABLE, and the flow goes on', async () => {
    expect(await callError(services, 'checkFace', { image: 'A'.repeat(200), capturedAt: 1 })).toBe('IMAGE_UNREADABLE');
  });

  it('public outcomes never carry identity', () => {
    const text = JSON.stringify(published);
    for (const p of Object.values(PEOPLE)) {
      expect(text).not.toContain(p.expert);
      expect(text).not.toContain(p.name);
      expect(text).not.toContain(maskName(p.name));
    }
  });

  it('staff: wrong PIN, lock-out after three, sign in, session expiry', async () => {
    expect(await callError(services, 'getMonitor', { staffToken: 'x'.repeat(32) })).toBe('STAFF_SESSION_EXPIRED');
    expect(await callError(services, 'staffLogin', { pin: '0000' })).toBe('STAFF_PIN_WRONG');
    expect(await callError(services, 'staffLogin', { pin: '0000' })).toBe('STAFF_PIN_WRONG');
    expect(await callError(services, 'staffLogin', { pin: '0000' })).toBe('STAFF_LOCKED_OUT');
    expect(await callError(services, 'staffLogin', { pin: PIN })).toBe('STAFF_LOCKED_OUT');
    clock += 31_000;
    const { staffToken } = await call<{ staffToken: string }>(services, 'staffLogin', { pin: PIN });
    await call(services, 'getMonitor', { staffToken });
    clock += 61_000;
    expect(await callError(services, 'getMonitor', { staffToken })).toBe('STAFF_SESSION_EXPIRED');
  });

  it('the monitor: entries with masked names and photos, alerts with ack, live tiles, room counts; no full name, no project', async () => {
    const { staffToken } = await call<{ staffToken: string }>(services, 'staffLogin', { pin: PIN });
    expect(await frame(services, frames.blank)).toMatchObject({ kind: 'guidance', quality: 'no_face' }); // the camera is alive
    const m = await call<GateMonitor>(services, 'getMonitor', { staffToken });
    expect(m.rosterDate).toBe(TODAY);
    expect(m.entries.map((e) => e.reason ?? e.decision)).toEqual(['several_faces', 'not_scheduled_today', 'wrong_site', 'unknown_face', 'already_inside', 'pass']);
    const pass = m.entries.at(-1)!;
    expect(pass).toMatchObject({ maskedName: '张*丰', codename: 'K07', seat: { label: 'A5' } });
    expect(pass.capture).toMatch(/^data:image\/jpeg;base64,/);
    expect(pass.enrolledPhoto).toMatch(/^data:image\/jpeg;base64,/);
    const unknown = m.entries.find((e) => e.reason === 'unknown_face')!;
    expect(unknown).toMatchObject({ maskedName: null, enrolledPhoto: null });
    expect(unknown.capture).toMatch(/^data:image\/jpeg;base64,/);
    expect(m.entries.find((e) => e.reason === 'wrong_site')).toMatchObject({ maskedName: '李*光', seat: { roomId: 'r9' } });
    expect(m.rooms).toEqual([
      { roomId: 'r3', roomName: '3号评标室', expected: 1, arrived: 1, missing: 0 },
      { roomId: 'r4', roomName: '4号评标室', expected: 1, arrived: 0, missing: 1 },
    ]);
    const tiles = Object.fromEntries(m.devices.map((t) => [t.device, t.state]));
    expect(tiles).toMatchObject({ camera: 'up', turnstile: 'up', led: 'up', voice: 'up' });
    expect(['down', 'connecting']).toContain(tiles.central);
    expect(m.alerts.map((a) => a.kind).sort()).toEqual(['already_inside', 'not_scheduled_today', 'several_faces', 'unknown_face', 'wrong_site']);

    const text = JSON.stringify(m);
    for (const p of Object.values(PEOPLE)) {
      expect(text).not.toContain(p.name);
      expect(text).not.toContain(p.expert);
    }
    expect(text).not.toContain(PROJECT);

    const alert = m.alerts.find((a) => a.kind === 'unknown_face')!;
    await call(services, 'ackAlert', { staffToken, alertId: alert.alertId });
    expect(await callError(services, 'ackAlert', { staffToken, alertId: 'nope' })).toBe('NOT_FOUND');
    const after = await call<GateMonitor>(services, 'getMonitor', { staffToken });
    expect(after.alerts.find((a) => a.alertId === alert.alertId)?.acknowledged).toBe(true);
    expect(after.alerts.at(-1)?.alertId).toBe(alert.alertId); // acknowledged ones sink to the bottom
    clock += 10_000;
    const stale = await call<GateMonitor>(services, 'getMonitor', { staffToken });
    expect(stale.devices.find((t) => t.device === 'camera')?.state).toBe('down');
  });

  it('manual open needs a reason, pulses the turnstile and is logged', async () => {
    const { staffToken } = await call<{ staffToken: string }>(services, 'staffLogin', { pin: PIN });
    expect(await callError(services, 'manualOpen', { staffToken, reason: 'x' })).toBe('BAD_INPUT');
    const before = state().pulses;
    const r = await call<{ ok: boolean; eventSeq: number }>(services, 'manualOpen', { staffToken, reason: '专家证件遗失，人工核验' });
    expect(r.ok).toBe(true);
    await waitFor('the manual pulse', () => state().pulses === before + 1);
    const events = logEvents(dir, 'gate.manual_open');
    expect(events).toHaveLength(1);
    expect(events[0]!.seq).toBe(r.eventSeq);
    expect(events[0]!.payload).toMatchObject({ reason: '专家证件遗失，人工核验', ok: true });
    const m = await call<GateMonitor>(services, 'getMonitor', { staffToken });
    expect(m.entries[0]).toMatchObject({ decision: 'manual_open', note: '专家证件遗失，人工核验' });
  });

  it('every decision is in the sync log, the malformed message was skipped, device health changes are logged', () => {
    const checks = logEvents(dir, 'gate.check').map((e) => e.payload.reason ?? e.payload.decision);
    expect(checks).toEqual(['pass', 'already_inside', 'unknown_face', 'wrong_site', 'not_scheduled_today', 'several_faces']);
    const health = logEvents(dir, 'device.health').map((e) => `${e.payload.device}:${e.payload.state}`);
    expect(health).toEqual(expect.arrayContaining(['turnstile:up', 'led:up', 'voice:up']));
    expect(new Set(health).size).toBe(health.length); // state changes only
  });

  it('when the day turns, yesterday\'s roster, faces and journal are purged and the kiosk says no_roster', async () => {
    const rows = () => {
      // One database holds the roster, the faces and the journal (gate-database.node.ts).
      const db = new Database(join(dir, DEVICE_DATABASE_FILE), { readonly: true });
      try {
        const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        return { people: count('face_person'), roster: count('roster'), entries: count('entry') };
      } finally {
        db.close();
      }
    };
    expect(rows().people).toBeGreaterThan(0);
    expect(rows().entries).toBeGreaterThan(0);
    await walkAway(services);
    const before = clock;
    clock += 24 * 3600_000;
    try {
      const o = await frame(services, frames.here);
      expect(o).toMatchObject({ kind: 'refused', reason: 'no_roster' });
      expect(rows()).toEqual({ people: 0, roster: 0, entries: 1 }); // only today's refusal is left
    } finally {
      clock = before; // the files below build their rosters for TODAY
    }
  });
});

describe('room door and liveness (no serial devices)', () => {
  it('a room door opens for its own room, all day; another room\'s door sends the expert to the seat', async () => {
    const dir = enrolledGateDir(door3);
    const services = createGateServices({ dataDir: dir, appVersion: 'test', pipeline, now, config: parseGateConfig({}) });
    const dir4 = enrolledGateDir(door4);
    const services4 = createGateServices({ dataDir: dir4, appVersion: 'test', pipeline, now, config: parseGateConfig({}) });
    try {
      // no relay fitted (a door watched by staff): the pass stands, announced only
      expect(await frame(services, frames.here)).toMatchObject({ kind: 'pass', seat: { roomId: 'r3', label: 'A5' } });
      await walkAway(services);
      // room doors have no anti-passback
      expect(await frame(services, frames.here)).toMatchObject({ kind: 'pass' });
      expect(logEvents(dir, 'gate.check').map((e) => e.payload.relay)).toEqual([null, null]);
      const code = await callError(services, 'staffLogin', { pin: PIN });
      expect(code).toBe('STAFF_PIN_WRONG'); // no PIN configured: nobody signs in

      expect(await frame(services4, frames.here)).toMatchObject({
        kind: 'refused',
        reason: 'wrong_room',
        redirect: { roomId: 'r3', roomNumber: 3, roomName: '3号评标室', label: 'A5' },
      });
    } finally {
      await services.close();
      await services4.close();
    }
  });

  it('the entrance asks for liveness by default; a photo shows no motion and is refused liveness_failed', async () => {
    const dir = enrolledGateDir(entrance);
    const services = createGateServices({ dataDir: dir, appVersion: 'test', pipeline, now, config: parseGateConfig({}) });
    try {
      let o: CheckOutcome = await frame(services, frames.here);
      expect(o).toMatchObject({ kind: 'guidance', challenge: null, progress: 0 });
      for (let i = 0; i < 5 && o.kind === 'guidance' && o.challenge === null; i++) o = await frame(services, frames.here);
      expect(o).toMatchObject({ kind: 'guidance', progress: 0 });
      expect(o.kind === 'guidance' ? o.challenge : null).toMatch(/^(blink|turn_left|turn_right|nod)$/);
      // a photo held still: frames keep coming at ≈ 7/s, the challenge's time limit (≤ 4.5 s) runs out
      for (let i = 0; i < 40 && o.kind === 'guidance'; i++) o = await frame(services, frames.here, 150);
      expect(o).toMatchObject({ kind: 'refused', reason: 'liveness_failed' });
      expect(logEvents(dir, 'gate.check')[0]!.payload).toMatchObject({ decision: 'refused', reason: 'liveness_failed' });
    } finally {
      await services.close();
    }
  });

  it('without the pipeline checkFace answers FACE_ENGINE_UNAVAILABLE; without enrolment NOT_ENROLLED', async () => {
    const dir = enrolledGateDir(entrance);
    const broken = createGateServices({
      dataDir: dir,
      appVersion: 'test',
      pipeline: Promise.reject(new Error('models missing')),
      now,
      config: parseGateConfig({}),
    });
    try {
      expect(await callError(broken, 'checkFace', { image: frames.blank, capturedAt: 1 })).toBe('FACE_ENGINE_UNAVAILABLE');
    } finally {
      await broken.close();
    }
    const empty = mkdtempSync(join(tmpdir(), 'kawei-gate-empty-'));
    dirs.push(empty);
    const unenrolled = createGateServices({ dataDir: empty, appVersion: 'test', pipeline, now, config: parseGateConfig({}) });
    try {
      expect(await callError(unenrolled, 'checkFace', { image: frames.blank, capturedAt: 1 })).toBe('NOT_ENROLLED');
    } finally {
      await unenrolled.close();
    }
  });
});

describe('人证一致: an ID card read at the entrance, then 1:1 with its holder', () => {
  beforeAll(() => requireTool('socat'));
  /** A fresh entrance with the card reader simulator (its test card is on the reader from the start). */
  async function entranceWithCard(): Promise<{ services: Services; dir: string; close: () => Promise<void> }> {
    const simDir = mkdtempSync(join(tmpdir(), 'kawei-gate-card-'));
    dirs.push(simDir);
    const [reader, relay] = await Promise.all([startSimulator('idcard', simDir), startSimulator('relay', simDir)]);
    const dir = enrolledGateDir(entrance);
    const services = createGateServices({
      dataDir: dir,
      appVersion: 'test',
      pipeline,
      now,
      config: parseGateConfig({
        liveness: 'off',
        idCard: 'optional',
        devices: { idcard: { path: reader.hostPath, baud: reader.baud }, relay: { path: relay.hostPath, pulseMs: 200 } },
      }),
    });
    await services.ready;
    // The reader loop finds the card: guidance says a card is waiting for its holder's face.
    const end = Date.now() + 10_000;
    for (;;) {
      const o = await frame(services, frames.blank, 50);
      if (o.kind === 'guidance' && o.cardRead) break;
      if (Date.now() > end) throw new Error('the card was never read');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { services, dir, close: async () => { await services.close(); await Promise.all([reader.close(), relay.close()]); } };
  }

  it('the card holder passes, and the event says the card was used', async () => {
    const { services, dir, close } = await entranceWithCard();
    try {
      const o = await frame(services, frames.here);
      expect(o).toMatchObject({ kind: 'pass', seat: { label: 'A5' } });
      const events = logEvents(dir, 'gate.check');
      expect(events.at(-1)!.payload).toMatchObject({ decision: 'pass', expert: PEOPLE.here.expert, card: true });
    } finally {
      await close();
    }
  }, 60_000);

  it('another enrolled expert in front of the card is refused id_card_mismatch (two frames), with an alert', async () => {
    const { services, dir, close } = await entranceWithCard();
    try {
      // (frames.room4 fails the pose gate when tracked; this face does not.)
      const first = await frame(services, frames.elsewhere);
      expect(first.kind).toBe('guidance');
      const o = await frame(services, frames.elsewhere);
      expect(o).toMatchObject({ kind: 'refused', reason: 'id_card_mismatch' });
      expect(logEvents(dir, 'gate.check').at(-1)!.payload).toMatchObject({ decision: 'refused', reason: 'id_card_mismatch', card: true });
    } finally {
      await close();
    }
  }, 60_000);
});

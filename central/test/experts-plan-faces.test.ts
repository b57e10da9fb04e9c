import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRecord, SiteTree } from '@kawei/shared/api/central-http.ts';
import { decodeEmbedding, FACES_PER_PART, facesGatePayloadSchema } from '@kawei/shared/api/gate-roster.ts';
import { type FacePipeline, loadFacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { runDraw } from '../src/draw/run-draw.ts';
import type { DayInput, DrawResult } from '../src/draw/day-schema.ts';
import { buildFaceRegistry, type FaceRegistry, type RegisteredExpert } from '../src/experts/face-registry.node.ts';
import { planFaces } from '../src/experts/plan-faces.node.ts';
import { ExpertRegistryError } from '../src/experts/registry-schema.ts';
import type { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { makeDemoExperts, readDay } from './experts-fixtures.node.ts';
import { addCode, attempt, openDemoStore } from './store-fixtures.ts';

/**
 * planFaces on the demo registry (real photos, the real pipeline), the demo day drawn for real, and
 * the demo topology with gates enrolled in a real SQLite store.
 */

let root: string;
let store: SqliteCentralStore;
let registry: FaceRegistry;
let day: DayInput;
let result: DrawResult;
let sites: SiteTree[];
let devices: DeviceRecord[];
let names: { name: string; idNumber: string }[];

async function enrol(code: string, target: { kind: 'gate'; gateId: string } | { kind: 'booth'; boothId: string }): Promise<DeviceRecord> {
  await addCode(store, code, target);
  return (await store.consumeEnrolmentCode(attempt(code, target.kind))).device;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kawei-plan-faces-'));
  const demo = await makeDemoExperts(join(root, 'registry'));
  let pipeline: FacePipeline | undefined;
  try {
    pipeline = await loadFacePipeline();
    registry = await buildFaceRegistry(demo.dir, pipeline);
  } finally {
    pipeline?.dispose();
  }
  names = JSON.parse(readFileSync(join(demo.dir, 'experts.json'), 'utf8')) as typeof names;
  day = readDay(demo.day);
  const outcome = runDraw(day, { secret: '5e'.repeat(32), publicValue: '7 12 19' });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.failures));
  result = outcome.result;

  store = await openDemoStore(root);
  sites = await store.listSiteTrees();
  const room3 = sites[0]!.rooms.find((r) => r.id === 'room-3')!;
  await enrol('GATE2222', { kind: 'gate', gateId: 'gate-entrance' });
  await enrol('GATE3333', { kind: 'gate', gateId: 'gate-room-3' });
  await enrol('BOTH4444', { kind: 'booth', boothId: room3.booths[0]!.id });
  const gone = await enrol('GATE5555', { kind: 'gate', gateId: 'gate-entrance' }).catch(() => null); // position taken: refused
  expect(gone).toBeNull();
  devices = await store.listDevices();
}, 120_000);

afterAll(async () => {
  await store?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('planFaces', () => {
  it('sends every active gate the whole pool, each with their seat today at any site or null', () => {
    // the demo day: three at the city, one at the county, E204 in the pool but not drawn
    expect(result.seats.map((s) => `${s.expert}@${s.site}`).sort()).toEqual(['E201@site-city', 'E202@site-city', 'E203@site-city', 'E205@site-county']);

    const plan = planFaces(result, day, registry, sites, devices, result.date);
    expect(plan).toMatchObject({ people: 5, parts: 1, gates: 2, seatedWithoutFace: [], poolWithoutFace: [] });
    const gates = devices.filter((d) => d.target.kind === 'gate').map((d) => d.id);
    expect(plan.messages.map((m) => m.deviceId).sort()).toEqual([...gates].sort());
    for (const m of plan.messages) {
      expect(m.type).toBe('faces.gate');
      const payload = facesGatePayloadSchema.parse(m.payload);
      expect(payload).toMatchObject({ date: '2026-11-23', site: 'site-city', model: registry.model, part: 1, parts: 1 });
      const seat = Object.fromEntries(payload.people.map((p) => [p.expert, p.seat]));
      expect(Object.keys(seat)).toEqual(['E201', 'E202', 'E203', 'E204', 'E205']);
      expect(seat['E205']).toMatchObject({ site: 'site-county', siteName: '县分中心', room: 'room-county-1', roomNumber: 1 });
      expect(seat['E204']).toBeNull();
      for (const id of ['E201', 'E202', 'E203']) {
        const s = result.seats.find((x) => x.expert === id)!;
        expect(seat[id]).toEqual({ site: 'site-city', siteName: '市公共资源交易中心', room: s.room, roomNumber: s.room === 'room-3' ? 3 : 5, label: s.label });
      }
      for (const p of payload.people) {
        const e = decodeEmbedding(p.embedding);
        expect(e).toHaveLength(128);
        expect(Math.hypot(...e)).toBeCloseTo(1, 5);
        expect(Buffer.from(p.photo!, 'base64').subarray(0, 2).toString('hex')).toBe('ffd8'); // a JPEG
      }
    }
  });

  it('masks names and hashes ID numbers: no full name or raw ID number anywhere in the messages', () => {
    const plan = planFaces(result, day, registry, sites, devices, result.date);
    const json = JSON.stringify(plan.messages);
    for (const { name, idNumber } of names) {
      expect(json).not.toContain(name);
      expect(json).not.toContain(idNumber);
      expect(json).not.toContain(idNumber.slice(6, 14)); // not even the birth date
    }
    const e201 = plan.messages[0]!.payload.people.find((p) => p.expert === 'E201')!;
    expect(e201.maskedName).toBe('张*远');
    expect(e201.idNumberHash).toBe(createHash('sha256').update(`2026-11-23:${names[0]!.idNumber}`).digest('hex'));
  });

  it('splits a large pool into parts of FACES_PER_PART, numbered 1…n, for each gate', () => {
    const template = registry.experts[0]!;
    const many: RegisteredExpert[] = Array.from({ length: 2 * FACES_PER_PART + 37 }, (_, i) => ({ ...template, id: `P${String(i).padStart(4, '0')}` }));
    const plan = planFaces(result, undefined, { model: registry.model, experts: many }, sites, devices, result.date);
    expect(plan).toMatchObject({ people: many.length, parts: 3, gates: 2 });
    expect(plan.messages).toHaveLength(6);
    for (const gate of new Set(plan.messages.map((m) => m.deviceId))) {
      const parts = plan.messages.filter((m) => m.deviceId === gate).map((m) => m.payload);
      expect(parts.map((p) => [p.part, p.parts, p.people.length])).toEqual([
        [1, 3, FACES_PER_PART],
        [2, 3, FACES_PER_PART],
        [3, 3, 37],
      ]);
      expect(parts.flatMap((p) => p.people.map((x) => x.expert))).toEqual(many.map((e) => e.id));
      for (const p of parts) expect(JSON.stringify(p).length).toBeLessThan(2_000_000);
    }
    // the seated experts are not in this registry: each is reported
    expect(plan.seatedWithoutFace.map((s) => [s.expert, s.why]).sort()).toEqual([
      ['E201', 'not_registered'],
      ['E202', 'not_registered'],
      ['E203', 'not_registered'],
      ['E205', 'not_registered'],
    ]);
  });

  it('reports seated experts and pool members without a face template', () => {
    const experts = registry.experts
      .filter((e) => e.id !== 'E203')
      .map((e) => (e.id === 'E204' || e.id === 'E205' ? { ...e, template: null, thumbnail: null } : e));
    const plan = planFaces(result, day, { model: registry.model, experts }, sites, devices, result.date);
    expect(plan.people).toBe(2);
    expect(plan.seatedWithoutFace.map((s) => [s.expert, s.site, s.why]).sort()).toEqual([
      ['E203', 'site-city', 'not_registered'],
      ['E205', 'site-county', 'no_usable_photo'],
    ]);
    expect(plan.poolWithoutFace).toEqual([{ expert: 'E204', why: 'no_usable_photo' }]);
  });

  it('sends nothing to revoked devices, and one empty part when nobody has a template', async () => {
    const gate = devices.find((d) => d.target.kind === 'gate' && d.target.gateId === 'gate-room-3')!;
    await store.revokeDevice(gate.id, Date.now());
    const after = await store.listDevices();
    const plan = planFaces(result, day, { model: registry.model, experts: [] }, sites, after, result.date);
    expect(plan.messages).toHaveLength(1);
    expect(plan.messages[0]!.payload).toMatchObject({ part: 1, parts: 1, people: [] });
    expect(plan.messages[0]!.deviceId).not.toBe(gate.id);
  });

  it('refuses a day file that is not the draw\'s input, and a date that is not the draw\'s', () => {
    const other: DayInput = { ...day, experts: day.experts.slice(0, 4) };
    expect(() => planFaces(result, other, registry, sites, devices, result.date)).toThrow(ExpertRegistryError);
    expect(() => planFaces(result, other, registry, sites, devices, result.date)).toThrow(/does not match the draw result/);
    expect(() => planFaces(result, day, registry, sites, devices, '2026-11-24')).toThrow(/not the draw result's date/);
  });
});

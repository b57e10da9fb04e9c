import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodeEmbedding, type FacePerson } from '@kawei/shared/api/gate-roster.ts';
import { normalise } from '@kawei/shared/face/matching.ts';
import { GATE_FACES_KEY_FILE, GateRoster, type RefusedFaces } from '../src/services/roster/gate-roster.node.ts';
import { DEVICE_DATABASE_FILE as GATE_ROSTER_FILE } from '@kawei/shared/store/device-database.node.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const MODEL = 'test-model-v1';
const DATE = '2026-11-22';

function randomEmbedding(seed: number): Float32Array {
  let x = seed;
  return normalise(Float32Array.from({ length: 128 }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5));
}

function person(expert: string, seed: number, over: Partial<FacePerson> = {}): FacePerson {
  return { expert, maskedName: '张*明', seat: null, embedding: encodeEmbedding(randomEmbedding(seed)), photo: null, ...over };
}

function open(extra: { onRefused?: (r: RefusedFaces) => void; site?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-gate-roster-'));
  dirs.push(dir);
  const logs: string[] = [];
  const roster = GateRoster.open({ dataDir: dir, model: MODEL, log: (m) => logs.push(m), onRefused: extra.onRefused, siteId: () => extra.site ?? 's1' });
  return { dir, roster, logs };
}

const faces = (part: number, parts: number, people: FacePerson[], model = MODEL) => ({
  date: DATE,
  site: 's1',
  model,
  part,
  parts,
  people,
});

describe('gate roster store', () => {
  it('skips malformed messages with a log line, never throws, and remembers them', () => {
    const { roster, logs } = open();
    expect(roster.ingest({ id: 'm1', type: 'roster.gate', payload: { date: 'yesterday' } })).toBe('malformed');
    expect(roster.ingest({ id: 'm2', type: 'faces.gate', payload: null })).toBe('malformed');
    expect(roster.ingest({ id: 'm3', type: 'faces.gate', payload: faces(1, 1, [person('e1', 1, { embedding: encodeEmbedding(new Float32Array(3)) })]) })).toBe(
      'malformed',
    );
    expect(roster.ingest({ id: 'm4', type: 'faces.gate', payload: faces(3, 2, []) })).toBe('malformed');
    expect(roster.ingest({ id: 'm1', type: 'roster.gate', payload: {} })).toBe('duplicate');
    expect(roster.ingest({ id: 'm5', type: 'roster.booth', payload: {} })).toBe('not_for_gate');
    expect(logs.length).toBe(4);
    expect(roster.roster(DATE)).toBeNull();
    expect(roster.faceSet(DATE)).toBeNull();
    roster.close();
  });

  it('keeps the roster, refuses another site', () => {
    const { roster } = open();
    const entries = [{ expert: 'e1', codename: 'K01', room: 'r3', roomNumber: 3, label: 'A5' }];
    expect(roster.ingest({ id: 'r1', type: 'roster.gate', payload: { date: DATE, seed: 'x', site: 's2', entries } })).toBe('other_site');
    expect(roster.ingest({ id: 'r2', type: 'roster.gate', payload: { date: DATE, seed: 'x', site: 's1', entries } })).toBe('applied');
    expect(roster.roster(DATE)).toEqual({ date: DATE, site: 's1', entries });
    roster.close();
  });

  it('uses a face set only when all its parts are there, and a republished set replaces it', () => {
    const { roster } = open();
    roster.ingest({ id: 'f1', type: 'faces.gate', payload: faces(1, 2, [person('e1', 1), person('e2', 2)]) });
    expect(roster.faceSet(DATE)).toBeNull();
    expect(roster.faceParts(DATE)).toEqual({ present: 1, expected: 2 });
    roster.ingest({ id: 'f2', type: 'faces.gate', payload: faces(2, 2, [person('e3', 3, { idNumberHash: 'a'.repeat(64) })]) });
    const set = roster.faceSet(DATE)!;
    expect(set.index.size).toBe(3);
    expect([...set.people.keys()].sort()).toEqual(['e1', 'e2', 'e3']);
    expect(set.byIdNumberHash.get('a'.repeat(64))).toBe('e3');
    expect(set.index.best(randomEmbedding(2))).toMatchObject({ personId: 'e2' });
    expect(set.index.best(randomEmbedding(2)).similarity).toBeCloseTo(1, 5);
    // republished in one part: the old part 2 is dropped
    roster.ingest({ id: 'f3', type: 'faces.gate', payload: faces(1, 1, [person('e9', 9)]) });
    expect([...roster.faceSet(DATE)!.people.keys()]).toEqual(['e9']);
    roster.close();
  });

  it('refuses (and reports) a face set made by another model', () => {
    const refused: RefusedFaces[] = [];
    const { roster, logs } = open({ onRefused: (r) => refused.push(r) });
    expect(roster.ingest({ id: 'f1', type: 'faces.gate', payload: faces(1, 1, [person('e1', 1)], 'other-model') })).toBe('model_mismatch');
    expect(refused).toEqual([{ messageId: 'f1', date: DATE, part: 1, model: 'other-model', expectedModel: MODEL }]);
    expect(logs.join('\n')).toMatch(/other-model/);
    expect(roster.faceSet(DATE)).toBeNull();
    roster.close();
  });

  it('keeps templates and photos encrypted at rest with a 0600 key file, and survives a reopen', () => {
    const { dir, roster } = open();
    const photo = Buffer.from('a distinctive enrolled photo stand-in').toString('base64');
    const embedding = randomEmbedding(7);
    roster.ingest({ id: 'f1', type: 'faces.gate', payload: faces(1, 1, [person('e7', 7, { photo })]) });
    roster.close();
    expect(statSync(join(dir, GATE_FACES_KEY_FILE)).mode & 0o777).toBe(0o600);
    const raw = new Database(join(dir, GATE_ROSTER_FILE), { readonly: true });
    const row = raw.prepare('SELECT ciphertext FROM face_person').get() as { ciphertext: Buffer };
    raw.close();
    expect(row.ciphertext.includes(Buffer.from(embedding.buffer).subarray(0, 16))).toBe(false);
    expect(row.ciphertext.includes(Buffer.from('distinctive'))).toBe(false);
    const fileBytes = readFileSync(join(dir, GATE_ROSTER_FILE));
    expect(fileBytes.includes(Buffer.from('distinctive'))).toBe(false);

    const again = GateRoster.open({ dataDir: dir, model: MODEL, log: () => undefined });
    expect(again.photo(DATE, 'e7')).toBe(photo);
    expect(again.faceSet(DATE)!.template('e7')).toEqual(embedding);
    again.purgeBefore('2026-11-23');
    expect(again.faceSet(DATE)).toBeNull();
    again.close();
  });
});

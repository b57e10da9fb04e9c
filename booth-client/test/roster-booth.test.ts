import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodeEmbedding } from '@kawei/shared/api/gate-roster.ts';
import { normalise } from '@kawei/shared/face/matching.ts';
import { BOOTH_FACES_KEY_FILE, BoothRoster, type RefusedTemplate } from '../src/services/roster/booth-roster.node.ts';
import { DEVICE_DATABASE_FILE as BOOTH_ROSTER_FILE } from '@kawei/shared/store/device-database.node.ts';
import { boothDay } from '../src/services/roster/booth-day.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const MODEL = 'test-model-v1';
const DATE = '2026-11-22';

function embedding(seed: number): Float32Array {
  let x = seed;
  return normalise(Float32Array.from({ length: 128 }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5));
}

function open(onRefused?: (r: RefusedTemplate) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-booth-roster-'));
  dirs.push(dir);
  const logs: string[] = [];
  const roster = BoothRoster.open({ dataDir: dir, model: MODEL, log: (m) => logs.push(m), ...(onRefused ? { onRefused } : {}) });
  return { dir, roster, logs };
}

const seat = (over: Record<string, unknown> = {}) => ({
  date: DATE,
  seed: 's',
  expert: 'exp-a',
  codename: 'HK-37',
  project: 'P1',
  blind: 1,
  room: 'r3',
  label: 'A2',
  ...over,
});
const project = (over: Record<string, unknown> = {}) => ({
  date: DATE,
  project: 'P1',
  title: '门诊楼改扩建工程',
  blind: true,
  startsAt: null,
  endsAt: null,
  criteria: [{ id: 'tech', name: '技术', max: 60 }],
  bidders: [
    { code: 'A', name: '江苏恒通建设集团有限公司', aliases: ['恒通建设'] },
    { code: 'B', name: '南京华宇工程有限公司' },
  ],
  files: [{ sha256: 'a'.repeat(64), bytes: 1000, bidder: 'A', title: '江苏恒通建设集团有限公司投标文件' }],
  ...over,
});

describe('booth roster store', () => {
  it('skips malformed messages with a log line, never throws, remembers them, and ignores other types', () => {
    const { roster, logs } = open();
    expect(roster.ingest({ id: 'm1', type: 'roster.booth', payload: { date: 'today' } })).toBe('malformed');
    expect(roster.ingest({ id: 'm2', type: 'faces.booth', payload: null })).toBe('malformed');
    expect(roster.ingest({ id: 'm3', type: 'faces.booth', payload: { date: DATE, expert: 'e', model: MODEL, embedding: encodeEmbedding(new Float32Array(3)) } })).toBe(
      'malformed',
    );
    expect(roster.ingest({ id: 'm4', type: 'project.booth', payload: project({ criteria: [] }) })).toBe('malformed');
    expect(roster.ingest({ id: 'm5', type: 'project.booth', payload: project({ files: [{ sha256: 'b'.repeat(64), bytes: 1, bidder: 'Z', title: 't' }] }) })).toBe(
      'malformed',
    );
    expect(roster.ingest({ id: 'm1', type: 'roster.booth', payload: seat() })).toBe('duplicate');
    expect(roster.ingest({ id: 'm6', type: 'roster.gate', payload: {} })).toBe('not_for_booth');
    expect(logs).toHaveLength(5);
    expect(roster.seat(DATE)).toBeNull();
    expect(roster.project(DATE, 'P1')).toBeNull();
    roster.close();
  });

  it('keeps the seat, the project (real names, trusted side) and the template; the latest seat of a day wins', () => {
    const { roster } = open();
    const e = embedding(7);
    expect(roster.ingest({ id: 'm1', type: 'roster.booth', payload: seat({ codename: 'OLD-1' }) })).toBe('applied');
    expect(roster.ingest({ id: 'm2', type: 'roster.booth', payload: seat() })).toBe('applied');
    expect(roster.ingest({ id: 'm3', type: 'faces.booth', payload: { date: DATE, expert: 'exp-a', model: MODEL, embedding: encodeEmbedding(e) } })).toBe('applied');
    expect(roster.ingest({ id: 'm4', type: 'project.booth', payload: project() })).toBe('applied');
    expect(roster.seat(DATE)).toEqual({ date: DATE, expert: 'exp-a', codename: 'HK-37', project: 'P1', blind: true, room: 'r3', label: 'A2' });
    expect(Array.from(roster.template(DATE, 'exp-a')!)).toEqual(Array.from(e));
    expect(roster.template(DATE, 'exp-b')).toBeNull();
    const material = roster.project(DATE, 'P1')!;
    expect(material.bidders.map((b) => [b.code, b.name])).toEqual([
      ['A', '江苏恒通建设集团有限公司'],
      ['B', '南京华宇工程有限公司'],
    ]);
    expect(material.bidders[1]!.aliases).toEqual([]);
    expect(material.files[0]!.sha256).toBe('a'.repeat(64));
    roster.close();
  });

  it('refuses a template of another embedding model and reports it', () => {
    const refused: RefusedTemplate[] = [];
    const { roster } = open((r) => refused.push(r));
    expect(roster.ingest({ id: 'm1', type: 'faces.booth', payload: { date: DATE, expert: 'exp-a', model: 'other-model', embedding: encodeEmbedding(embedding(1)) } })).toBe(
      'model_mismatch',
    );
    expect(refused).toEqual([{ messageId: 'm1', date: DATE, model: 'other-model', expectedModel: MODEL }]);
    expect(roster.template(DATE, 'exp-a')).toBeNull();
    roster.close();
  });

  it('stores templates encrypted under a 0600 key file; a row moved to another expert fails authentication; old days are purged', () => {
    const { dir, roster } = open();
    const e = embedding(3);
    roster.ingest({ id: 'm1', type: 'faces.booth', payload: { date: DATE, expert: 'exp-a', model: MODEL, embedding: encodeEmbedding(e) } });
    roster.ingest({ id: 'm2', type: 'faces.booth', payload: { date: '2026-11-21', expert: 'exp-a', model: MODEL, embedding: encodeEmbedding(e) } });
    roster.ingest({ id: 'm3', type: 'roster.booth', payload: seat({ date: '2026-11-21' }) });
    expect(statSync(join(dir, BOOTH_FACES_KEY_FILE)).mode & 0o777).toBe(0o600);
    roster.close();

    const raw = new Uint8Array(Buffer.from(e.buffer));
    const file = readFileSync(join(dir, BOOTH_ROSTER_FILE));
    expect(Buffer.from(file).includes(Buffer.from(raw.subarray(0, 32)))).toBe(false);
    const db = new Database(join(dir, BOOTH_ROSTER_FILE));
    db.prepare("UPDATE face SET expert = 'exp-b' WHERE date = ?").run(DATE);
    db.close();

    const again = BoothRoster.open({ dataDir: dir, model: MODEL, log: () => undefined });
    expect(() => again.template(DATE, 'exp-b')).toThrow(/failed authentication/);
    again.purgeBefore(DATE);
    expect(again.seat('2026-11-21')).toBeNull();
    expect(again.template('2026-11-21', 'exp-a')).toBeNull();
    again.close();
  });

  it('the day is Beijing time whatever the PC says, turning at 04:00', () => {
    // 2026-11-21 17:30 UTC is 2026-11-22 01:30 in Beijing: still the evening's evaluation day
    expect(boothDay(Date.UTC(2026, 10, 21, 17, 30))).toBe('2026-11-21');
    // 20:00 UTC is 04:00 in Beijing: the new day
    expect(boothDay(Date.UTC(2026, 10, 21, 20, 0))).toBe('2026-11-22');
    expect(boothDay(Date.UTC(2026, 10, 22, 1, 0))).toBe('2026-11-22');
  });
});

import Database from 'better-sqlite3';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { FACE_EMBEDDING_MODEL } from '@kawei/shared/face/models.ts';
import { IMPORTED_SUFFIX, PARTS_USER_VERSION } from '@kawei/shared/store/device-database.node.ts';
import { openBoothDatabase } from '../src/services/booth-database.node.ts';
import { BoothRoster } from '../src/services/roster/booth-roster.node.ts';
import { createScoreSheet } from '../src/services/scoring/score-sheet.node.ts';
import { SessionStore } from '../src/services/session/session-store.node.ts';
import { openGateDatabase } from '../../gate-kiosk/src/services/gate-database.node.ts';
import { GateJournal } from '../../gate-kiosk/src/services/monitor/gate-journal.node.ts';
import { GateRoster } from '../../gate-kiosk/src/services/roster/gate-roster.node.ts';

/**
 * A data folder of the version before the one-database merge opens with this one: its five files
 * are merged into device.sqlite once, with everything in them (sealed faces still open with the key
 * file), and are then out of the way.
 *
 * The fixtures (fixtures/legacy-v1/{booth,gate}) were made by running THAT version's storage modules
 * (git 84d60d8^: DeviceStore, BoothRoster, SessionStore, createScoreSheet, GateRoster, GateJournal):
 * an enrolled booth with three inbox messages of which the old wiring applied two (the third stands
 * for one a crash left unapplied), two login failures, a signed commitment and a submitted score
 * sheet; an enrolled gate with its roster, a pass in the journal and an alert. Two values the
 * generator wrote by hand were then corrected in place to the shapes the schemas require (the
 * commitment document's kind `commitment-letter`, the gate position's `room: null`).
 */

const FIXTURES = fileURLToPath(new URL('./fixtures/legacy-v1/', import.meta.url));
const DATE = '2026-05-01';
const OLD_BOOTH_FILES = ['booth-roster.sqlite', 'booth-session.sqlite', 'score-sheet.sqlite'];
const OLD_GATE_FILES = ['gate-roster.sqlite', 'gate-journal.sqlite'];

let root = '';
let n = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kawei-legacy-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A copy of a fixture folder as the older version left it on disk: databases 0644, key files 0600. */
function olderDataDir(kind: 'booth' | 'gate'): string {
  const dir = join(root, `${kind}-${++n}`);
  cpSync(join(FIXTURES, kind), dir, { recursive: true });
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), f.endsWith('.key') ? 0o600 : 0o644);
  return dir;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const count = (db: Database.Database, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function boothState(dir: string) {
  const { db } = openBoothDatabase(dir);
  const store = DeviceStore.on(db);
  const applied: string[] = [];
  const roster = BoothRoster.open({ dataDir: dir, database: db, model: FACE_EMBEDDING_MODEL, log: () => undefined });
  store.setMessageApplier((m) => {
    applied.push(`${m.id}:${roster.ingest(m)}`);
  });
  const session = SessionStore.open(dir, Date.now, db);
  const sheet = createScoreSheet({ dataDir: dir, database: db, sign: async () => Promise.reject(new Error('no key')), record: () => 0 });
  const seat = roster.seat(DATE);
  // The merged sheet is the seated member's (booth-database.node.ts claimImportedSheets).
  sheet.setProject(seat ? roster.project(DATE, seat.project) : null, undefined, seat?.codename);
  const state = {
    applied,
    identity: store.identity()?.deviceId,
    events: store.eventCount(),
    seat: seat?.codename,
    template: roster.template(DATE, 'exp-1')?.length,
    project: roster.project(DATE, 'SL-2026-0815')?.bidders.map((b) => b.name),
    progress: session.progress(DATE, 'exp-1'),
    sheet: sheet.get(),
    submission: sheet.submission(),
    versions: sheet.versions().map((v) => v.revision),
    rows: { seat: count(db, 'seat'), face: count(db, 'face'), applied: count(db, 'applied_message'), cell: count(db, 'cell'), sheet: count(db, 'sheet') },
  };
  sheet.close();
  roster.close();
  session.close();
  db.close();
  return state;
}

describe('a booth data folder of the version before the merge', () => {
  it('is merged into device.sqlite at the first open: seat, sealed face, project, session, signed sheet, identity and log', () => {
    const dir = olderDataDir('booth');
    const eventsBefore = (() => {
      const old = new Database(join(dir, 'device.sqlite'), { readonly: true });
      try {
        expect(old.pragma('user_version', { simple: true })).toBe(2); // the device part alone, numbered the old way
        return count(old, 'event_log');
      } finally {
        old.close();
      }
    })();

    const { db, imported } = openBoothDatabase(dir);
    expect(imported).toEqual(OLD_BOOTH_FILES);
    expect(db.pragma('user_version', { simple: true })).toBe(PARTS_USER_VERSION);
    db.close();
    for (const f of OLD_BOOTH_FILES) {
      expect(existsSync(join(dir, f)), f).toBe(false);
      expect(mode(join(dir, f + IMPORTED_SUFFIX)), f).toBe('600');
    }
    expect(mode(join(dir, 'device.sqlite'))).toBe('600');
    expect(mode(dir)).toBe('700');

    const state = boothState(dir);
    expect(state.identity).toBe('booth-legacy');
    expect(state.events).toBe(eventsBefore);
    expect(state.seat).toBe('HK-37');
    expect(state.template).toBe(128); // still sealed under booth-faces.key, and it opens
    expect(state.project).toEqual(['华东示例建设有限公司', '南岭虚构科技股份有限公司']);
    expect(state.progress.loginFailures).toBe(2);
    expect(state.progress.tokenSerial).toBe('TOKEN-1');
    expect(state.progress.commitment?.eventSeq).toBe(2);
    expect(state.sheet.status).toBe('submitted');
    expect(state.sheet.scores).toEqual({ A: { tech: 55, price: 30 }, B: { tech: 41.5, price: 35 } });
    expect(state.sheet.notes.A?.tech).toBe('技术方案完整');
    expect(state.submission?.eventSeq).not.toBeNull();
    expect(state.versions).toEqual([1]); // its signed version, as migration 2 keeps one for every signed sheet
    // The inbox rows of the old version are applied once: the two it had applied are known by id,
    // the one a crash left unapplied is applied now.
    expect(state.applied).toEqual(['msg-1:duplicate', 'msg-2:duplicate', 'msg-3:applied']);
  });

  it('a second open merges nothing again and applies nothing twice', () => {
    const dir = olderDataDir('booth');
    const first = boothState(dir);
    const { db, imported } = openBoothDatabase(dir);
    expect(imported).toEqual([]);
    db.close();
    const second = boothState(dir);
    expect(second.applied).toEqual([]);
    expect(second.rows).toEqual(first.rows);
    expect(second.events).toBe(first.events);
  });

  it('a crash between the merge and the rename: the file is renamed at the next open, not copied twice', () => {
    const dir = olderDataDir('booth');
    const first = boothState(dir);
    // The state a crash right after the merge's commit leaves: the old files still under their names.
    for (const f of OLD_BOOTH_FILES) renameSync(join(dir, f + IMPORTED_SUFFIX), join(dir, f));
    const { db, imported } = openBoothDatabase(dir);
    expect(imported).toEqual([]);
    db.close();
    for (const f of OLD_BOOTH_FILES) expect(existsSync(join(dir, f)), f).toBe(false);
    expect(boothState(dir).rows).toEqual(first.rows);
  });

  it('an old file at a schema version no release made is refused with a clear error and left in place', () => {
    const dir = olderDataDir('booth');
    const odd = new Database(join(dir, 'booth-session.sqlite'));
    odd.pragma('user_version = 7');
    odd.close();
    expect(() => openBoothDatabase(dir)).toThrow(/旧数据文件版本不符：booth-session.sqlite .* \/ booth-session.sqlite is at schema version 7, expected 1/);
    expect(existsSync(join(dir, 'booth-session.sqlite'))).toBe(true);
  });
});

describe('a gate data folder of the version before the merge', () => {
  it('is merged: roster, the journal (anti-passback) and its alerts', () => {
    const dir = olderDataDir('gate');
    const { db, imported } = openGateDatabase(dir);
    expect(imported).toEqual(OLD_GATE_FILES);
    const store = DeviceStore.on(db);
    const roster = GateRoster.open({ dataDir: dir, database: db, model: FACE_EMBEDDING_MODEL, log: () => undefined });
    const applied: string[] = [];
    store.setMessageApplier((m) => {
      applied.push(`${m.id}:${roster.ingest(m)}`);
    });
    const journal = GateJournal.open(dir, db);
    expect(store.identity()?.kind).toBe('gate');
    expect(roster.roster(DATE)?.entries.map((e) => e.codename)).toEqual(['HK-37']);
    expect([...journal.passes(DATE).keys()]).toEqual(['exp-1']);
    expect(journal.alerts(DATE).map((a) => a.kind)).toEqual(['unknown_face']);
    expect(applied).toEqual(['msg-1:duplicate']);
    roster.close();
    journal.close();
    db.close();
    for (const f of OLD_GATE_FILES) expect(existsSync(join(dir, f)), f).toBe(false);
  });
});

import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519 } from '../../src/crypto/ed25519.node.ts';
import { DeviceStore } from '../../src/device/device-store.node.ts';
import { openFaceTemplateStore } from '../../src/face/face-template-store.node.ts';
import { EMBEDDING_SIZE } from '../../src/face/models.ts';
import { openSqlite } from '../../src/store/sqlite.node.ts';

/**
 * Private files (issue #12 §3): every database that holds a key, a face or a score is created 0600
 * with its -wal and -shm, in a 0700 folder, whatever the process umask; a 0644 file left by an older
 * version is tightened when it is opened.
 */

let root = '';
let n = 0;
let umask = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kawei-private-'));
  // The loosest umask: nothing may rely on it to keep a file private.
  umask = process.umask(0o000);
});
afterAll(() => {
  process.umask(umask);
  if (root) rmSync(root, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** The database, its -wal and its -shm: all 0600 (the two sidecars must exist: WAL mode, after writes). */
export function expectPrivateSqlite(file: string): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    expect(existsSync(path), path).toBe(true);
    expect(mode(path).toString(8), path).toBe('600');
  }
}

/** Leaves a 0644 database with 0644 sidecars, as an older version did under umask 022; returns its open connection. */
function olderVersionFile(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS older (x INTEGER); INSERT INTO older VALUES (1);');
  for (const path of [file, `${file}-wal`, `${file}-shm`]) chmodSync(path, 0o644);
  return db;
}

function enrol(store: DeviceStore): void {
  const keys = generateEd25519();
  store.saveIdentity({
    deviceId: 'booth-1',
    kind: 'booth',
    publicKey: keys.publicKey,
    privateKeyPkcs8: keys.privateKeyPkcs8,
    centralUrl: 'https://127.0.0.1:9',
    centralId: 'central-test',
    centralPublicKey: keys.publicKey,
    position: {
      kind: 'booth',
      site: { id: 's1', name: 'site' },
      room: { id: 'r1', siteId: 's1', number: 1, name: 'room', rows: 3, cols: 3 },
      booth: { id: 'b1', roomId: 'r1', row: 0, col: 0, label: 'A1' },
    },
    enrolledAt: 1,
  });
}

describe('device.sqlite (the private key)', () => {
  it('is created 0600 with its -wal and -shm, in a 0700 folder, under umask 000', () => {
    const dir = join(root, `device-${++n}`, 'data');
    const file = join(dir, 'device.sqlite');
    const store = DeviceStore.open(file);
    enrol(store);
    expectPrivateSqlite(file);
    expect(mode(dir).toString(8)).toBe('700');
    store.close();
  });

  it('tightens a 0644 file and sidecars of an older version, and a 0755 data folder, at open', () => {
    const dir = join(root, `device-${++n}`);
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const file = join(dir, 'device.sqlite');
    const older = olderVersionFile(file);
    expect(mode(`${file}-wal`).toString(8)).toBe('644');
    const store = DeviceStore.open(file);
    enrol(store);
    expectPrivateSqlite(file);
    expect(mode(dir).toString(8)).toBe('700');
    store.close();
    older.close();
  });
});

describe('openSqlite (every other store: face templates, the central face cache, the central store)', () => {
  it('creates the file 0600 and missing folders 0700 before SQLite opens it', () => {
    const dir = join(root, `plain-${++n}`, 'a', 'b');
    const file = join(dir, 'x.sqlite');
    const db = openSqlite(file, [{ version: 1, description: 't', up: (d) => d.exec('CREATE TABLE t (x INTEGER)') }]);
    db.prepare('INSERT INTO t VALUES (1)').run();
    expectPrivateSqlite(file);
    expect(mode(dir).toString(8)).toBe('700');
    expect(mode(join(root, `plain-${n}`, 'a')).toString(8)).toBe('700');
    db.close();
  });

  it('face templates: 0600 database and sidecars; an older 0644 file is tightened', () => {
    const dir = join(root, `faces-${++n}`);
    mkdirSync(dir);
    const file = join(dir, 'faces.sqlite');
    const older = olderVersionFile(file);
    const store = openFaceTemplateStore({ file, key: randomBytes(32), model: 'm' });
    const e = new Float32Array(EMBEDDING_SIZE).fill(1 / Math.sqrt(EMBEDDING_SIZE));
    store.put('p1', e, 1, 1);
    expectPrivateSqlite(file);
    store.close();
    older.close();
  });
});

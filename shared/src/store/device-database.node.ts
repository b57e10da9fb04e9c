import { chmodSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkNumbered, openSqliteFile, SQLITE_SIDECARS, tightenSqliteFiles, type Migration, type SqliteDatabase } from './sqlite.node.ts';
import { bilingual } from '../i18n/bilingual.ts';

/**
 * The one SQLite database of a booth or a gate (`<dataDir>/device.sqlite`): the device's identity
 * and sync log and every table of the app's own services, so that a user action that changes the
 * app's state and appends its sync event commits in ONE transaction (docs/ARCHITECTURE.md, "Where
 * data lives on a device").
 *
 * The schema comes in parts, each with its own numbered migrations: `device` (identity, event log,
 * inbox: shared by both apps) and the app's part (`booth` or `gate`). Each app lists its parts in one
 * module (booth-client/src/services/booth-database.node.ts, gate-kiosk/src/services/gate-database.node.ts),
 * so every table of a device is declared in one place; the part versions are kept in `schema_part`.
 * Parts let a tool open the same file for the device part alone (DeviceStore.open) without knowing
 * the app's tables, and let a shared device migration be added without renumbering two apps.
 *
 * Older versions kept the app's tables in files of their own (booth-roster.sqlite, …). The first open
 * copies each such file into this database in one transaction, notes it in `legacy_import`, and
 * renames the old file (and its sidecars) to `<name>.imported`; a crash anywhere in between is
 * finished at the next open, and a file already noted is never copied twice.
 */

export const DEVICE_DATABASE_FILE = 'device.sqlite';

/**
 * Set as the SQLite user_version once a file is migrated in parts: a version of Kawei from before
 * the merge reads it as "newer than this program" and refuses the file instead of missing tables.
 */
export const PARTS_USER_VERSION = 100;

export interface SchemaPart {
  /** Stable name: `device`, `booth`, `gate`. */
  name: string;
  migrations: readonly Migration[];
}

/** A database file an older version kept beside device.sqlite, to be merged into it once. */
export interface LegacyFile {
  /** File name in the data folder, e.g. `booth-roster.sqlite`. */
  file: string;
  /** The schema version (user_version) that file was left at: the only one ever released. */
  userVersion: number;
  /** Its tables, copied row by row into the tables of the same name and columns here. */
  tables: readonly string[];
}

export interface DeviceDatabase {
  db: SqliteDatabase;
  /** Legacy files merged by this open (empty when there were none, or on every later open). */
  imported: string[];
}

export interface OpenDeviceDatabaseOptions {
  /** The device's data folder: made 0700 (created, or tightened when this user owns it). */
  dataDir: string;
  parts: readonly SchemaPart[];
  legacy?: readonly LegacyFile[];
  /** The database file name in `dataDir` (default device.sqlite). */
  fileName?: string;
}

export function openDeviceDatabase(options: OpenDeviceDatabaseOptions): DeviceDatabase {
  preparePrivateDir(options.dataDir);
  const file = join(options.dataDir, options.fileName ?? DEVICE_DATABASE_FILE);
  const db = openSqliteFile(file);
  try {
    migrateParts(db, options.parts);
    const imported = importLegacyFiles(db, options.dataDir, options.legacy ?? []);
    return { db, imported };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The device's data folder holds its private key and the day's faces: 0700. A folder that exists is
 * tightened only when this user owns it and it is not a shared sticky folder such as /tmp.
 */
export function preparePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const st = statSync(dir);
  const shared = (st.mode & 0o1000) !== 0;
  if (!shared && st.uid === process.getuid?.() && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Applies each part's migrations not yet applied, each in its own transaction with its new version. */
export function migrateParts(db: SqliteDatabase, parts: readonly SchemaPart[]): void {
  db.transaction(() => {
    const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_part'`).get() !== undefined;
    if (hasTable) return;
    const before = db.pragma('user_version', { simple: true }) as number;
    if (before >= PARTS_USER_VERSION) {
      throw new Error(bilingual('store.unknownVersion', { version: before }));
    }
    db.exec(`CREATE TABLE schema_part (name TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT;
             CREATE TABLE legacy_import (file TEXT PRIMARY KEY, imported_at INTEGER NOT NULL, rows INTEGER NOT NULL) STRICT;`);
    // A device.sqlite of an older version held the device part alone, numbered by user_version.
    if (before > 0) db.prepare('INSERT INTO schema_part (name, version) VALUES (?, ?)').run('device', before);
    db.pragma(`user_version = ${PARTS_USER_VERSION}`);
  }).immediate();
  for (const part of parts) {
    const sorted = checkNumbered(part.migrations);
    const row = db.prepare('SELECT version FROM schema_part WHERE name = ?').get(part.name) as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > sorted.length) {
      throw new Error(bilingual('store.newerThanProgram', { part: part.name, current, known: sorted.length }));
    }
    for (const m of sorted.slice(current)) {
      db.transaction(() => {
        m.up(db);
        db.prepare('INSERT INTO schema_part (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version').run(
          part.name,
          m.version,
        );
      }).immediate();
    }
  }
}

export const IMPORTED_SUFFIX = '.imported';

function importLegacyFiles(db: SqliteDatabase, dataDir: string, legacy: readonly LegacyFile[]): string[] {
  const imported: string[] = [];
  for (const l of legacy) {
    const path = join(dataDir, l.file);
    if (!existsSync(path)) continue;
    const done = db.prepare('SELECT 1 FROM legacy_import WHERE file = ?').get(l.file) !== undefined;
    if (!done) {
      copyLegacyFile(db, path, l);
      imported.push(l.file);
    }
    // Copied (now, or before a crash that came ahead of the rename): out of the way, still private.
    for (const suffix of ['', ...SQLITE_SIDECARS]) {
      if (existsSync(path + suffix)) renameSync(path + suffix, join(dataDir, basename(l.file) + IMPORTED_SUFFIX + suffix));
    }
    tightenSqliteFiles(join(dataDir, basename(l.file) + IMPORTED_SUFFIX));
  }
  return imported;
}

function copyLegacyFile(db: SqliteDatabase, path: string, l: LegacyFile): void {
  tightenSqliteFiles(path);
  db.prepare('ATTACH DATABASE ? AS legacy').run(path);
  try {
    const version = db.pragma('legacy.user_version', { simple: true }) as number;
    if (version !== l.userVersion) {
      throw new Error(bilingual('store.legacyVersion', { file: l.file, version, expected: l.userVersion }));
    }
    db.transaction(() => {
      let rows = 0;
      for (const table of l.tables) {
        const exists = db.prepare(`SELECT 1 FROM legacy.sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
        if (!exists) continue;
        const columns = (db.pragma(`legacy.table_info(${quote(table)})`) as { name: string }[]).map((c) => quote(c.name)).join(', ');
        // Rows already here win: the copy can only add what the old file had.
        rows += db.prepare(`INSERT OR IGNORE INTO main.${quote(table)} (${columns}) SELECT ${columns} FROM legacy.${quote(table)}`).run().changes;
      }
      db.prepare('INSERT INTO legacy_import (file, imported_at, rows) VALUES (?, ?, ?)').run(l.file, Date.now(), rows);
    }).immediate();
  } finally {
    db.prepare('DETACH DATABASE legacy').run();
  }
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

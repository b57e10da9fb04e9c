import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/** A numbered migration: applied once, in order, inside a transaction; never edited after release. */
export interface Migration {
  version: number;
  description: string;
  up: (db: SqliteDatabase) => void;
}

/** The files SQLite keeps beside a database: each holds the same data as the database itself. */
export const SQLITE_SIDECARS = ['-wal', '-shm', '-journal'] as const;

const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_DIR_MODE = 0o700;
const posix = process.platform !== 'win32';

/**
 * Makes `file` private BEFORE SQLite opens it: missing folders are created 0700, the database is
 * created 0600 (exclusive create with an explicit mode, so the process umask cannot widen it), and a
 * database or sidecar left 0644 by an older version is tightened. SQLite creates `-wal`, `-shm` and
 * `-journal` with the main file's permission bits, so a 0600 database keeps its sidecars 0600;
 * `tightenSqliteFiles` after the open checks that and repairs anything older.
 */
export function preparePrivateSqliteFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  tightenSqliteFiles(file);
}

/** chmod 0600 the database and every sidecar that exists (a no-op on Windows, which has no modes). */
export function tightenSqliteFiles(file: string): void {
  if (!posix) return;
  for (const path of [file, ...SQLITE_SIDECARS.map((s) => file + s)]) {
    if (!existsSync(path)) continue;
    if ((statSync(path).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(path, PRIVATE_FILE_MODE);
  }
}

/**
 * Opens a SQLite file the way every Kawei store wants it: private (0600 file and sidecars, 0700 for
 * folders it creates), WAL (readers never block the writer), synchronous=FULL (a committed
 * transaction survives a power cut, which is what we acknowledge to a user), foreign keys on, and a
 * busy timeout so the central's CLI and server can share the file.
 */
export function openSqlite(file: string, migrations: readonly Migration[]): SqliteDatabase {
  const db = openSqliteFile(file);
  try {
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** `openSqlite` without migrations: for stores that migrate in parts (shared/src/store/device-database.node.ts). */
export function openSqliteFile(file: string): SqliteDatabase {
  const onDisk = file !== ':memory:';
  if (onDisk) preparePrivateSqliteFile(file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // The WAL and shared-memory files exist from here on; an older version may have left them 0644.
    if (onDisk) tightenSqliteFiles(file);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export function migrate(db: SqliteDatabase, migrations: readonly Migration[]): void {
  const sorted = checkNumbered(migrations);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > sorted.length) {
    throw new Error(`database is at schema version ${current}, newer than this program (${sorted.length})`);
  }
  for (const m of sorted.slice(current)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

/** The migrations sorted, after checking they are numbered 1, 2, 3… without a gap. */
export function checkNumbered(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3…; found ${m.version} at ${i + 1}`);
  });
  return sorted;
}

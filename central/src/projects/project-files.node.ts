import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { open, readdir, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { idSchema } from '@kawei/shared/domain/topology.ts';
import { projectFileSchema } from '@kawei/shared/api/booth-roster.ts';

/**
 * The central's tender files and who may fetch them, in the data directory:
 *
 *   DATA/files/<sha256>                 the PDFs, content-addressed (written once, renamed into place)
 *   DATA/projects/<date>/<CODE>.json    one grant per published project: its files by hash and the
 *                                       booths seated on it that day
 *
 * Why files and not the store: the central has two store backends (SQLite and PostgreSQL behind
 * central/src/storage/); tender files are blobs of up to MAX_TENDER_FILE_BYTES that belong on disk,
 * not in database rows, and the grant index is a handful of small documents written only by
 * `publish-project`. Keeping both beside the operator token in `--data` needs no migration in either
 * backend and no interface change. The cost: with several centrals on one PostgreSQL database, each
 * central serves only what was published with its own `--data` (run publish-project for each).
 *
 * Durability: a file is written to a temporary name, fsynced, checked against its hash and renamed;
 * a grant is written the same way — and only after all its files are in place. So a booth that gets
 * `project.booth` (sent after the grant) can always fetch every file it names.
 *
 * Grants are by booth (position), not by device: a booth PC replaced and re-enrolled on the same
 * booth can fetch the files once publish-project is run again to send it the message.
 */

/** Larger tender files are refused by publish-project (and by the booth's fetch). */
export const MAX_TENDER_FILE_BYTES = 200 * 1024 * 1024;
export const FILES_DIR = 'files';
export const PROJECTS_DIR = 'projects';

const SHA256 = /^[0-9a-f]{64}$/;

export const projectGrantSchema = z
  .object({
    date: z.iso.date(),
    project: idSchema,
    /** Booth ids (the central's positions) seated on the project that day. */
    booths: z.array(idSchema),
    files: z.array(projectFileSchema),
    publishedAt: z.number().int(),
  })
  .strict();
export type ProjectGrant = z.infer<typeof projectGrantSchema>;

export function fileStorePath(dataDir: string, sha256: string): string {
  if (!SHA256.test(sha256)) throw new RangeError(`not a SHA-256 hex digest: ${sha256}`);
  return join(dataDir, FILES_DIR, sha256);
}

function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `bytes` to `file` through a temporary name: fsync, rename, fsync the folder. */
function writeDurably(file: string, dir: string, bytes: Uint8Array): void {
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  const fd = openSync(temp, 'w', 0o640);
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  fsyncDir(dir);
}

/**
 * Puts one file into the content-addressed store. `sha256` is what the caller measured while
 * checking the file; it is measured again on the bytes written. An existing entry is re-hashed and
 * replaced if it no longer matches (a damaged or altered copy heals on the next publication).
 * Returns whether the store had to write it.
 */
export function storeFile(dataDir: string, sha256: string, bytes: Uint8Array): { written: boolean } {
  const target = fileStorePath(dataDir, sha256);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new Error(`file changed while it was published: expected ${sha256}, read ${actual}`);
  try {
    if (statSync(target).isFile() && sha256OfFile(target) === sha256) return { written: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeDurably(target, join(dataDir, FILES_DIR), bytes);
  return { written: true };
}

/** Records (or replaces) the grant of one project for one day. Call after its files are stored. */
export function writeGrant(dataDir: string, grant: ProjectGrant): string {
  const parsed = projectGrantSchema.parse(grant);
  const dir = join(dataDir, PROJECTS_DIR, parsed.date);
  const file = join(dir, `${parsed.project}.json`);
  writeDurably(file, dir, Buffer.from(`${JSON.stringify(parsed, null, 2)}\n`, 'utf8'));
  return file;
}

/** Every grant on disk (synchronously, for the CLI and tests). Unreadable documents are skipped. */
export function readGrantsSync(dataDir: string): ProjectGrant[] {
  const root = join(dataDir, PROJECTS_DIR);
  let dates: string[];
  try {
    dates = readdirSync(root);
  } catch {
    return [];
  }
  const grants: ProjectGrant[] = [];
  for (const date of dates.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))) {
    for (const name of readdirSync(join(root, date)).filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
      const parsed = projectGrantSchema.safeParse(safeJson(readFileSync(join(root, date, name), 'utf8')));
      if (parsed.success) grants.push(parsed.data);
    }
  }
  return grants;
}

async function readGrants(dataDir: string): Promise<ProjectGrant[]> {
  const root = join(dataDir, PROJECTS_DIR);
  let dates: string[];
  try {
    dates = await readdir(root);
  } catch {
    return [];
  }
  const grants: ProjectGrant[] = [];
  for (const date of dates.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))) {
    let names: string[];
    try {
      names = await readdir(join(root, date));
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
      try {
        const parsed = projectGrantSchema.safeParse(safeJson(await readFile(join(root, date, name), 'utf8')));
        if (parsed.success) grants.push(parsed.data);
      } catch {
        // removed between readdir and readFile: no grant
      }
    }
  }
  return grants;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export type FileAccess =
  /** No project published at this central lists the file. */
  | { kind: 'unknown' }
  /** Some project lists it, but not one this booth is seated on (on its latest day). */
  | { kind: 'forbidden' }
  | { kind: 'granted'; project: string; date: string; bytes: number };

/**
 * May booth `boothId` (null: the device is no booth) fetch file `sha256`? Only the grants of the
 * latest day on which the booth is seated count: once today's projects are published, yesterday's
 * files are closed to the booth. The index is read on each call (a few small documents; file
 * requests are a handful per booth per day), so a publication by the CLI applies at once.
 */
export async function checkFileAccess(dataDir: string, sha256: string, boothId: string | null): Promise<FileAccess> {
  const grants = await readGrants(dataDir);
  const listing = grants.filter((g) => g.files.some((f) => f.sha256 === sha256));
  if (listing.length === 0) return { kind: 'unknown' };
  if (boothId === null) return { kind: 'forbidden' };
  const mine = grants.filter((g) => g.booths.includes(boothId));
  const latest = mine.reduce<string | null>((d, g) => (d === null || g.date > d ? g.date : d), null);
  for (const g of mine) {
    if (g.date !== latest) continue;
    const file = g.files.find((f) => f.sha256 === sha256);
    if (file) return { kind: 'granted', project: g.project, date: g.date, bytes: file.bytes };
  }
  return { kind: 'forbidden' };
}

/** Opens a stored file for reading, or null if the store has no such file. */
export async function openStoredFile(dataDir: string, sha256: string): Promise<{ handle: FileHandle; bytes: number } | null> {
  let handle: FileHandle;
  try {
    handle = await open(fileStorePath(dataDir, sha256), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      return null;
    }
    return { handle, bytes: stat.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The booth's on-disk copy of a project's tender files: `<dataDir>/tender-files/<sha256>.pdf`, written
 * atomically (temporary file, fsync, rename, fsync of the folder) and checked against its SHA-256
 * whenever it is read back. The folder is the trusted side's: nothing serves it to the renderer.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const TENDER_FILES_DIR = 'tender-files';

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export class TenderFileCache {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, TENDER_FILES_DIR);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  pathOf(sha256: string): string {
    return join(this.dir, `${sha256}.pdf`);
  }

  /** The cached bytes when present and intact; a copy that fails its hash is deleted (null). */
  read(sha256: string): Uint8Array | null {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(this.pathOf(sha256)));
    } catch {
      return null;
    }
    if (sha256Hex(bytes) === sha256) return bytes;
    rmSync(this.pathOf(sha256), { force: true });
    return null;
  }

  /** Durable before it returns: a power cut leaves either the whole file or none. */
  write(sha256: string, bytes: Uint8Array): void {
    const tmp = join(this.dir, `.${sha256}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at, bytes.byteLength - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.pathOf(sha256));
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }

  /** Deletes every cached file (and leftover temporary file) whose hash is not in `keep`. */
  prune(keep: ReadonlySet<string>): string[] {
    const removed: string[] = [];
    for (const name of readdirSync(this.dir)) {
      const m = /^([0-9a-f]{64})\.pdf$/.exec(name);
      if (m && keep.has(m[1] ?? '')) continue;
      // A download of a kept file being written by this process right now.
      const t = /^\.([0-9a-f]{64})\.(\d+)\.tmp$/.exec(name);
      if (t && keep.has(t[1] ?? '') && Number(t[2]) === process.pid) continue;
      rmSync(join(this.dir, name), { force: true, recursive: true });
      removed.push(name);
    }
    return removed;
  }
}

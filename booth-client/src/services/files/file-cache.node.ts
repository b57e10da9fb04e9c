/**
 * The booth's on-disk copy of a project's tender files: `<dataDir>/tender-files/<sha256>.sealed`.
 *
 * Tender documents are confidential until the bid opening is over, and a booth is a PC in a room that
 * staff, cleaners and technicians walk through. So a copy at rest is sealed (AES-256-GCM, a fresh
 * 12-byte nonce per file, the file's SHA-256 bound as additional data so one file cannot stand in for
 * another) under a 32-byte key kept in a 0600 key file beside the booth's data. The plain PDF exists only
 * in this process's memory. Copying the folder, or a backup of it, yields nothing readable; someone with
 * root on the booth can read the key file too, which only full-disk encryption (a deployment choice,
 * docs/ARCHITECTURE.md) answers.
 *
 * Writes are atomic (temporary file, fsync, rename, fsync of the folder). A read that fails to open
 * (wrong key, a flipped byte, a truncated file) or whose plaintext fails its SHA-256 deletes the copy
 * and answers null, so the caller downloads it again. The folder is the trusted side's: nothing serves
 * it to the renderer.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openSealed, seal, SEAL_NONCE_BYTES, SEAL_TAG_BYTES, sealAad } from '@kawei/shared/crypto/sealed.node.ts';

export const TENDER_FILES_DIR = 'tender-files';
/** The key file (32 random bytes, mode 0600) in the booth's data folder. */
export const TENDER_FILES_KEY_FILE = 'tender-files.key';

/** 'KWT1': a Kawei sealed tender file, format 1 (magic ‖ nonce ‖ tag ‖ ciphertext). */
const MAGIC = Buffer.from('KWT1', 'ascii');
const HEADER_BYTES = MAGIC.byteLength + SEAL_NONCE_BYTES + SEAL_TAG_BYTES;
const AAD_PURPOSE = 'kawei-booth-tender-v1';

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export class TenderFileCache {
  readonly dir: string;
  readonly #key: Uint8Array;

  constructor(dataDir: string, key: Uint8Array) {
    if (key.byteLength !== 32) throw new Error(`the tender-file key must be 32 bytes, got ${key.byteLength}`);
    this.dir = join(dataDir, TENDER_FILES_DIR);
    this.#key = key;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  pathOf(sha256: string): string {
    return join(this.dir, `${sha256}.sealed`);
  }

  /** The cached plaintext when present, intact and ours; anything else is deleted (null). */
  read(sha256: string): Uint8Array | null {
    let stored: Buffer;
    try {
      stored = readFileSync(this.pathOf(sha256));
    } catch {
      return null;
    }
    const bytes = this.#open(sha256, stored);
    if (bytes && sha256Hex(bytes) === sha256) return bytes;
    rmSync(this.pathOf(sha256), { force: true });
    return null;
  }

  #open(sha256: string, stored: Buffer): Uint8Array | null {
    if (stored.byteLength < HEADER_BYTES || !stored.subarray(0, MAGIC.byteLength).equals(MAGIC)) return null;
    const nonceAt = MAGIC.byteLength;
    const tagAt = nonceAt + SEAL_NONCE_BYTES;
    try {
      const plain = openSealed(
        this.#key,
        {
          nonce: stored.subarray(nonceAt, tagAt),
          tag: stored.subarray(tagAt, HEADER_BYTES),
          ciphertext: stored.subarray(HEADER_BYTES),
        },
        sealAad(AAD_PURPOSE, sha256),
      );
      return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
    } catch {
      return null; // another key (a reinstalled booth), or damaged bytes
    }
  }

  #sealPlainCopy(sha256: string, path: string): void {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return;
    }
    if (sha256Hex(bytes) === sha256) this.write(sha256, bytes);
  }

  /** Durable before it returns: a power cut leaves either the whole sealed file or none. */
  write(sha256: string, bytes: Uint8Array): void {
    const sealed = seal(this.#key, bytes, sealAad(AAD_PURPOSE, sha256));
    const tmp = join(this.dir, `.${sha256}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for (const part of [MAGIC, sealed.nonce, sealed.tag, sealed.ciphertext]) {
        for (let at = 0; at < part.byteLength; ) at += writeSync(fd, part, at, part.byteLength - at);
      }
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

  /**
   * Deletes every cached file (and leftover temporary file) whose hash is not in `keep`. A plain
   * `<sha256>.pdf` copy written by a booth before files were sealed is sealed first when it is kept
   * and intact (a booth upgraded while the central is away keeps its files), then deleted.
   */
  prune(keep: ReadonlySet<string>): string[] {
    const removed: string[] = [];
    for (const name of readdirSync(this.dir)) {
      const m = /^([0-9a-f]{64})\.sealed$/.exec(name);
      if (m && keep.has(m[1] ?? '')) continue;
      const plain = /^([0-9a-f]{64})\.pdf$/.exec(name)?.[1];
      if (plain !== undefined && keep.has(plain) && this.read(plain) === null) this.#sealPlainCopy(plain, join(this.dir, name));
      // A download of a kept file being written by this process right now.
      const t = /^\.([0-9a-f]{64})\.(\d+)\.tmp$/.exec(name);
      if (t && keep.has(t[1] ?? '') && Number(t[2]) === process.pid) continue;
      rmSync(join(this.dir, name), { force: true, recursive: true });
      removed.push(name);
    }
    return removed;
  }
}

import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDING_SIZE } from '@kawei/shared/face/models.ts';
import { openFaceCache } from '../src/experts/face-cache.node.ts';

/** The central's face cache holds embeddings and thumbnails: its SQLite files are 0600 whatever the umask. */

let root = '';
let umask = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kawei-face-cache-'));
  umask = process.umask(0o000);
});
afterAll(() => {
  process.umask(umask);
  if (root) rmSync(root, { recursive: true, force: true });
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const embedding = new Float32Array(EMBEDDING_SIZE).fill(1 / Math.sqrt(EMBEDDING_SIZE));

describe('face cache files', () => {
  it('creates the cache 0600 with its -wal and -shm, its folder 0700, under umask 000', () => {
    const dir = join(root, 'new', 'registry');
    const file = join(dir, 'face-cache.sqlite');
    const cache = openFaceCache(file, join(dir, 'face-cache.key'), 'recipe-1');
    cache.put('a'.repeat(64), { ok: true, quality: 0.9, embedding, thumbnail: new Uint8Array([1, 2, 3]) });
    for (const path of [file, `${file}-wal`, `${file}-shm`, join(dir, 'face-cache.key')]) {
      expect(existsSync(path), path).toBe(true);
      expect(mode(path), path).toBe('600');
    }
    expect(mode(dir)).toBe('700');
    cache.close();
  });

  it('tightens a 0644 cache and sidecars left by an older version', () => {
    const dir = join(root, 'older');
    mkdirSync(dir);
    const file = join(dir, 'face-cache.sqlite');
    const older = new Database(file);
    older.pragma('journal_mode = WAL');
    older.exec('CREATE TABLE older (x INTEGER); INSERT INTO older VALUES (1);');
    for (const path of [file, `${file}-wal`, `${file}-shm`]) chmodSync(path, 0o644);
    const cache = openFaceCache(file, join(dir, 'face-cache.key'), 'recipe-1');
    cache.put('b'.repeat(64), { ok: false, refusal: 'no_face' });
    for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(mode(path), path).toBe('600');
    cache.close();
    older.close();
  });
});

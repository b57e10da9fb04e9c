import { floatBytes, floatsFrom, openSealed, seal, sealAad } from '@kawei/shared/crypto/sealed.node.ts';
import { type Migration, openSqlite, type SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { EMBEDDING_SIZE } from '@kawei/shared/face/models.ts';
import { loadOrCreateKeyFile, TEMPLATE_KEY_BYTES } from '@kawei/shared/face/face-template-store.node.ts';
import type { PhotoRefusal } from './registry-schema.ts';

/**
 * What the face pipeline made of one registration photo, keyed by the SHA-256 of the file's bytes and
 * the recipe (model, padding, quality limits, thumbnail), so re-publishing the same registry embeds
 * nothing again and a changed photo or a new model is embedded afresh.
 *
 * At rest the embedding and the thumbnail are encrypted with AES-256-GCM (fresh 12-byte nonce per row,
 * the photo hash and recipe as additional authenticated data) under a 32-byte key file created 0600
 * (shared/src/face/face-template-store.node.ts `loadOrCreateKeyFile`). A row that fails to decrypt
 * (another key, altered) is treated as absent and recomputed: the photos are the source of truth.
 */


const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'per-photo face embeddings and thumbnails, AES-256-GCM at rest',
    up: (db) => {
      db.exec(`
        CREATE TABLE photo_face (
          sha256     TEXT NOT NULL,
          recipe     TEXT NOT NULL,
          refusal    TEXT,
          quality    REAL NOT NULL,
          nonce      BLOB,
          ciphertext BLOB,
          tag        BLOB,
          created_at TEXT NOT NULL,
          PRIMARY KEY (sha256, recipe)
        ) STRICT;
      `);
    },
  },
];

export type CachedPhoto =
  | { readonly ok: true; readonly quality: number; readonly embedding: Float32Array; readonly thumbnail: Uint8Array }
  | { readonly ok: false; readonly refusal: PhotoRefusal };

interface Row {
  refusal: string | null;
  quality: number;
  nonce: Buffer | null;
  ciphertext: Buffer | null;
  tag: Buffer | null;
}

export interface FaceCache {
  get(sha256: string): CachedPhoto | undefined;
  put(sha256: string, value: CachedPhoto): void;
  close(): void;
}

export function openFaceCache(file: string, keyFile: string, recipe: string): FaceCache {
  const key = loadOrCreateKeyFile(keyFile);
  if (key.length !== TEMPLATE_KEY_BYTES) throw new Error(`face cache key must be ${TEMPLATE_KEY_BYTES} bytes`);
  const db: SqliteDatabase = openSqlite(file, migrations);
  const select = db.prepare('SELECT refusal, quality, nonce, ciphertext, tag FROM photo_face WHERE sha256 = ? AND recipe = ?');
  const upsert = db.prepare(
    `INSERT INTO photo_face (sha256, recipe, refusal, quality, nonce, ciphertext, tag, created_at)
     VALUES (@sha256, @recipe, @refusal, @quality, @nonce, @ciphertext, @tag, @created_at)
     ON CONFLICT (sha256, recipe) DO UPDATE SET refusal = excluded.refusal, quality = excluded.quality,
       nonce = excluded.nonce, ciphertext = excluded.ciphertext, tag = excluded.tag, created_at = excluded.created_at`,
  );
  const aad = (sha256: string) => sealAad('kawei-registry-photo-v1', sha256, recipe);

  return {
    get(sha256) {
      const row = select.get(sha256, recipe) as Row | undefined;
      if (!row) return undefined;
      if (row.refusal !== null) return { ok: false, refusal: row.refusal as PhotoRefusal };
      if (!row.nonce || !row.ciphertext || !row.tag) return undefined;
      try {
        const plain = openSealed(key, { nonce: row.nonce, ciphertext: row.ciphertext, tag: row.tag }, aad(sha256));
        if (plain.length <= EMBEDDING_SIZE * 4) return undefined;
        const embedding = floatsFrom(plain, EMBEDDING_SIZE);
        return { ok: true, quality: row.quality, embedding, thumbnail: new Uint8Array(plain.subarray(EMBEDDING_SIZE * 4)) };
      } catch {
        return undefined; // another key or an altered row: recompute from the photo
      }
    },
    put(sha256, value) {
      const base = { sha256, recipe, created_at: new Date().toISOString() };
      if (!value.ok) {
        upsert.run({ ...base, refusal: value.refusal, quality: 0, nonce: null, ciphertext: null, tag: null });
        return;
      }
      if (value.embedding.length !== EMBEDDING_SIZE) throw new Error(`embedding must have ${EMBEDDING_SIZE} values`);
      const sealed = seal(key, Buffer.concat([floatBytes(value.embedding), value.thumbnail]), aad(sha256));
      upsert.run({ ...base, refusal: null, quality: value.quality, ...sealed });
    },
    close() {
      key.fill(0);
      db.close();
    },
  };
}

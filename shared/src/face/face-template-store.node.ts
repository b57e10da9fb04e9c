import { randomBytes } from 'node:crypto';
import { floatBytes, floatsFrom, openSealed, seal } from '../crypto/sealed.node.ts';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { type Migration, openSqlite, type SqliteDatabase } from '../store/sqlite.node.ts';
import type { FaceTemplate, MatchResult, QualityReport, RgbaImage } from './face-types.ts';
import type { FacePipeline } from './face-pipeline.node.ts';
import { padEdge } from './image.ts';
import { FACE_MATCH_THRESHOLD, match1to1, meanEmbedding, search1toN, TemplateIndex, UNCHECKED_QUALITY } from './matching.ts';
import { EMBEDDING_SIZE } from './models.ts';
import { assessQuality, type QualityOptions, toGray } from './quality.ts';
import { bilingual } from '../i18n/bilingual.ts';

/**
 * Face templates at rest, on the trusted side only. A template is the unit-length mean of the
 * embeddings of several quality-checked registration photos, stored in SQLite encrypted with
 * AES-256-GCM: a fresh 12-byte nonce per write, and the person id and model bound in as additional
 * authenticated data, so a row copied onto another person (or another model) fails to decrypt.
 *
 * Templates never leave this module except as embeddings inside a TemplateIndex used for matching in
 * the same process: the API answers verify (1:1) and identify (1:N) questions with a MatchResult.
 */

export const TEMPLATE_KEY_BYTES = 32;

const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'face templates, AES-256-GCM at rest',
    up: (db) => {
      db.exec(`
        CREATE TABLE face_template (
          person_id  TEXT PRIMARY KEY,
          model      TEXT NOT NULL,
          quality    REAL NOT NULL,
          photos     INTEGER NOT NULL,
          nonce      BLOB NOT NULL,
          ciphertext BLOB NOT NULL,
          tag        BLOB NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];

const PersonId = z.string().min(1).max(200);

export class FaceTemplateError extends Error {
  constructor(
    readonly code: 'KEY_FILE' | 'DECRYPT_FAILED' | 'NOT_ENROLLED' | 'ENROLMENT_REJECTED' | 'MODEL_MISMATCH',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'FaceTemplateError';
  }
}

/**
 * Reads the 32-byte key file, creating it (random, mode 0600, exclusive create) when absent. Refuses a
 * file of the wrong size or one readable by group or others.
 */
export function loadOrCreateKeyFile(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 }); // a folder made here is private too
    const key = randomBytes(TEMPLATE_KEY_BYTES);
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return loadOrCreateKeyFile(file); // another process created it first
    }
    try {
      writeSync(fd, key);
      // Durable before anything is sealed under it: a power cut must not leave sealed data and an empty key.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const dirFd = openSync(dirname(file), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    return key;
  }
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new FaceTemplateError('KEY_FILE', bilingual('face.templates.keyMode', { file, mode: mode.toString(8) }));
  }
  const key = readFileSync(file);
  if (key.length !== TEMPLATE_KEY_BYTES) {
    throw new FaceTemplateError('KEY_FILE', `template key file ${file} holds ${key.length} bytes, expected ${TEMPLATE_KEY_BYTES}`);
  }
  return key;
}

function aad(personId: string, model: string): Buffer {
  return Buffer.from(`kawei-face-template-v1\0${personId}\0${model}`, 'utf8');
}

interface Row {
  person_id: string;
  model: string;
  quality: number;
  photos: number;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
  updated_at: string;
}

export interface EnrolOptions {
  /** Edge padding (fraction of the longer side) for tight crops such as ID or passport photos; default 0. */
  pad?: number;
  /** Passed to assessQuality; registration photos must pass it. */
  quality?: QualityOptions;
  /** Fewest photos that must pass (default 1; several are averaged). */
  minPhotos?: number;
}

export interface PhotoVerdict {
  readonly index: number;
  readonly accepted: boolean;
  readonly quality: QualityReport;
}

export interface EnrolResult {
  readonly personId: string;
  readonly photosUsed: number;
  readonly quality: number;
  readonly photos: readonly PhotoVerdict[];
}

export interface FaceTemplateStoreOptions {
  /** SQLite file (`:memory:` for tests). */
  file: string;
  /** Exactly one of: the 32-byte key, or a key file created on first use (0600). */
  key?: Uint8Array;
  keyFile?: string;
  /** Model id templates are made with (FacePipeline.model); rows of another model are refused. */
  model: string;
}

export interface FaceTemplateStore {
  /** Embeds and quality-checks the photos and stores the averaged template (replacing an older one). */
  enrol(personId: string, photos: readonly RgbaImage[], pipeline: FacePipeline, options?: EnrolOptions): Promise<EnrolResult>;
  /** Stores an already averaged, unit-length embedding (for imports from another trusted store). */
  put(personId: string, embedding: Float32Array, quality: number, photos: number): void;
  has(personId: string): boolean;
  remove(personId: string): boolean;
  personIds(): string[];
  /** 1:1: is `probe` the enrolled person `personId`? Throws NOT_ENROLLED for an unknown id. */
  verify(personId: string, probe: Float32Array, quality?: QualityReport, threshold?: number): MatchResult;
  /** 1:N among `personIds` (e.g. the experts expected at the site today; default everyone). */
  identify(probe: Float32Array, personIds?: readonly string[], quality?: QualityReport, threshold?: number): MatchResult;
  /** The decrypted templates packed for repeated 1:N searches in this process. */
  gallery(personIds?: readonly string[]): TemplateIndex;
  close(): void;
}

export function openFaceTemplateStore(options: FaceTemplateStoreOptions): FaceTemplateStore {
  if ((options.key === undefined) === (options.keyFile === undefined)) {
    throw new FaceTemplateError('KEY_FILE', 'pass exactly one of key or keyFile');
  }
  const key = options.key !== undefined ? Buffer.from(options.key) : loadOrCreateKeyFile(options.keyFile as string);
  if (key.length !== TEMPLATE_KEY_BYTES) throw new FaceTemplateError('KEY_FILE', `template key must be ${TEMPLATE_KEY_BYTES} bytes, got ${key.length}`);
  const db: SqliteDatabase = openSqlite(options.file, migrations);
  const model = options.model;

  const upsert = db.prepare(
    `INSERT INTO face_template (person_id, model, quality, photos, nonce, ciphertext, tag, updated_at)
     VALUES (@person_id, @model, @quality, @photos, @nonce, @ciphertext, @tag, @updated_at)
     ON CONFLICT (person_id) DO UPDATE SET model = excluded.model, quality = excluded.quality, photos = excluded.photos,
       nonce = excluded.nonce, ciphertext = excluded.ciphertext, tag = excluded.tag, updated_at = excluded.updated_at`,
  );
  const selectOne = db.prepare('SELECT * FROM face_template WHERE person_id = ?');
  const selectAll = db.prepare('SELECT * FROM face_template ORDER BY person_id');
  const deleteOne = db.prepare('DELETE FROM face_template WHERE person_id = ?');
  const selectIds = db.prepare('SELECT person_id FROM face_template ORDER BY person_id');

  function put(personId: string, embedding: Float32Array, quality: number, photos: number): void {
    PersonId.parse(personId);
    if (embedding.length !== EMBEDDING_SIZE) throw new Error(`embedding must have ${EMBEDDING_SIZE} values`);
    const sealed = seal(key, floatBytes(embedding), aad(personId, model));
    upsert.run({ person_id: personId, model, quality, photos, ...sealed, updated_at: new Date().toISOString() });
  }

  function decrypt(row: Row): FaceTemplate {
    if (row.model !== model) {
      throw new FaceTemplateError('MODEL_MISMATCH', `template of ${row.person_id} was made by ${row.model}, this store matches ${model}: re-enrol`);
    }
    try {
      const plain = openSealed(key, row, aad(row.person_id, row.model));
      if (plain.length !== EMBEDDING_SIZE * 4) throw new Error(`plaintext is ${plain.length} bytes`);
      const embedding = floatsFrom(plain, EMBEDDING_SIZE);
      return { personId: row.person_id, embedding, quality: row.quality, model: row.model };
    } catch (cause) {
      throw new FaceTemplateError(
        'DECRYPT_FAILED',
        bilingual('face.templates.undecryptable', { person: row.person_id }),
        { cause },
      );
    }
  }

  function load(personId: string): FaceTemplate {
    const row = selectOne.get(personId) as Row | undefined;
    if (!row) throw new FaceTemplateError('NOT_ENROLLED', bilingual('face.templates.notEnrolled', { person: personId }));
    return decrypt(row);
  }

  function gallery(personIds?: readonly string[]): TemplateIndex {
    const rows = personIds === undefined ? (selectAll.all() as Row[]) : personIds.flatMap((id) => (selectOne.get(id) as Row | undefined) ?? []);
    return new TemplateIndex(rows.map(decrypt));
  }

  return {
    async enrol(personId, photos, pipeline, enrolOptions = {}) {
      PersonId.parse(personId);
      if (pipeline.model !== model) throw new FaceTemplateError('MODEL_MISMATCH', `pipeline model ${pipeline.model} ≠ store model ${model}`);
      const pad = enrolOptions.pad ?? 0;
      const verdicts: PhotoVerdict[] = [];
      const embeddings: Float32Array[] = [];
      const scores: number[] = [];
      for (const [index, raw] of photos.entries()) {
        const image = pad > 0 ? padEdge(raw, Math.round(pad * Math.max(raw.width, raw.height))) : raw;
        const frame = await pipeline.observe(image, { still: true });
        const quality = assessQuality(frame, toGray(image), enrolOptions.quality);
        const face = frame.faces[0];
        const accepted = quality.ok && frame.faces.length === 1 && face !== undefined;
        verdicts.push({ index, accepted, quality });
        if (accepted) {
          embeddings.push(...pipeline.embed(image, [face]));
          scores.push(quality.score);
        }
      }
      const minPhotos = enrolOptions.minPhotos ?? 1;
      if (embeddings.length < minPhotos) {
        const reasons = verdicts.filter((v) => !v.accepted).map((v) => `#${v.index}: ${v.quality.reason ?? 'rejected'}`);
        throw new FaceTemplateError(
          'ENROLMENT_REJECTED',
          bilingual('face.templates.rejected', { usable: embeddings.length, photos: photos.length, needed: minPhotos, reasons: reasons.join(', ') }),
        );
      }
      const quality = scores.reduce((a, b) => a + b, 0) / scores.length;
      put(personId, meanEmbedding(embeddings), quality, embeddings.length);
      return { personId, photosUsed: embeddings.length, quality, photos: verdicts };
    },
    put,
    has: (personId) => selectOne.get(personId) !== undefined,
    remove: (personId) => deleteOne.run(personId).changes > 0,
    personIds: () => (selectIds.all() as { person_id: string }[]).map((r) => r.person_id),
    verify(personId, probe, quality = UNCHECKED_QUALITY, threshold = FACE_MATCH_THRESHOLD) {
      return match1to1(probe, load(personId), threshold, quality);
    },
    identify(probe, personIds, quality = UNCHECKED_QUALITY, threshold = FACE_MATCH_THRESHOLD) {
      return search1toN(probe, gallery(personIds), threshold, quality);
    },
    gallery,
    close() {
      key.fill(0);
      db.close();
    },
  };
}

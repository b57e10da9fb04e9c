/**
 * The booth's copy of its day, from the device inbox into the booth's tables of its one database
 * (booth-database.node.ts), so a restart
 * or a central that is away all day changes nothing in the booth:
 *
 * - `roster.booth`: who sits here today (expert id, code name, project, blind flag, room and label);
 * - `faces.booth`: that expert's face template (for the 1:1 login and the re-checks);
 * - `project.booth`: the project's material (criteria, bidders WITH their real names, files by hash).
 *
 * Rules:
 * - every message is checked against its zod schema; a malformed one is logged, remembered as
 *   skipped and never stops the booth; the services apply each message inside the transaction that
 *   stores it in the inbox (DeviceStore.setMessageApplier), and ids already applied are remembered,
 *   so a message is applied once;
 * - a template made by another embedding model than the running pipeline's is refused (`onRefused`):
 *   comparing across models is meaningless;
 * - templates rest encrypted (AES-256-GCM, fresh 12-byte nonce per row, date + expert + model bound
 *   as additional data) under a 32-byte key in a 0600 key file beside the database;
 * - only today (Asia/Shanghai) is ever served, and older days are purged at start.
 *
 * What leaves this module: the seat and code name for the session; the expert id for events to the
 * central (never for the screen); the project material for the trusted-side files and scoring
 * services (the bidders' names never go to the renderer: see shared/src/contract/booth-session.ts).
 */
import { floatBytes, floatsFrom, openSealed, seal, sealAad, type Sealed } from '@kawei/shared/crypto/sealed.node.ts';
import { join } from 'node:path';
import {
  boothRosterPayloadSchema,
  FACES_BOOTH_MESSAGE,
  facesBoothPayloadSchema,
  PROJECT_BOOTH_MESSAGE,
  projectBoothPayloadSchema,
  ROSTER_BOOTH_MESSAGE,
  type BoothRosterPayload,
  type ProjectBoothPayload,
} from '@kawei/shared/api/booth-roster.ts';
import { decodeEmbedding } from '@kawei/shared/api/gate-roster.ts';
import { describeZodError } from '@kawei/shared/errors.ts';
import { loadOrCreateKeyFile } from '@kawei/shared/face/face-template-store.node.ts';
import { EMBEDDING_SIZE } from '@kawei/shared/face/models.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { openBoothDatabase } from '../booth-database.node.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

export const BOOTH_FACES_KEY_FILE = 'booth-faces.key';

export type BoothIngestOutcome = 'applied' | 'duplicate' | 'not_for_booth' | 'malformed' | 'model_mismatch';

export interface BoothInboxMessage {
  id: string;
  type: string;
  payload: unknown;
}

export interface RefusedTemplate {
  messageId: string;
  date: string;
  model: string;
  expectedModel: string;
}

export interface BoothRosterOptions {
  /** The booth's data folder: its database and the faces key file (`booth-faces.key`, 0600). */
  dataDir: string;
  /** The booth's database, already open (shared by the services); opened from `dataDir` otherwise. */
  database?: SqliteDatabase;
  /** The running pipeline's embedding model (FacePipeline.model). */
  model: string;
  onRefused?: (refused: RefusedTemplate) => void;
  log?: (message: string) => void;
  now?: () => number;
}

/** Today's seat in this booth. `expert` is for the trusted side and events only, never the screen. */
export interface BoothSeat {
  date: string;
  expert: string;
  codename: string;
  project: string;
  blind: boolean;
  /** Room id and booth label the central seated the expert at. */
  room: string;
  label: string;
}

export type ProjectMaterial = ProjectBoothPayload;


interface FaceRow {
  date: string;
  expert: string;
  model: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export class BoothRoster {
  private readonly log: (message: string) => void;
  private readonly now: () => number;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly ownsDatabase: boolean,
    private readonly key: Buffer,
    private readonly options: BoothRosterOptions,
  ) {
    this.log = options.log ?? ((m) => console.warn(`[booth roster] ${m}`));
    this.now = options.now ?? Date.now;
  }

  static open(options: BoothRosterOptions): BoothRoster {
    const key = loadOrCreateKeyFile(join(options.dataDir, BOOTH_FACES_KEY_FILE));
    const db = options.database ?? openBoothDatabase(options.dataDir).db;
    return new BoothRoster(db, options.database === undefined, key, options);
  }

  get model(): string {
    return this.options.model;
  }

  /** Applies one downstream message of any type (others are ignored). Never throws on bad content. */
  ingest(message: BoothInboxMessage): BoothIngestOutcome {
    const handlers: Record<string, (m: BoothInboxMessage) => BoothIngestOutcome> = {
      [ROSTER_BOOTH_MESSAGE]: (m) => this.ingestSeat(m),
      [FACES_BOOTH_MESSAGE]: (m) => this.ingestFace(m),
      [PROJECT_BOOTH_MESSAGE]: (m) => this.ingestProject(m),
    };
    const handler = handlers[message.type];
    if (handler === undefined) return 'not_for_booth';
    if (this.db.prepare('SELECT 1 FROM applied_message WHERE id = ?').get(message.id) !== undefined) return 'duplicate';
    let outcome: BoothIngestOutcome;
    try {
      outcome = handler(message);
    } catch (error) {
      this.log(`${message.type} ${message.id} skipped: ${(error as Error).message}`);
      outcome = 'malformed';
    }
    this.db
      .prepare('INSERT OR IGNORE INTO applied_message (id, type, outcome, applied_at) VALUES (?, ?, ?, ?)')
      .run(message.id, message.type, outcome, this.now());
    return outcome;
  }

  private ingestSeat(message: BoothInboxMessage): BoothIngestOutcome {
    const parsed = boothRosterPayloadSchema.safeParse(message.payload);
    if (!parsed.success) {
      this.log(`${ROSTER_BOOTH_MESSAGE} ${message.id} malformed, skipped: ${describeZodError(parsed.error)}`);
      return 'malformed';
    }
    this.db
      .prepare(
        `INSERT INTO seat (date, payload_json, message_id, received_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (date) DO UPDATE SET payload_json = excluded.payload_json, message_id = excluded.message_id,
           received_at = excluded.received_at`,
      )
      .run(parsed.data.date, JSON.stringify(parsed.data), message.id, this.now());
    return 'applied';
  }

  private ingestFace(message: BoothInboxMessage): BoothIngestOutcome {
    const parsed = facesBoothPayloadSchema.safeParse(message.payload);
    if (!parsed.success) {
      this.log(`${FACES_BOOTH_MESSAGE} ${message.id} malformed, skipped: ${describeZodError(parsed.error)}`);
      return 'malformed';
    }
    const f = parsed.data;
    if (f.model !== this.options.model) {
      this.log(`${FACES_BOOTH_MESSAGE} ${message.id} for ${f.date} was made by ${f.model}; this booth runs ${this.options.model}: refused`);
      this.options.onRefused?.({ messageId: message.id, date: f.date, model: f.model, expectedModel: this.options.model });
      return 'model_mismatch';
    }
    const embedding = decodeEmbedding(f.embedding);
    if (embedding.length !== EMBEDDING_SIZE) throw new Error(`the template has ${embedding.length} values, expected ${EMBEDDING_SIZE}`);
    if (!embedding.every(Number.isFinite)) throw new Error('the template holds values that are not finite numbers');
    const sealed = this.seal(f.date, f.expert, f.model, embedding);
    this.db
      .prepare(
        `INSERT OR REPLACE INTO face (date, expert, model, nonce, ciphertext, tag, message_id, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(f.date, f.expert, f.model, sealed.nonce, sealed.ciphertext, sealed.tag, message.id, this.now());
    return 'applied';
  }

  private ingestProject(message: BoothInboxMessage): BoothIngestOutcome {
    const parsed = projectBoothPayloadSchema.safeParse(message.payload);
    if (!parsed.success) {
      this.log(`${PROJECT_BOOTH_MESSAGE} ${message.id} malformed, skipped: ${describeZodError(parsed.error)}`);
      return 'malformed';
    }
    const p = parsed.data;
    const codes = p.bidders.map((b) => b.code);
    if (new Set(codes).size !== codes.length) throw new Error(`bidder codes repeat: ${codes.join(', ')}`);
    const unknown = p.files.filter((f) => !codes.includes(f.bidder));
    if (unknown.length > 0) throw new Error(`files name bidders not in the project: ${unknown.map((f) => f.bidder).join(', ')}`);
    this.db
      .prepare(
        `INSERT INTO project (date, project, payload_json, message_id, received_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (date, project) DO UPDATE SET payload_json = excluded.payload_json, message_id = excluded.message_id,
           received_at = excluded.received_at`,
      )
      .run(p.date, p.project, JSON.stringify(p), message.id, this.now());
    return 'applied';
  }

  /** The seat for `date` (today's, in Asia/Shanghai: see booth-day.ts), or null when nobody is seated here. */
  seat(date: string): BoothSeat | null {
    const row = this.db.prepare('SELECT payload_json FROM seat WHERE date = ?').get(date) as { payload_json: string } | undefined;
    if (!row) return null;
    const r: BoothRosterPayload = boothRosterPayloadSchema.parse(JSON.parse(row.payload_json));
    return { date: r.date, expert: r.expert, codename: r.codename, project: r.project, blind: r.blind === 1, room: r.room, label: r.label };
  }

  /** The seated expert's template for `date` (decrypted, for 1:1 in this process), or null. */
  template(date: string, expert: string): Float32Array | null {
    const row = this.db.prepare('SELECT * FROM face WHERE date = ? AND expert = ?').get(date, expert) as FaceRow | undefined;
    if (!row) return null;
    if (row.model !== this.options.model) return null;
    return this.open(row);
  }

  /** The project's material for `date`: criteria, bidders (real names: trusted side only), files by hash. */
  project(date: string, project: string): ProjectMaterial | null {
    const row = this.db.prepare('SELECT payload_json FROM project WHERE date = ? AND project = ?').get(date, project) as
      | { payload_json: string }
      | undefined;
    return row ? projectBoothPayloadSchema.parse(JSON.parse(row.payload_json)) : null;
  }

  /** Drops every day before `date` (templates are kept no longer than the day needs them). */
  purgeBefore(date: string): void {
    this.db
      .transaction(() => {
        for (const table of ['seat', 'face', 'project']) this.db.prepare(`DELETE FROM ${table} WHERE date < ?`).run(date);
      })
      .immediate();
  }

  close(): void {
    this.key.fill(0);
    if (this.ownsDatabase) this.db.close();
  }

  private aad(date: string, expert: string, model: string): Buffer {
    return sealAad('kawei-booth-face-v1', date, expert, model);
  }

  private seal(date: string, expert: string, model: string, embedding: Float32Array): Sealed {
    return seal(this.key, floatBytes(embedding), this.aad(date, expert, model));
  }

  private open(row: FaceRow): Float32Array {
    let plain: Buffer;
    try {
      plain = openSealed(this.key, row, this.aad(row.date, row.expert, row.model));
    } catch (cause) {
      throw new Error(bilingual('booth.roster.undecryptable', { expert: row.expert, date: row.date }), { cause });
    }
    if (plain.length !== EMBEDDING_SIZE * 4) throw new Error(`the stored template has ${plain.length} bytes`);
    return floatsFrom(plain, EMBEDDING_SIZE);
  }
}

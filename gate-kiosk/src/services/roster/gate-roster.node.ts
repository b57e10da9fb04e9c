/**
 * The gate's copy of the day: the site's roster (`roster.gate`) and the day's face set
 * (`faces.gate`, in parts), taken from the device inbox and kept in the gate's one database
 * (gate-database.node.ts), so a restart, or a central that is away all morning, changes nothing at the turnstile.
 *
 * - Each downstream message is validated with its zod schema. A malformed one is logged and skipped
 *   (remembered as skipped, so it is not retried at every start); it never stops the kiosk.
 * - A faces set is used only when every part of its date is present (`parts` of the latest
 *   message for the date decides how many). A part made by another embedding model than the running
 *   pipeline's is refused and reported (`onRefused`): comparing embeddings of different models is
 *   meaningless and would turn every expert into an unknown face, or worse.
 * - Templates and enrolled photos rest encrypted (AES-256-GCM, fresh nonce per row, date, expert and
 *   model bound as additional data) with a 32-byte key in a 0600 key file beside the database, as in
 *   shared/src/face/face-template-store.node.ts. Masked names, seats and ID hashes stay in clear: the
 *   monitor and the counts need them and they identify nobody on their own.
 * - The services apply each message inside the transaction that stores it in the inbox
 *   (DeviceStore.setMessageApplier); ids already applied are remembered, so a message applies once.
 */
import { floatBytes, floatsFrom, openSealed, seal, sealAad, type Sealed } from '@kawei/shared/crypto/sealed.node.ts';
import { join } from 'node:path';
import { z } from 'zod';
import {
  decodeEmbedding,
  FACES_GATE_MESSAGE,
  facesGatePayloadSchema,
  gateRosterEntrySchema,
  gateRosterPayloadSchema,
  ROSTER_GATE_MESSAGE,
  todaySeatSchema,
  type FacesGatePayload,
  type GateRosterPayload,
} from '@kawei/shared/api/gate-roster.ts';
import { describeZodError } from '@kawei/shared/errors.ts';
import { loadOrCreateKeyFile } from '@kawei/shared/face/face-template-store.node.ts';
import { TemplateIndex } from '@kawei/shared/face/matching.ts';
import { EMBEDDING_SIZE } from '@kawei/shared/face/models.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import type { PoolPerson, TodayRoster } from '../check/gate-decision.ts';
import { openGateDatabase } from '../gate-database.node.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

export const GATE_FACES_KEY_FILE = 'gate-faces.key';


export type IngestOutcome = 'applied' | 'duplicate' | 'not_for_gate' | 'malformed' | 'model_mismatch' | 'other_site';

export interface RosterMessage {
  id: string;
  type: string;
  payload: unknown;
}

export interface RefusedFaces {
  messageId: string;
  date: string;
  part: number;
  model: string;
  expectedModel: string;
}

export interface GateRosterOptions {
  /** The gate's data folder: its database and the faces key file (`gate-faces.key`, 0600). */
  dataDir: string;
  /** The gate's database, already open (shared by the services); opened from `dataDir` otherwise. */
  database?: SqliteDatabase;
  /** The running pipeline's embedding model (FacePipeline.model). */
  model: string;
  /** The gate's site, when known: messages for another site are refused. */
  siteId?: () => string | null;
  onRefused?: (refused: RefusedFaces) => void;
  log?: (message: string) => void;
  now?: () => number;
}

/** A member of the day's pool with what the monitor may show. */
export interface GatePoolPerson extends PoolPerson {
  maskedName: string;
}

/** The day's complete face set, decrypted once and kept in memory for 1:N and 1:1. */
export interface FaceSet {
  date: string;
  model: string;
  index: TemplateIndex;
  people: ReadonlyMap<string, GatePoolPerson>;
  /** SHA-256 hex of `${date}:${idNumber}` → expert. */
  byIdNumberHash: ReadonlyMap<string, string>;
  template(expert: string): Float32Array | undefined;
}

const seatColumn = todaySeatSchema.nullable();

interface PersonRow {
  date: string;
  part: number;
  expert: string;
  masked_name: string;
  id_number_hash: string | null;
  seat_json: string | null;
  has_photo: number;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export class GateRoster {
  private readonly faceSets = new Map<string, FaceSet | null>();
  private readonly log: (message: string) => void;
  private readonly now: () => number;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly ownsDatabase: boolean,
    private readonly key: Buffer,
    private readonly options: GateRosterOptions,
  ) {
    this.log = options.log ?? ((m) => console.warn(`[gate roster] ${m}`));
    this.now = options.now ?? Date.now;
  }

  static open(options: GateRosterOptions): GateRoster {
    const key = loadOrCreateKeyFile(join(options.dataDir, GATE_FACES_KEY_FILE));
    const db = options.database ?? openGateDatabase(options.dataDir).db;
    return new GateRoster(db, options.database === undefined, key, options);
  }

  get model(): string {
    return this.options.model;
  }

  /** Applies one downstream message (any type; those not for the gate are ignored). Never throws on bad content. */
  ingest(message: RosterMessage): IngestOutcome {
    if (message.type !== ROSTER_GATE_MESSAGE && message.type !== FACES_GATE_MESSAGE) return 'not_for_gate';
    if (this.db.prepare('SELECT 1 FROM applied_message WHERE id = ?').get(message.id) !== undefined) return 'duplicate';
    let outcome: IngestOutcome;
    try {
      outcome = message.type === ROSTER_GATE_MESSAGE ? this.ingestRoster(message) : this.ingestFaces(message);
    } catch (error) {
      // A message that passed its schema but could not be applied (an embedding of the wrong size…).
      this.log(`message ${message.id} (${message.type}) skipped: ${(error as Error).message}`);
      outcome = 'malformed';
    }
    this.db
      .prepare('INSERT OR IGNORE INTO applied_message (id, type, outcome, applied_at) VALUES (?, ?, ?, ?)')
      .run(message.id, message.type, outcome, this.now());
    return outcome;
  }

  private siteMismatch(site: string, message: RosterMessage): boolean {
    const own = this.options.siteId?.() ?? null;
    if (own !== null && own !== site) {
      this.log(`message ${message.id} (${message.type}) is for site ${site}, this gate stands at ${own}: ignored`);
      return true;
    }
    return false;
  }

  private ingestRoster(message: RosterMessage): IngestOutcome {
    const parsed = gateRosterPayloadSchema.safeParse(message.payload);
    if (!parsed.success) {
      this.log(`roster.gate ${message.id} malformed, skipped: ${describeZodError(parsed.error)}`);
      return 'malformed';
    }
    const r: GateRosterPayload = parsed.data;
    if (this.siteMismatch(r.site, message)) return 'other_site';
    this.db
      .prepare(
        `INSERT INTO roster (date, site, seed, entries_json, message_id, received_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (date) DO UPDATE SET site = excluded.site, seed = excluded.seed, entries_json = excluded.entries_json,
           message_id = excluded.message_id, received_at = excluded.received_at`,
      )
      .run(r.date, r.site, r.seed, JSON.stringify(r.entries), message.id, this.now());
    return 'applied';
  }

  private ingestFaces(message: RosterMessage): IngestOutcome {
    const parsed = facesGatePayloadSchema.safeParse(message.payload);
    if (!parsed.success) {
      this.log(`faces.gate ${message.id} malformed, skipped: ${describeZodError(parsed.error)}`);
      return 'malformed';
    }
    const f: FacesGatePayload = parsed.data;
    if (f.part > f.parts) {
      this.log(`faces.gate ${message.id}: part ${f.part} of ${f.parts}, skipped`);
      return 'malformed';
    }
    if (this.siteMismatch(f.site, message)) return 'other_site';
    if (f.model !== this.options.model) {
      this.log(`faces.gate ${message.id} for ${f.date} was made by model ${f.model}, this gate runs ${this.options.model}: refused`);
      this.options.onRefused?.({ messageId: message.id, date: f.date, part: f.part, model: f.model, expectedModel: this.options.model });
      return 'model_mismatch';
    }
    // Decode everything before touching the database: a bad person leaves the stored set as it was.
    const rows = f.people.map((p) => {
      const embedding = decodeEmbedding(p.embedding);
      if (embedding.length !== EMBEDDING_SIZE) throw new Error(`embedding of ${p.expert} has ${embedding.length} values, expected ${EMBEDDING_SIZE}`);
      const photo = p.photo === null ? Buffer.alloc(0) : Buffer.from(p.photo, 'base64');
      return { person: p, sealed: this.seal(f.date, p.expert, f.model, embedding, photo) };
    });
    this.db
      .transaction(() => {
        // A republished set replaces the old one part by part; a set republished in fewer parts drops the rest.
        this.db.prepare('DELETE FROM face_person WHERE date = ? AND (part = ? OR part > ?)').run(f.date, f.part, f.parts);
        this.db.prepare('DELETE FROM faces_part WHERE date = ? AND (part = ? OR part > ?)').run(f.date, f.part, f.parts);
        this.db
          .prepare('INSERT INTO faces_part (date, part, parts, site, model, message_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(f.date, f.part, f.parts, f.site, f.model, message.id, this.now());
        const insert = this.db.prepare(
          `INSERT OR REPLACE INTO face_person (date, part, expert, masked_name, id_number_hash, seat_json, has_photo, nonce, ciphertext, tag)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const { person: p, sealed } of rows) {
          insert.run(
            f.date,
            f.part,
            p.expert,
            p.maskedName,
            p.idNumberHash ?? null,
            p.seat === null ? null : JSON.stringify(p.seat),
            p.photo === null ? 0 : 1,
            sealed.nonce,
            sealed.ciphertext,
            sealed.tag,
          );
        }
      })
      .immediate();
    this.faceSets.delete(f.date);
    return 'applied';
  }

  /** The roster for `date`, or null. */
  roster(date: string): TodayRoster | null {
    const row = this.db.prepare('SELECT date, site, entries_json FROM roster WHERE date = ?').get(date) as
      | { date: string; site: string; entries_json: string }
      | undefined;
    if (!row) return null;
    const entries = z.array(gateRosterEntrySchema).parse(JSON.parse(row.entries_json));
    return { date: row.date, site: row.site, entries };
  }

  /** Parts present / expected for `date` (expected 0 when none arrived). */
  faceParts(date: string): { present: number; expected: number } {
    const rows = this.db.prepare('SELECT parts FROM faces_part WHERE date = ?').all(date) as { parts: number }[];
    const expected = rows.reduce((m, r) => Math.max(m, r.parts), 0);
    return { present: rows.length, expected };
  }

  /** The complete face set for `date`, or null while parts are missing (or none arrived). */
  faceSet(date: string): FaceSet | null {
    if (this.faceSets.has(date)) return this.faceSets.get(date) ?? null;
    const { present, expected } = this.faceParts(date);
    const partsRows = this.db.prepare('SELECT DISTINCT parts FROM faces_part WHERE date = ?').all(date) as { parts: number }[];
    if (expected === 0 || present !== expected || partsRows.length !== 1) {
      return null; // not cached: the next part may complete it
    }
    const rows = this.db.prepare('SELECT * FROM face_person WHERE date = ? ORDER BY part, expert').all(date) as PersonRow[];
    const people = new Map<string, GatePoolPerson>();
    const byIdNumberHash = new Map<string, string>();
    const templates = new Map<string, Float32Array>();
    for (const row of rows) {
      const { embedding } = this.open(row);
      const seat = row.seat_json === null ? null : seatColumn.parse(JSON.parse(row.seat_json));
      people.set(row.expert, { expert: row.expert, seat, idNumberHash: row.id_number_hash ?? undefined, maskedName: row.masked_name });
      if (row.id_number_hash) byIdNumberHash.set(row.id_number_hash, row.expert);
      templates.set(row.expert, embedding);
    }
    const model = this.options.model;
    const set: FaceSet = {
      date,
      model,
      index: new TemplateIndex([...templates].map(([personId, e]) => ({ personId, embedding: e, quality: 1, model }))),
      people,
      byIdNumberHash,
      template: (expert) => templates.get(expert),
    };
    this.faceSets.set(date, set);
    return set;
  }

  /** The enrolled photo of `expert` for the staff monitor (base64 JPEG), or null. */
  photo(date: string, expert: string): string | null {
    const row = this.db.prepare('SELECT * FROM face_person WHERE date = ? AND expert = ? ORDER BY part LIMIT 1').get(date, expert) as
      | PersonRow
      | undefined;
    if (!row || row.has_photo === 0) return null;
    const { photo } = this.open(row);
    return photo.length > 0 ? photo.toString('base64') : null;
  }

  /** Removes rosters and face sets of days before `date` (templates are kept no longer than needed). */
  purgeBefore(date: string): void {
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM roster WHERE date < ?').run(date);
        this.db.prepare('DELETE FROM faces_part WHERE date < ?').run(date);
        this.db.prepare('DELETE FROM face_person WHERE date < ?').run(date);
      })
      .immediate();
    for (const d of [...this.faceSets.keys()]) if (d < date) this.faceSets.delete(d);
  }

  close(): void {
    this.key.fill(0);
    if (this.ownsDatabase) this.db.close();
  }

  private aad(date: string, expert: string, model: string): Buffer {
    return sealAad('kawei-gate-face-v1', date, expert, model);
  }

  private seal(date: string, expert: string, model: string, embedding: Float32Array, photo: Buffer): Sealed {
    return seal(this.key, Buffer.concat([floatBytes(embedding), photo]), this.aad(date, expert, model));
  }

  private open(row: PersonRow): { embedding: Float32Array; photo: Buffer } {
    let plain: Buffer;
    try {
      plain = openSealed(this.key, row, this.aad(row.date, row.expert, this.options.model));
    } catch (cause) {
      throw new Error(bilingual('gate.roster.undecryptable', { expert: row.expert, date: row.date }), { cause });
    }
    const embedding = floatsFrom(plain, EMBEDDING_SIZE);
    return { embedding, photo: plain.subarray(EMBEDDING_SIZE * 4) };
  }
}

import { basename, dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { canonicalJson, type JsonValue } from '../sync/canonical-json.ts';
import { SYNC_EVENT_VERSION, type SyncEvent } from '../sync/sync-event.ts';
import { z } from 'zod';
import type { Migration, SqliteDatabase } from '../store/sqlite.node.ts';
import { openDeviceDatabase, type SchemaPart } from '../store/device-database.node.ts';
import { deviceKindSchema, idSchema, positionSchema, type DeviceKind, type Position } from '../domain/topology.ts';

/**
 * The device part of a booth's or a gate's one SQLite database (shared/src/store/device-database.node.ts):
 * the device's identity (its own key pair, the central it enrolled with, the central's public key
 * pinned at enrolment, its last known position) and the sync state: the append-only event log, what
 * the central has acknowledged of it, and the inbox of downstream messages with the pull cursor.
 * The app's own tables live in the same file, so an app can commit its state and the event that
 * reports it in one `transaction`, and apply a downstream message in the transaction that stores it.
 *
 * The private key rests in this file, readable only by the app's user: the file and its -wal/-shm
 * are created 0600 before SQLite opens them, in a 0700 folder. On the Electron build the file lives
 * in the app's userData directory.
 */

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'device identity',
    up: (db) => {
      db.exec(`
        CREATE TABLE identity (
          singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
          device_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          public_key TEXT NOT NULL,
          private_key_pkcs8 BLOB NOT NULL,
          central_url TEXT NOT NULL,
          central_id TEXT NOT NULL,
          central_public_key TEXT NOT NULL,
          position_json TEXT NOT NULL,
          enrolled_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    description: 'sync: append-only event log, acknowledgement and pull cursor, inbox',
    up: (db) => {
      db.exec(`
        CREATE TABLE event_log (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          type TEXT NOT NULL,
          payload_json TEXT NOT NULL,
          device_time INTEGER NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL,
          signature TEXT NOT NULL
        ) STRICT;
        -- The log is append-only: the chain would reveal an edit, the triggers refuse one outright.
        CREATE TRIGGER event_log_no_update BEFORE UPDATE ON event_log
          BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END;
        CREATE TRIGGER event_log_no_delete BEFORE DELETE ON event_log
          BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END;

        CREATE TABLE sync_state (
          singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
          acked_seq INTEGER NOT NULL,
          acked_hash TEXT NOT NULL,
          pull_cursor INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE inbox (
          cursor INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          type TEXT NOT NULL,
          payload_json TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          received_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 3,
    description: "the central's TLS key (SHA-256 of its SPKI), pinned at enrolment",
    up: (db) => {
      // NULL on a device enrolled over plain HTTP before TLS: it must be enrolled again.
      db.exec('ALTER TABLE identity ADD COLUMN central_tls_spki_sha256 TEXT');
    },
  },
  {
    version: 4,
    description: 'inbox: when each message was applied to the app (in the transaction that stored it)',
    up: (db) => {
      // Rows of older versions stay NULL: the app applies them once at its next start (it remembers
      // the ids it applied before, so none is applied twice).
      db.exec('ALTER TABLE inbox ADD COLUMN applied_at INTEGER');
    },
  },
];

/** The device part of every device database (identity, event log, inbox). */
export const DEVICE_SCHEMA: SchemaPart = { name: 'device', migrations: MIGRATIONS };

/** Applies one downstream message to the app's own tables; throws only when the database fails. */
export type MessageApplier = (message: InboxMessage) => void;

export interface DeviceIdentity {
  deviceId: string;
  kind: DeviceKind;
  publicKey: string;
  privateKeyPkcs8: Buffer;
  centralUrl: string;
  centralId: string;
  centralPublicKey: string;
  /**
   * The central's TLS key (SHA-256 hex of its SPKI), pinned at enrolment; null (or absent, for
   * callers that make identities without a central, e.g. tests) on a device enrolled before TLS.
   */
  centralTlsSpkiSha256?: string | null;
  position: Position;
  enrolledAt: number;
}

const identityRowSchema = z.object({
  device_id: idSchema,
  kind: deviceKindSchema,
  public_key: z.string(),
  private_key_pkcs8: z.instanceof(Buffer),
  central_url: z.string(),
  central_id: z.string(),
  central_public_key: z.string(),
  central_tls_spki_sha256: z.string().nullable(),
  position_json: z.string(),
  enrolled_at: z.number(),
});

export class DeviceStore {
  private applier: MessageApplier | null = null;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly ownsDatabase: boolean,
  ) {}

  /** Opens a device database for its device part alone (tests, tools, the chaos harness). */
  static open(file: string): DeviceStore {
    const { db } = openDeviceDatabase({ dataDir: dirname(file), fileName: basename(file), parts: [DEVICE_SCHEMA] });
    return new DeviceStore(db, true);
  }

  /** The device part of an app's database, already opened and migrated with DEVICE_SCHEMA; the app closes it. */
  static on(db: SqliteDatabase): DeviceStore {
    return new DeviceStore(db, false);
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction of the device database: the app's writes and the events
   * `EventLog.append` makes inside it commit together or not at all (a nested append is a savepoint).
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Sets the app's message applier: every message stored from now on is applied inside the
   * transaction that stores it and advances the cursor, and messages stored while there was none (an
   * older version, a tool) are applied now, in cursor order, each in its own transaction.
   */
  setMessageApplier(apply: MessageApplier): void {
    this.applier = apply;
    const pending = this.db.prepare('SELECT * FROM inbox WHERE applied_at IS NULL ORDER BY cursor').all() as InboxRow[];
    for (const row of pending) {
      this.transaction(() => {
        apply(rowToMessage(row));
        this.markApplied.run(Date.now(), row.cursor);
      });
    }
  }

  /** The identity, or null on a device that was never enrolled. A corrupt row is an error, not null. */
  identity(): DeviceIdentity | null {
    const row = this.db.prepare('SELECT * FROM identity WHERE singleton = 1').get();
    if (row === undefined) return null;
    const r = identityRowSchema.parse(row);
    return {
      deviceId: r.device_id,
      kind: r.kind,
      publicKey: r.public_key,
      privateKeyPkcs8: r.private_key_pkcs8,
      centralUrl: r.central_url,
      centralId: r.central_id,
      centralPublicKey: r.central_public_key,
      centralTlsSpkiSha256: r.central_tls_spki_sha256,
      position: positionSchema.parse(JSON.parse(r.position_json)),
      enrolledAt: r.enrolled_at,
    };
  }

  /** Stores the identity once; a device that is already enrolled must be reset by a technician first. */
  saveIdentity(identity: DeviceIdentity): void {
    this.db
      .prepare(
        `INSERT INTO identity (singleton, device_id, kind, public_key, private_key_pkcs8, central_url, central_id,
           central_public_key, central_tls_spki_sha256, position_json, enrolled_at)
         VALUES (1, @deviceId, @kind, @publicKey, @privateKeyPkcs8, @centralUrl, @centralId, @centralPublicKey,
           @centralTlsSpkiSha256, @positionJson, @enrolledAt)`,
      )
      .run({ centralTlsSpkiSha256: null, ...identity, positionJson: JSON.stringify(identity.position) });
  }

  /** The central may move a device's label or rename a room; the idle screen follows. */
  updatePosition(position: Position): void {
    this.db.prepare('UPDATE identity SET position_json = ? WHERE singleton = 1').run(JSON.stringify(position));
  }

  // ---- sync: the event log (see shared/src/sync/event-log.node.ts for the rules) ----

  /** Appends the event that `build` makes from the current head, in one durable transaction. */
  appendEvent(genesis: string, build: (head: LogHead) => SyncEvent): SyncEvent {
    return this.db
      .transaction(() => {
        const event = build(this.logHead(genesis));
        this.insertEvent.run(eventToRow(event));
        return event;
      })
      .immediate();
  }

  /** Appends many events in one transaction (one fsync): for bulk producers and benchmarks. */
  appendEvents(genesis: string, count: number, build: (head: LogHead, index: number) => SyncEvent): SyncEvent[] {
    return this.db
      .transaction(() => {
        const out: SyncEvent[] = [];
        for (let i = 0; i < count; i++) {
          const event = build(this.logHead(genesis), i);
          this.insertEvent.run(eventToRow(event));
          out.push(event);
        }
        return out;
      })
      .immediate();
  }

  logHead(genesis: string): LogHead {
    const row = this.db.prepare('SELECT seq, hash FROM event_log ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: string }
      | undefined;
    return row ?? { seq: 0, hash: genesis };
  }

  eventAt(seq: number): SyncEvent | null {
    const row = this.db.prepare('SELECT * FROM event_log WHERE seq = ?').get(seq) as EventRow | undefined;
    return row ? rowToEvent(row, this.identityDeviceId()) : null;
  }

  eventsAfter(seq: number, limit: number): SyncEvent[] {
    const deviceId = this.identityDeviceId();
    return (this.db.prepare('SELECT * FROM event_log WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as EventRow[]).map(
      (row) => rowToEvent(row, deviceId),
    );
  }

  eventCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM event_log').get() as { n: number }).n;
  }

  syncState(genesis: string): SyncState {
    const row = this.db.prepare('SELECT acked_seq, acked_hash, pull_cursor FROM sync_state WHERE singleton = 1').get() as
      | { acked_seq: number; acked_hash: string; pull_cursor: number }
      | undefined;
    return row
      ? { ackedSeq: row.acked_seq, ackedHash: row.acked_hash, pullCursor: row.pull_cursor }
      : { ackedSeq: 0, ackedHash: genesis, pullCursor: 0 };
  }

  /** What the central acknowledged. Written with synchronous=FULL like everything else here. */
  setAcked(genesis: string, seq: number, hash: string): void {
    const current = this.syncState(genesis);
    this.db
      .prepare(
        `INSERT INTO sync_state (singleton, acked_seq, acked_hash, pull_cursor) VALUES (1, ?, ?, ?)
         ON CONFLICT (singleton) DO UPDATE SET acked_seq = excluded.acked_seq, acked_hash = excluded.acked_hash`,
      )
      .run(seq, hash, current.pullCursor);
  }

  /**
   * Stores a downstream message and advances the pull cursor in one transaction, so a message is
   * applied exactly once whatever crashes when. Returns false for one at or below the cursor.
   */
  receiveMessage(genesis: string, message: InboxMessage, receivedAt: number): boolean {
    return this.db
      .transaction(() => {
        const state = this.syncState(genesis);
        if (message.cursor <= state.pullCursor) return false;
        this.db
          .prepare(
            `INSERT INTO inbox (cursor, id, type, payload_json, created_at, received_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO NOTHING`,
          )
          .run(message.cursor, message.id, message.type, JSON.stringify(message.payload), message.createdAt, receivedAt);
        this.db
          .prepare(
            `INSERT INTO sync_state (singleton, acked_seq, acked_hash, pull_cursor) VALUES (1, ?, ?, ?)
             ON CONFLICT (singleton) DO UPDATE SET pull_cursor = excluded.pull_cursor`,
          )
          .run(state.ackedSeq, state.ackedHash, message.cursor);
        if (this.applier) {
          // Applied with the cursor or not at all: a failure here rolls the message back, to be received again.
          this.applier(message);
          this.markApplied.run(receivedAt, message.cursor);
        }
        return true;
      })
      .immediate();
  }

  inbox(limit = 100): (InboxMessage & { receivedAt: number })[] {
    const rows = this.db.prepare('SELECT * FROM inbox ORDER BY cursor DESC LIMIT ?').all(limit) as InboxRow[];
    return rows.map((r) => ({ ...rowToMessage(r), receivedAt: r.received_at }));
  }

  private get markApplied() {
    return (this.markAppliedStatement ??= this.db.prepare('UPDATE inbox SET applied_at = ? WHERE cursor = ?'));
  }
  private markAppliedStatement: Database.Statement | null = null;

  private identityDeviceId(): string {
    const row = this.db.prepare('SELECT device_id FROM identity WHERE singleton = 1').get() as { device_id: string } | undefined;
    if (!row) throw new Error('the event log needs an enrolled device');
    return row.device_id;
  }

  private get insertEvent() {
    return (this.insertEventStatement ??= this.db.prepare(
      `INSERT INTO event_log (seq, id, type, payload_json, device_time, prev_hash, hash, signature)
       VALUES (@seq, @id, @type, @payload_json, @device_time, @prev_hash, @hash, @signature)`,
    ));
  }
  private insertEventStatement: Database.Statement | null = null;

  close(): void {
    if (this.ownsDatabase) this.db.close();
  }
}

interface InboxRow {
  cursor: number;
  id: string;
  type: string;
  payload_json: string;
  created_at: number;
  received_at: number;
}

function rowToMessage(r: InboxRow): InboxMessage {
  return {
    cursor: r.cursor,
    id: r.id,
    type: r.type,
    payload: JSON.parse(r.payload_json) as Record<string, JsonValue>,
    createdAt: r.created_at,
  };
}

export interface LogHead {
  seq: number;
  hash: string;
}

export interface SyncState {
  ackedSeq: number;
  ackedHash: string;
  pullCursor: number;
}

export interface InboxMessage {
  cursor: number;
  id: string;
  type: string;
  payload: Record<string, JsonValue>;
  createdAt: number;
}

interface EventRow {
  seq: number;
  id: string;
  type: string;
  payload_json: string;
  device_time: number;
  prev_hash: string;
  hash: string;
  signature: string;
}

function eventToRow(event: SyncEvent): EventRow {
  return {
    seq: event.seq,
    id: event.id,
    type: event.type,
    // Canonical JSON, so the stored text hashes exactly as it was signed.
    payload_json: canonicalJson(event.payload),
    device_time: event.deviceTime,
    prev_hash: event.prevHash,
    hash: event.hash,
    signature: event.signature,
  };
}

function rowToEvent(row: EventRow, deviceId: string): SyncEvent {
  return {
    v: SYNC_EVENT_VERSION,
    id: row.id,
    deviceId,
    seq: row.seq,
    type: row.type,
    payload: JSON.parse(row.payload_json) as SyncEvent['payload'],
    deviceTime: row.device_time,
    prevHash: row.prev_hash,
    hash: row.hash,
    signature: row.signature,
  };
}

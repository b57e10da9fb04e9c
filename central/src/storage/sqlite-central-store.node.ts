import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApiError } from '@kawei/shared/errors.ts';
import { openSqlite, type Migration, type SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { generateEd25519 } from '@kawei/shared/crypto/ed25519.node.ts';
import { gridCells, type Booth, type Gate, type Position, type Room, type Site } from '@kawei/shared/domain/topology.ts';
import type { DeviceRecord, EnrolTarget, SiteTree } from '@kawei/shared/api/central-http.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { genesisHash } from '@kawei/shared/sync/event-chain.node.ts';
import type { DownstreamMessage, MessageBody } from '@kawei/shared/sync/sync-http.ts';
import { TopologyConflictError, type CentralIdentity, type CentralStore, type Enrolment, type EnrolmentAttempt, type NewEnrolmentCode, type NewGate, type NewRoom, type NewSite, type TopologyImportResult, type TopologySiteImport } from './central-store.ts';
import type { Alert, DeviceHead, IngestBatch, IngestOutcome, NewAlert, StoredEvent, SyncStore } from './sync-store.ts';
import { type AlertRow, type BoothRow, type DeviceRow, type EnrolmentCodeRow, type EventRow, type GateRow, type MessageRow, type RoomRow, type SiteRow, assertConsecutiveChain, randomHex, targetId, targetOf, toAlert, toBooth, toDeviceRecord, toGate, toMessage, toRoom, toStoredEvent } from './store-rows.node.ts';

/**
 * The central's SQLite store: this module owns every line of the central's SQL.
 *
 * Write transactions that read before they write run as BEGIN IMMEDIATE: the write lock is taken
 * before the read, so two processes sharing the file (the server and the CLI) can never both see an
 * enrolment code as unused. A deferred transaction would instead fail one of them with SQLITE_BUSY.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'identity, topology, enrolment codes, devices, nonces',
    up: (db) => {
      db.exec(`
        CREATE TABLE meta (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          central_id TEXT NOT NULL,
          public_key TEXT NOT NULL,
          private_key_pkcs8 BLOB NOT NULL,
          operator_token_sha256 TEXT
        );
        CREATE TABLE sites (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL
        );
        CREATE TABLE rooms (
          id TEXT PRIMARY KEY,
          site_id TEXT NOT NULL REFERENCES sites(id),
          number INTEGER NOT NULL,
          name TEXT NOT NULL,
          rows INTEGER NOT NULL,
          cols INTEGER NOT NULL,
          UNIQUE (site_id, number)
        );
        CREATE TABLE booths (
          id TEXT PRIMARY KEY,
          room_id TEXT NOT NULL REFERENCES rooms(id),
          row INTEGER NOT NULL,
          col INTEGER NOT NULL,
          label TEXT NOT NULL,
          UNIQUE (room_id, label)
        );
        CREATE TABLE gates (
          id TEXT PRIMARY KEY,
          site_id TEXT NOT NULL REFERENCES sites(id),
          name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('area_entrance', 'room_door')),
          room_id TEXT REFERENCES rooms(id),
          CHECK ((role = 'room_door') = (room_id IS NOT NULL))
        );
        CREATE TABLE devices (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('booth', 'gate')),
          booth_id TEXT REFERENCES booths(id),
          gate_id TEXT REFERENCES gates(id),
          public_key TEXT NOT NULL UNIQUE,
          hostname TEXT NOT NULL,
          app_version TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
          enrolled_at INTEGER NOT NULL,
          revoked_at INTEGER,
          last_seen_at INTEGER,
          CHECK ((kind = 'booth') = (booth_id IS NOT NULL) AND (kind = 'gate') = (gate_id IS NOT NULL))
        );
        -- The store refuses POSITION_TAKEN itself; these indexes make a second active device at one
        -- position impossible even for a buggy future caller.
        CREATE UNIQUE INDEX devices_one_active_per_booth ON devices(booth_id) WHERE status = 'active' AND booth_id IS NOT NULL;
        CREATE UNIQUE INDEX devices_one_active_per_gate ON devices(gate_id) WHERE status = 'active' AND gate_id IS NOT NULL;
        CREATE TABLE enrolment_codes (
          code_sha256 TEXT PRIMARY KEY,
          target_kind TEXT NOT NULL CHECK (target_kind IN ('booth', 'gate')),
          booth_id TEXT REFERENCES booths(id),
          gate_id TEXT REFERENCES gates(id),
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          used_at INTEGER,
          used_by_device TEXT REFERENCES devices(id),
          CHECK ((target_kind = 'booth') = (booth_id IS NOT NULL) AND (target_kind = 'gate') = (gate_id IS NOT NULL))
        );
        CREATE TABLE device_nonces (
          device_id TEXT NOT NULL REFERENCES devices(id),
          nonce TEXT NOT NULL,
          expires_at INTEGER NOT NULL,
          PRIMARY KEY (device_id, nonce)
        ) WITHOUT ROWID;
        CREATE INDEX device_nonces_by_expiry ON device_nonces(expires_at);
      `);
    },
  },
  {
    version: 2,
    description: 'sync: device heads, events, alerts, downstream messages',
    up: (db) => {
      // STRICT: a value of the wrong type is an error, not silently stored. events and device_heads
      // are WITHOUT ROWID: they are looked up and range-scanned only by their primary key, which
      // then is the table itself (one B-tree, no second index to keep in step).
      db.exec(`
        CREATE TABLE device_heads (
          device_id TEXT PRIMARY KEY REFERENCES devices(id),
          seq INTEGER NOT NULL CHECK (seq >= 1),
          hash TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE events (
          device_id TEXT NOT NULL REFERENCES devices(id),
          seq INTEGER NOT NULL CHECK (seq >= 1),
          v INTEGER NOT NULL,
          id TEXT NOT NULL,
          type TEXT NOT NULL,
          payload_json TEXT NOT NULL,
          device_time INTEGER NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL,
          signature TEXT NOT NULL,
          received_at INTEGER NOT NULL,
          clock_skew_ms INTEGER NOT NULL,
          PRIMARY KEY (device_id, seq)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE alerts (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          device_id TEXT REFERENCES devices(id),
          kind TEXT NOT NULL,
          detail_json TEXT NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX alerts_by_device ON alerts(device_id, id);
        CREATE TABLE messages (
          cursor INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          device_id TEXT REFERENCES devices(id),
          type TEXT NOT NULL,
          payload_json TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          signature TEXT NOT NULL
        ) STRICT;
        CREATE INDEX messages_by_device ON messages(device_id, cursor);
      `);
    },
  },
];


const DEFAULT_ALERT_LIMIT = 100;

export class SqliteCentralStore implements CentralStore, SyncStore {
  /** The sync statements, prepared once: ingest runs them hundreds of times per batch. */
  private readonly sql: ReturnType<typeof prepareSyncStatements>;

  private constructor(private readonly db: SqliteDatabase) {
    this.sql = prepareSyncStatements(db);
  }

  /** Opens (creating and migrating if needed) the central database at `file`. */
  static open(file: string): SqliteCentralStore {
    keepPrivate(file);
    const store = new SqliteCentralStore(openSqlite(file, MIGRATIONS));
    store.ensureIdentity();
    return store;
  }

  /** INSERT OR IGNORE: when the server and the CLI open a new file together, the first key pair wins. */
  private ensureIdentity(): void {
    const exists = this.db.prepare('SELECT 1 FROM meta WHERE id = 1').get();
    if (exists) return;
    const keys = generateEd25519();
    this.db
      .prepare(
        `INSERT OR IGNORE INTO meta (id, central_id, public_key, private_key_pkcs8)
         VALUES (1, ?, ?, ?)`,
      )
      .run(`central-${randomHex(6)}`, keys.publicKey, keys.privateKeyPkcs8);
  }

  async getCentralIdentity(): Promise<CentralIdentity> {
    const row = this.db.prepare('SELECT central_id, public_key, private_key_pkcs8 FROM meta WHERE id = 1').get() as
      | { central_id: string; public_key: string; private_key_pkcs8: Buffer }
      | undefined;
    if (!row) throw new ApiError('INTERNAL', 'central identity missing from the database');
    return { centralId: row.central_id, publicKey: row.public_key, privateKeyPkcs8: row.private_key_pkcs8 };
  }

  async getOperatorTokenHash(): Promise<string | null> {
    const row = this.db.prepare('SELECT operator_token_sha256 AS hash FROM meta WHERE id = 1').get() as
      | { hash: string | null }
      | undefined;
    return row?.hash ?? null;
  }

  async setOperatorTokenHashIfAbsent(tokenSha256Hex: string): Promise<boolean> {
    const result = this.db
      .prepare('UPDATE meta SET operator_token_sha256 = ? WHERE id = 1 AND operator_token_sha256 IS NULL')
      .run(tokenSha256Hex);
    return result.changes === 1;
  }

  // ---- topology ----

  async createSite(input: NewSite): Promise<Site> {
    return this.db.transaction(() => this.insertSite(input.id ?? `site-${randomHex(4)}`, input.name)).immediate();
  }

  async createRoom(input: NewRoom): Promise<Room & { booths: Booth[] }> {
    return this.db
      .transaction(() => {
        const room = this.insertRoom({ ...input, id: input.id ?? `room-${randomHex(4)}` });
        return { ...room, booths: this.boothsOfRoom(room.id) };
      })
      .immediate();
  }

  async createGate(input: NewGate): Promise<Gate> {
    return this.db.transaction(() => this.insertGate({ ...input, id: input.id ?? `gate-${randomHex(4)}` })).immediate();
  }

  async importTopology(sites: readonly TopologySiteImport[]): Promise<TopologyImportResult> {
    return this.db
      .transaction(() => {
        const created = { sites: 0, rooms: 0, booths: 0, gates: 0 };
        for (const site of sites) {
          if (!this.exists('sites', site.id)) {
            this.insertSite(site.id, site.name);
            created.sites++;
          }
          for (const room of site.rooms) {
            if (this.exists('rooms', room.id)) continue;
            this.insertRoom({ ...room, siteId: site.id });
            created.rooms++;
            created.booths += room.rows * room.cols;
          }
          for (const gate of site.gates) {
            if (this.exists('gates', gate.id)) continue;
            this.insertGate({ ...gate, siteId: site.id });
            created.gates++;
          }
        }
        return { created };
      })
      .immediate();
  }

  async listSiteTrees(): Promise<SiteTree[]> {
    const sites = this.db.prepare('SELECT id, name FROM sites ORDER BY id').all() as SiteRow[];
    const rooms = (this.db.prepare('SELECT * FROM rooms ORDER BY site_id, number').all() as RoomRow[]).map(toRoom);
    const booths = (this.db.prepare('SELECT * FROM booths ORDER BY room_id, row, col').all() as BoothRow[]).map(toBooth);
    const gates = (this.db.prepare('SELECT * FROM gates ORDER BY site_id, id').all() as GateRow[]).map(toGate);
    return sites.map((site) => ({
      id: site.id,
      name: site.name,
      rooms: rooms
        .filter((room) => room.siteId === site.id)
        .map((room) => ({ ...room, booths: booths.filter((booth) => booth.roomId === room.id) })),
      gates: gates.filter((gate) => gate.siteId === site.id),
    }));
  }

  private insertSite(id: string, name: string): Site {
    if (this.exists('sites', id)) throw new TopologyConflictError(`site "${id}" already exists`);
    this.db.prepare('INSERT INTO sites (id, name) VALUES (?, ?)').run(id, name);
    return { id, name };
  }

  private insertRoom(input: NewRoom & { id: string }): Room {
    if (!this.exists('sites', input.siteId)) throw new ApiError('NOT_FOUND', `site "${input.siteId}" does not exist`);
    if (this.exists('rooms', input.id)) throw new TopologyConflictError(`room "${input.id}" already exists`);
    const sameNumber = this.db
      .prepare('SELECT id FROM rooms WHERE site_id = ? AND number = ?')
      .get(input.siteId, input.number) as { id: string } | undefined;
    if (sameNumber) {
      throw new TopologyConflictError(`site "${input.siteId}" already has room number ${input.number} ("${sameNumber.id}")`);
    }
    const room: Room = {
      id: input.id,
      siteId: input.siteId,
      number: input.number,
      name: input.name ?? `${input.number}号评标室`,
      rows: input.rows,
      cols: input.cols,
    };
    this.db
      .prepare('INSERT INTO rooms (id, site_id, number, name, rows, cols) VALUES (?, ?, ?, ?, ?, ?)')
      .run(room.id, room.siteId, room.number, room.name, room.rows, room.cols);
    const insertBooth = this.db.prepare('INSERT INTO booths (id, room_id, row, col, label) VALUES (?, ?, ?, ?, ?)');
    for (const cell of gridCells(room.rows, room.cols)) {
      const boothId = `${room.id}-${cell.label}`;
      if (this.exists('booths', boothId)) throw new TopologyConflictError(`booth "${boothId}" already exists`);
      insertBooth.run(boothId, room.id, cell.row, cell.col, cell.label);
    }
    return room;
  }

  private insertGate(input: NewGate & { id: string }): Gate {
    if (!this.exists('sites', input.siteId)) throw new ApiError('NOT_FOUND', `site "${input.siteId}" does not exist`);
    if (this.exists('gates', input.id)) throw new TopologyConflictError(`gate "${input.id}" already exists`);
    if ((input.role === 'room_door') !== (input.roomId !== null)) {
      throw new ApiError('BAD_INPUT', 'a room door needs roomId; an area entrance has none');
    }
    if (input.roomId !== null) {
      const room = this.db.prepare('SELECT site_id FROM rooms WHERE id = ?').get(input.roomId) as
        | { site_id: string }
        | undefined;
      if (!room) throw new ApiError('NOT_FOUND', `room "${input.roomId}" does not exist`);
      if (room.site_id !== input.siteId) {
        throw new ApiError('BAD_INPUT', `room "${input.roomId}" belongs to site "${room.site_id}", not "${input.siteId}"`);
      }
    }
    const gate: Gate = { id: input.id, siteId: input.siteId, name: input.name, role: input.role, roomId: input.roomId };
    this.db
      .prepare('INSERT INTO gates (id, site_id, name, role, room_id) VALUES (?, ?, ?, ?, ?)')
      .run(gate.id, gate.siteId, gate.name, gate.role, gate.roomId);
    return gate;
  }

  private boothsOfRoom(roomId: string): Booth[] {
    return (this.db.prepare('SELECT * FROM booths WHERE room_id = ? ORDER BY row, col').all(roomId) as BoothRow[]).map(
      toBooth,
    );
  }

  private exists(table: 'sites' | 'rooms' | 'booths' | 'gates', id: string): boolean {
    return this.db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined;
  }

  // ---- enrolment ----

  async createEnrolmentCode(input: NewEnrolmentCode): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.positionOf(input.target) === null) {
          throw new ApiError('NOT_FOUND', `${input.target.kind} "${targetId(input.target)}" does not exist`);
        }
        const result = this.db
          .prepare(
            `INSERT OR IGNORE INTO enrolment_codes (code_sha256, target_kind, booth_id, gate_id, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.codeSha256Hex,
            input.target.kind,
            input.target.kind === 'booth' ? input.target.boothId : null,
            input.target.kind === 'gate' ? input.target.gateId : null,
            input.createdAt,
            input.expiresAt,
          );
        return result.changes === 1;
      })
      .immediate();
  }

  async consumeEnrolmentCode(attempt: EnrolmentAttempt): Promise<Enrolment> {
    return this.db
      .transaction((): Enrolment => {
        const code = this.db
          .prepare('SELECT target_kind, booth_id, gate_id, expires_at, used_at FROM enrolment_codes WHERE code_sha256 = ?')
          .get(attempt.codeSha256Hex) as EnrolmentCodeRow | undefined;
        if (!code) throw new ApiError('ENROL_CODE_INVALID', 'no such enrolment code');
        if (code.used_at !== null) throw new ApiError('ENROL_CODE_USED', 'this enrolment code has already been used');
        if (attempt.now >= code.expires_at) throw new ApiError('ENROL_CODE_EXPIRED', 'this enrolment code has expired');
        if (code.target_kind !== attempt.kind) {
          throw new ApiError('ENROL_CODE_WRONG_KIND', `this enrolment code is for a ${code.target_kind}, not a ${attempt.kind}`);
        }
        const target = targetOf(code);
        const holder = this.db
          .prepare(`SELECT id FROM devices WHERE status = 'active' AND ${code.target_kind}_id = ?`)
          .get(targetId(target)) as { id: string } | undefined;
        if (holder) {
          throw new ApiError(
            'POSITION_TAKEN',
            `${target.kind} "${targetId(target)}" already has active device "${holder.id}"; revoke it first`,
          );
        }
        const sameKey = this.db.prepare('SELECT id FROM devices WHERE public_key = ?').get(attempt.publicKey) as
          | { id: string }
          | undefined;
        if (sameKey) throw new ApiError('ALREADY_ENROLLED', `this key is already enrolled as device "${sameKey.id}"`);

        const deviceId = `dev-${randomHex(6)}`;
        this.db
          .prepare(
            `INSERT INTO devices (id, kind, booth_id, gate_id, public_key, hostname, app_version, status, enrolled_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?)`,
          )
          .run(deviceId, target.kind, code.booth_id, code.gate_id, attempt.publicKey, attempt.hostname, attempt.appVersion, attempt.now);
        this.db
          .prepare('UPDATE enrolment_codes SET used_at = ?, used_by_device = ? WHERE code_sha256 = ?')
          .run(attempt.now, deviceId, attempt.codeSha256Hex);
        const position = this.positionOf(target);
        if (!position) throw new ApiError('INTERNAL', `enrolment code points at missing ${target.kind} "${targetId(target)}"`);
        return { device: this.deviceById(deviceId)!, position };
      })
      .immediate();
  }

  // ---- devices ----

  async getDevice(deviceId: string): Promise<DeviceRecord | null> {
    return this.deviceById(deviceId);
  }

  async listDevices(): Promise<DeviceRecord[]> {
    return (this.db.prepare('SELECT * FROM devices ORDER BY enrolled_at, id').all() as DeviceRow[]).map(toDeviceRecord);
  }

  async revokeDevice(deviceId: string, now: number): Promise<DeviceRecord> {
    return this.db
      .transaction(() => {
        const result = this.db
          .prepare(`UPDATE devices SET status = 'revoked', revoked_at = ? WHERE id = ? AND status = 'active'`)
          .run(now, deviceId);
        const device = this.deviceById(deviceId);
        if (!device) throw new ApiError('NOT_FOUND', `device "${deviceId}" does not exist`);
        if (result.changes === 1) this.db.prepare('DELETE FROM device_nonces WHERE device_id = ?').run(deviceId);
        return device;
      })
      .immediate();
  }

  async getPosition(target: EnrolTarget): Promise<Position | null> {
    return this.positionOf(target);
  }

  async acceptDeviceNonce(input: {
    deviceId: string;
    nonce: string;
    expiresAt: number;
    now: number;
  }): Promise<'accepted' | 'replayed' | 'revoked'> {
    return this.db
      .transaction(() => {
        const device = this.db.prepare('SELECT status FROM devices WHERE id = ?').get(input.deviceId) as
          | { status: string }
          | undefined;
        if (device?.status !== 'active') return 'revoked' as const;
        this.db.prepare('DELETE FROM device_nonces WHERE expires_at <= ?').run(input.now);
        const inserted = this.db
          .prepare('INSERT OR IGNORE INTO device_nonces (device_id, nonce, expires_at) VALUES (?, ?, ?)')
          .run(input.deviceId, input.nonce, input.expiresAt);
        if (inserted.changes === 0) return 'replayed' as const;
        this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(input.now, input.deviceId);
        return 'accepted' as const;
      })
      .immediate();
  }

  // ---- sync (SyncStore) ----

  async getDeviceHead(deviceId: string): Promise<DeviceHead> {
    return this.headOf(deviceId);
  }

  /**
   * One BEGIN IMMEDIATE transaction: the write lock is taken before the head is read, so two
   * callers (two requests, or two processes on the file) delivering the same batch serialise: the
   * second sees the first's head and gets its events back as duplicates. Reads the stored hashes of
   * the whole duplicate range in one query; the new events go in through one prepared INSERT.
   */
  async ingestBatch(input: IngestBatch): Promise<IngestOutcome> {
    const { deviceId, events, receivedAt, clockSkewMs } = input;
    assertConsecutiveChain(events);
    return this.db
      .transaction((): IngestOutcome => {
        const head = this.headOf(deviceId);
        const first = events[0]!;
        const last = events[events.length - 1]!;
        if (first.seq > head.seq + 1) return { kind: 'gap', head, expectedSeq: head.seq + 1 };

        const duplicates = Math.max(0, Math.min(last.seq, head.seq) - first.seq + 1);
        if (duplicates > 0) {
          const stored = this.sql.hashesInRange.all(deviceId, first.seq, first.seq + duplicates - 1) as {
            seq: number;
            hash: string;
          }[];
          for (let i = 0; i < duplicates; i++) {
            const event = events[i]!;
            const row = stored[i];
            if (row?.seq !== event.seq) {
              throw new Error(`events of device "${deviceId}" are missing below its head (seq ${event.seq})`);
            }
            if (row.hash !== event.hash) return { kind: 'conflict', head, seq: event.seq };
          }
        }
        if (duplicates === events.length) return { kind: 'stored', head, stored: 0, duplicates };

        const firstNew = events[duplicates]!;
        if (firstNew.seq !== head.seq + 1) return { kind: 'gap', head, expectedSeq: head.seq + 1 };
        if (firstNew.prevHash !== head.hash) return { kind: 'chain-broken', head, seq: firstNew.seq };

        for (let i = duplicates; i < events.length; i++) {
          const e = events[i]!;
          this.sql.insertEvent.run(
            deviceId,
            e.seq,
            e.v,
            e.id,
            e.type,
            canonicalJson(e.payload),
            e.deviceTime,
            e.prevHash,
            e.hash,
            e.signature,
            receivedAt,
            clockSkewMs,
          );
        }
        this.sql.upsertHead.run(deviceId, last.seq, last.hash);
        return {
          kind: 'stored',
          head: { seq: last.seq, hash: last.hash },
          stored: events.length - duplicates,
          duplicates,
        };
      })
      .immediate();
  }

  async listEvents(deviceId: string, fromSeq: number, limit: number): Promise<StoredEvent[]> {
    return (this.sql.eventsFrom.all(deviceId, fromSeq, limit) as EventRow[]).map(toStoredEvent);
  }

  async countEvents(deviceId: string): Promise<number> {
    return (this.sql.countEvents.get(deviceId) as { n: number }).n;
  }

  async raiseAlert(alert: NewAlert): Promise<Alert> {
    const result = this.sql.insertAlert.run(alert.deviceId, alert.kind, JSON.stringify(alert.detail), alert.createdAt);
    return { id: Number(result.lastInsertRowid), ...alert };
  }

  /** Newest first; `limit` defaults to 100. */
  async listAlerts(options: { deviceId?: string; limit?: number } = {}): Promise<Alert[]> {
    const limit = options.limit ?? DEFAULT_ALERT_LIMIT;
    const rows = (
      options.deviceId === undefined
        ? this.sql.latestAlerts.all(limit)
        : this.sql.latestAlertsOfDevice.all(options.deviceId, limit)
    ) as AlertRow[];
    return rows.map(toAlert);
  }

  async appendMessage(message: MessageBody & { signature: string }): Promise<DownstreamMessage> {
    const result = this.sql.insertMessage.run(
      message.id,
      message.deviceId,
      message.type,
      canonicalJson(message.payload),
      message.createdAt,
      message.signature,
    );
    return {
      cursor: Number(result.lastInsertRowid),
      id: message.id,
      deviceId: message.deviceId,
      type: message.type,
      payload: message.payload,
      createdAt: message.createdAt,
      signature: message.signature,
    };
  }

  async messagesAfter(deviceId: string, afterCursor: number, limit: number): Promise<DownstreamMessage[]> {
    return (this.sql.messagesAfter.all(afterCursor, deviceId, limit) as MessageRow[]).map(toMessage);
  }

  private headOf(deviceId: string): DeviceHead {
    const row = this.sql.head.get(deviceId) as DeviceHead | undefined;
    return row ?? { seq: 0, hash: genesisHash(deviceId) };
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private deviceById(deviceId: string): DeviceRecord | null {
    const row = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(deviceId) as DeviceRow | undefined;
    return row ? toDeviceRecord(row) : null;
  }

  private positionOf(target: EnrolTarget): Position | null {
    if (target.kind === 'booth') {
      const booth = this.db.prepare('SELECT * FROM booths WHERE id = ?').get(target.boothId) as BoothRow | undefined;
      if (!booth) return null;
      const room = this.roomById(booth.room_id)!;
      return { kind: 'booth', site: this.siteById(room.siteId)!, room, booth: toBooth(booth) };
    }
    const gate = this.db.prepare('SELECT * FROM gates WHERE id = ?').get(target.gateId) as GateRow | undefined;
    if (!gate) return null;
    return {
      kind: 'gate',
      site: this.siteById(gate.site_id)!,
      gate: toGate(gate),
      room: gate.room_id === null ? null : this.roomById(gate.room_id),
    };
  }

  private siteById(id: string): Site | null {
    return (this.db.prepare('SELECT id, name FROM sites WHERE id = ?').get(id) as SiteRow | undefined) ?? null;
  }

  private roomById(id: string): Room | null {
    const row = this.db.prepare('SELECT * FROM rooms WHERE id = ?').get(id) as RoomRow | undefined;
    return row ? toRoom(row) : null;
  }
}

/**
 * The file holds the central's private key, so only its owner may read it. Creating it 0600 before
 * SQLite opens it matters: SQLite gives the -wal and -shm files the database file's permissions.
 */
function keepPrivate(file: string): void {
  if (file === ':memory:') return;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
    return;
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}








function prepareSyncStatements(db: SqliteDatabase) {
  return {
    head: db.prepare('SELECT seq, hash FROM device_heads WHERE device_id = ?'),
    upsertHead: db.prepare(
      'INSERT INTO device_heads (device_id, seq, hash) VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
    ),
    hashesInRange: db.prepare('SELECT seq, hash FROM events WHERE device_id = ? AND seq BETWEEN ? AND ? ORDER BY seq'),
    insertEvent: db.prepare(
      `INSERT INTO events (device_id, seq, v, id, type, payload_json, device_time, prev_hash, hash, signature, received_at, clock_skew_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    eventsFrom: db.prepare('SELECT * FROM events WHERE device_id = ? AND seq >= ? ORDER BY seq LIMIT ?'),
    countEvents: db.prepare('SELECT count(*) AS n FROM events WHERE device_id = ?'),
    insertAlert: db.prepare('INSERT INTO alerts (device_id, kind, detail_json, created_at) VALUES (?, ?, ?, ?)'),
    latestAlerts: db.prepare('SELECT * FROM alerts ORDER BY id DESC LIMIT ?'),
    latestAlertsOfDevice: db.prepare('SELECT * FROM alerts WHERE device_id = ? ORDER BY id DESC LIMIT ?'),
    insertMessage: db.prepare(
      'INSERT INTO messages (id, device_id, type, payload_json, created_at, signature) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    messagesAfter: db.prepare(
      'SELECT * FROM messages WHERE cursor > ? AND (device_id = ? OR device_id IS NULL) ORDER BY cursor LIMIT ?',
    ),
  };
}





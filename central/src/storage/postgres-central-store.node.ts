import type { Pool } from 'pg';
import { ApiError } from '@kawei/shared/errors.ts';
import { generateEd25519 } from '@kawei/shared/crypto/ed25519.node.ts';
import { gridCells, type Booth, type Gate, type Position, type Room, type Site } from '@kawei/shared/domain/topology.ts';
import type { DeviceRecord, EnrolTarget, SiteTree } from '@kawei/shared/api/central-http.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { genesisHash } from '@kawei/shared/sync/event-chain.node.ts';
import type { DownstreamMessage, MessageBody } from '@kawei/shared/sync/sync-http.ts';
import { TopologyConflictError, type CentralIdentity, type CentralStore, type Enrolment, type EnrolmentAttempt, type NewEnrolmentCode, type NewGate, type NewRoom, type NewSite, type TopologyImportResult, type TopologySiteImport } from './central-store.ts';
import type { Alert, DeviceHead, IngestBatch, IngestOutcome, NewAlert, StoredEvent, SyncStore } from './sync-store.ts';
import { createPool, inTransaction, lockForTransaction, migrate, Rollback, type Sql } from './postgres/pg-database.node.ts';
import { POSTGRES_MIGRATIONS } from './postgres/migrations.ts';
import { type AlertRow, type BoothRow, type DeviceRow, type EnrolmentCodeRow, type EventRow, type GateRow, type MessageRow, type RoomRow, type SiteRow, assertConsecutiveChain, randomHex, targetId, targetOf, toAlert, toBooth, toDeviceRecord, toGate, toMessage, toRoom, toStoredEvent } from './store-rows.node.ts';

/**
 * The central's PostgreSQL store, for multi-site deployments where several central processes share
 * one database. It behaves exactly as the SQLite store (sqlite-central-store.node.ts): the same
 * refusals with the same ApiError codes, the same atomicity, the same orderings; the contract suites
 * in central/test run against both. This module owns every line of the central's PostgreSQL DML; the
 * schema is in postgres/migrations.ts.
 *
 * SQLite makes every write transaction exclusive (BEGIN IMMEDIATE). PostgreSQL runs them concurrently
 * at READ COMMITTED, so each read-then-write operation says what it locks:
 *
 * - Topology, enrolment codes, enrolment and revocation take one transaction-level advisory lock
 *   (`centralWrites`) before they read. They are operator actions and enrolments, a few per minute
 *   at most, so serialising them costs nothing, and it makes every check they make (code unused,
 *   position free, key new, id free) hold until their commit — exactly SQLite's semantics. The
 *   unique indexes stay as the last line of defence.
 * - acceptDeviceNonce (every device request) locks only its device's row, by updating it first.
 * - ingestBatch (the hot path) locks only its device's head row.
 * - appendMessage serialises on the `messages` advisory lock; see there why.
 */
export class PostgresCentralStore implements CentralStore, SyncStore {
  private closed: Promise<void> | null = null;

  private constructor(private readonly pool: Pool) {}

  /**
   * Connects to the database at `url` (postgres://user@host:port/database), applies the migrations it
   * lacks, and creates the central's identity the first time.
   */
  static async open(url: string): Promise<PostgresCentralStore> {
    const store = new PostgresCentralStore(createPool(url));
    try {
      await migrate(store.pool, POSTGRES_MIGRATIONS);
      await store.ensureIdentity();
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /** ON CONFLICT DO NOTHING: when two processes open a new database together, the first key pair wins. */
  private async ensureIdentity(): Promise<void> {
    const { rows } = await this.pool.query('SELECT 1 FROM meta WHERE id = 1');
    if (rows.length > 0) return;
    const keys = generateEd25519();
    await this.pool.query(
      `INSERT INTO meta (id, central_id, public_key, private_key_pkcs8) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO NOTHING`,
      [`central-${randomHex(6)}`, keys.publicKey, keys.privateKeyPkcs8],
    );
  }

  async getCentralIdentity(): Promise<CentralIdentity> {
    const row = await one<{ central_id: string; public_key: string; private_key_pkcs8: Buffer }>(
      this.pool,
      'SELECT central_id, public_key, private_key_pkcs8 FROM meta WHERE id = 1',
    );
    if (!row) throw new ApiError('INTERNAL', 'central identity missing from the database');
    return { centralId: row.central_id, publicKey: row.public_key, privateKeyPkcs8: row.private_key_pkcs8 };
  }

  async getOperatorTokenHash(): Promise<string | null> {
    const row = await one<{ hash: string | null }>(this.pool, 'SELECT operator_token_sha256 AS hash FROM meta WHERE id = 1');
    return row?.hash ?? null;
  }

  async setOperatorTokenHashIfAbsent(tokenSha256Hex: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE meta SET operator_token_sha256 = $1 WHERE id = 1 AND operator_token_sha256 IS NULL',
      [tokenSha256Hex],
    );
    return result.rowCount === 1;
  }

  // ---- topology ----

  async createSite(input: NewSite): Promise<Site> {
    return this.centralWrite((sql) => insertSite(sql, input.id ?? `site-${randomHex(4)}`, input.name));
  }

  async createRoom(input: NewRoom): Promise<Room & { booths: Booth[] }> {
    return this.centralWrite(async (sql) => {
      const room = await insertRoom(sql, { ...input, id: input.id ?? `room-${randomHex(4)}` });
      return { ...room, booths: await boothsOfRoom(sql, room.id) };
    });
  }

  async createGate(input: NewGate): Promise<Gate> {
    return this.centralWrite((sql) => insertGate(sql, { ...input, id: input.id ?? `gate-${randomHex(4)}` }));
  }

  async importTopology(sites: readonly TopologySiteImport[]): Promise<TopologyImportResult> {
    return this.centralWrite(async (sql) => {
      const created = { sites: 0, rooms: 0, booths: 0, gates: 0 };
      for (const site of sites) {
        if (!(await exists(sql, 'sites', site.id))) {
          await insertSite(sql, site.id, site.name);
          created.sites++;
        }
        for (const room of site.rooms) {
          if (await exists(sql, 'rooms', room.id)) continue;
          await insertRoom(sql, { ...room, siteId: site.id });
          created.rooms++;
          created.booths += room.rows * room.cols;
        }
        for (const gate of site.gates) {
          if (await exists(sql, 'gates', gate.id)) continue;
          await insertGate(sql, { ...gate, siteId: site.id });
          created.gates++;
        }
      }
      return { created };
    });
  }

  /** Four reads from one snapshot (REPEATABLE READ), so a topology being written never shows half-done. */
  async listSiteTrees(): Promise<SiteTree[]> {
    return this.snapshot(async (sql) => {
      const sites = await all<SiteRow>(sql, 'SELECT id, name FROM sites ORDER BY id');
      const rooms = (await all<RoomRow>(sql, 'SELECT * FROM rooms ORDER BY site_id, number')).map(toRoom);
      const booths = (await all<BoothRow>(sql, 'SELECT * FROM booths ORDER BY room_id, row, col')).map(toBooth);
      const gates = (await all<GateRow>(sql, 'SELECT * FROM gates ORDER BY site_id, id')).map(toGate);
      return sites.map((site) => ({
        id: site.id,
        name: site.name,
        rooms: rooms
          .filter((room) => room.siteId === site.id)
          .map((room) => ({ ...room, booths: booths.filter((booth) => booth.roomId === room.id) })),
        gates: gates.filter((gate) => gate.siteId === site.id),
      }));
    });
  }

  // ---- enrolment ----

  async createEnrolmentCode(input: NewEnrolmentCode): Promise<boolean> {
    return this.centralWrite(async (sql) => {
      if ((await positionOf(sql, input.target)) === null) {
        throw new ApiError('NOT_FOUND', `${input.target.kind} "${targetId(input.target)}" does not exist`);
      }
      const result = await sql.query(
        `INSERT INTO enrolment_codes (code_sha256, target_kind, booth_id, gate_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code_sha256) DO NOTHING`,
        [
          input.codeSha256Hex,
          input.target.kind,
          input.target.kind === 'booth' ? input.target.boothId : null,
          input.target.kind === 'gate' ? input.target.gateId : null,
          input.createdAt,
          input.expiresAt,
        ],
      );
      return result.rowCount === 1;
    });
  }

  /**
   * Under the centralWrites lock, so of any number of concurrent consumers (on any connection, in any
   * process) exactly one sees the code unused; the others then see it used (ENROL_CODE_USED). Two
   * codes for one position, or one key at two positions, resolve the same way: POSITION_TAKEN,
   * ALREADY_ENROLLED.
   */
  async consumeEnrolmentCode(attempt: EnrolmentAttempt): Promise<Enrolment> {
    return this.centralWrite(async (sql): Promise<Enrolment> => {
      const code = await one<EnrolmentCodeRow>(
        sql,
        'SELECT target_kind, booth_id, gate_id, expires_at, used_at FROM enrolment_codes WHERE code_sha256 = $1',
        [attempt.codeSha256Hex],
      );
      if (!code) throw new ApiError('ENROL_CODE_INVALID', 'no such enrolment code');
      if (code.used_at !== null) throw new ApiError('ENROL_CODE_USED', 'this enrolment code has already been used');
      if (attempt.now >= code.expires_at) throw new ApiError('ENROL_CODE_EXPIRED', 'this enrolment code has expired');
      if (code.target_kind !== attempt.kind) {
        throw new ApiError('ENROL_CODE_WRONG_KIND', `this enrolment code is for a ${code.target_kind}, not a ${attempt.kind}`);
      }
      const target = targetOf(code);
      const holder = await one<{ id: string }>(
        sql,
        `SELECT id FROM devices WHERE status = 'active' AND ${code.target_kind}_id = $1`,
        [targetId(target)],
      );
      if (holder) {
        throw new ApiError(
          'POSITION_TAKEN',
          `${target.kind} "${targetId(target)}" already has active device "${holder.id}"; revoke it first`,
        );
      }
      const sameKey = await one<{ id: string }>(sql, 'SELECT id FROM devices WHERE public_key = $1', [attempt.publicKey]);
      if (sameKey) throw new ApiError('ALREADY_ENROLLED', `this key is already enrolled as device "${sameKey.id}"`);

      const deviceId = `dev-${randomHex(6)}`;
      await sql.query(
        `INSERT INTO devices (id, kind, booth_id, gate_id, public_key, hostname, app_version, status, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8)`,
        [deviceId, target.kind, code.booth_id, code.gate_id, attempt.publicKey, attempt.hostname, attempt.appVersion, attempt.now],
      );
      await sql.query('UPDATE enrolment_codes SET used_at = $1, used_by_device = $2 WHERE code_sha256 = $3', [
        attempt.now,
        deviceId,
        attempt.codeSha256Hex,
      ]);
      const position = await positionOf(sql, target);
      if (!position) throw new ApiError('INTERNAL', `enrolment code points at missing ${target.kind} "${targetId(target)}"`);
      return { device: (await deviceById(sql, deviceId))!, position };
    });
  }

  // ---- devices ----

  async getDevice(deviceId: string): Promise<DeviceRecord | null> {
    return deviceById(this.pool, deviceId);
  }

  async listDevices(): Promise<DeviceRecord[]> {
    return (await all<DeviceRow>(this.pool, 'SELECT * FROM devices ORDER BY enrolled_at, id')).map(toDeviceRecord);
  }

  async revokeDevice(deviceId: string, now: number): Promise<DeviceRecord> {
    return this.centralWrite(async (sql) => {
      const result = await sql.query(`UPDATE devices SET status = 'revoked', revoked_at = $1 WHERE id = $2 AND status = 'active'`, [
        now,
        deviceId,
      ]);
      const device = await deviceById(sql, deviceId);
      if (!device) throw new ApiError('NOT_FOUND', `device "${deviceId}" does not exist`);
      if (result.rowCount === 1) await sql.query('DELETE FROM device_nonces WHERE device_id = $1', [deviceId]);
      return device;
    });
  }

  async getPosition(target: EnrolTarget): Promise<Position | null> {
    return this.snapshot((sql) => positionOf(sql, target));
  }

  /**
   * Stamps last_seen_at first: that UPDATE locks the device's row and finds it only if the device is
   * still active, so a revocation either committed before (→ 'revoked') or waits for us (and then
   * deletes the nonce we stored, as on SQLite). A replay rolls the stamp back.
   *
   * The purge of expired nonces skips rows another request is purging at the same moment (SKIP
   * LOCKED): without it, two requests deleting overlapping sets could deadlock, and it changes
   * nothing a caller can see — those rows are going anyway.
   */
  async acceptDeviceNonce(input: {
    deviceId: string;
    nonce: string;
    expiresAt: number;
    now: number;
  }): Promise<'accepted' | 'replayed' | 'revoked'> {
    return inTransaction(this.pool, async (sql) => {
      const seen = await sql.query(`UPDATE devices SET last_seen_at = $1 WHERE id = $2 AND status = 'active'`, [input.now, input.deviceId]);
      if (seen.rowCount !== 1) return new Rollback('revoked' as const);
      await sql.query(
        `DELETE FROM device_nonces WHERE (device_id, nonce) IN (
           SELECT device_id, nonce FROM device_nonces WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED)`,
        [input.now],
      );
      const inserted = await sql.query(
        'INSERT INTO device_nonces (device_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT (device_id, nonce) DO NOTHING',
        [input.deviceId, input.nonce, input.expiresAt],
      );
      if (inserted.rowCount === 0) return new Rollback('replayed' as const);
      return 'accepted' as const;
    });
  }

  // ---- sync (SyncStore) ----

  async getDeviceHead(deviceId: string): Promise<DeviceHead> {
    return (await headOf(this.pool, deviceId)) ?? { seq: 0, hash: genesisHash(deviceId) };
  }

  /**
   * One transaction, serialised per device on its head row (SELECT … FOR UPDATE), so two deliveries
   * of the same batch — two requests, two central processes — queue on it, and the second sees the
   * first's head and gets its events back as duplicates. Devices do not wait for each other.
   *
   * A device's first batch has no row to lock yet: it inserts one (seq 0, the genesis hash; ON
   * CONFLICT DO NOTHING waits for a concurrent first batch to commit or roll back) and locks that.
   * A batch that is a gap even from the genesis is refused before, so an ingest for a device the
   * central does not know behaves as on SQLite: a gap answer, or the foreign key's error on storing.
   *
   * The stored hashes of the whole duplicate range come back in one query, the new events go in as
   * one INSERT over unnest()ed arrays (one round trip for up to 500 events), and every refusal rolls
   * back, so nothing of a refused batch stays — not even the head row of a device's first batch.
   */
  async ingestBatch(input: IngestBatch): Promise<IngestOutcome> {
    const { deviceId, events, receivedAt, clockSkewMs } = input;
    assertConsecutiveChain(events);
    return inTransaction(this.pool, async (sql): Promise<IngestOutcome | Rollback<IngestOutcome>> => {
      const lockHead = () => one<DeviceHead>(sql, 'SELECT seq, hash FROM device_heads WHERE device_id = $1 FOR UPDATE', [deviceId]);
      let head = await lockHead();
      if (!head) {
        const genesis = { seq: 0, hash: genesisHash(deviceId) };
        if (events[0]!.seq > 1) return new Rollback({ kind: 'gap', head: genesis, expectedSeq: 1 });
        await sql.query('INSERT INTO device_heads (device_id, seq, hash) VALUES ($1, $2, $3) ON CONFLICT (device_id) DO NOTHING', [
          deviceId,
          genesis.seq,
          genesis.hash,
        ]);
        head = (await lockHead())!;
      }
      const first = events[0]!;
      const last = events[events.length - 1]!;
      if (first.seq > head.seq + 1) return new Rollback({ kind: 'gap', head, expectedSeq: head.seq + 1 });

      const duplicates = Math.max(0, Math.min(last.seq, head.seq) - first.seq + 1);
      if (duplicates > 0) {
        const stored = await all<{ seq: number; hash: string }>(
          sql,
          'SELECT seq, hash FROM events WHERE device_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq',
          [deviceId, first.seq, first.seq + duplicates - 1],
        );
        for (let i = 0; i < duplicates; i++) {
          const event = events[i]!;
          const row = stored[i];
          if (row?.seq !== event.seq) {
            throw new Error(`events of device "${deviceId}" are missing below its head (seq ${event.seq})`);
          }
          if (row.hash !== event.hash) return new Rollback({ kind: 'conflict', head, seq: event.seq });
        }
      }
      if (duplicates === events.length) return new Rollback({ kind: 'stored', head, stored: 0, duplicates });

      const fresh = events.slice(duplicates);
      const firstNew = fresh[0]!;
      if (firstNew.seq !== head.seq + 1) return new Rollback({ kind: 'gap', head, expectedSeq: head.seq + 1 });
      if (firstNew.prevHash !== head.hash) return new Rollback({ kind: 'chain-broken', head, seq: firstNew.seq });

      await sql.query(
        `INSERT INTO events (device_id, seq, v, id, type, payload_json, device_time, prev_hash, hash, signature, received_at, clock_skew_ms)
         SELECT $1, e.seq, e.v, e.id, e.type, e.payload_json, e.device_time, e.prev_hash, e.hash, e.signature, $11, $12
         FROM unnest($2::bigint[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[])
           AS e(seq, v, id, type, payload_json, device_time, prev_hash, hash, signature)`,
        [
          deviceId,
          fresh.map((e) => e.seq),
          fresh.map((e) => e.v),
          fresh.map((e) => e.id),
          fresh.map((e) => e.type),
          fresh.map((e) => canonicalJson(e.payload)),
          fresh.map((e) => e.deviceTime),
          fresh.map((e) => e.prevHash),
          fresh.map((e) => e.hash),
          fresh.map((e) => e.signature),
          receivedAt,
          clockSkewMs,
        ],
      );
      await sql.query('UPDATE device_heads SET seq = $2, hash = $3 WHERE device_id = $1', [deviceId, last.seq, last.hash]);
      return { kind: 'stored', head: { seq: last.seq, hash: last.hash }, stored: fresh.length, duplicates };
    });
  }

  async listEvents(deviceId: string, fromSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = await all<EventRow>(this.pool, 'SELECT * FROM events WHERE device_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3', [
      deviceId,
      fromSeq,
      limit,
    ]);
    return rows.map(toStoredEvent);
  }

  async countEvents(deviceId: string): Promise<number> {
    return (await one<{ n: number }>(this.pool, 'SELECT count(*) AS n FROM events WHERE device_id = $1', [deviceId]))!.n;
  }

  async raiseAlert(alert: NewAlert): Promise<Alert> {
    const row = await one<{ id: number }>(
      this.pool,
      'INSERT INTO alerts (device_id, kind, detail_json, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
      [alert.deviceId, alert.kind, JSON.stringify(alert.detail), alert.createdAt],
    );
    return { id: row!.id, ...alert };
  }

  /** Newest first; `limit` defaults to 100. */
  async listAlerts(options: { deviceId?: string; limit?: number } = {}): Promise<Alert[]> {
    const limit = options.limit ?? DEFAULT_ALERT_LIMIT;
    const rows =
      options.deviceId === undefined
        ? await all<AlertRow>(this.pool, 'SELECT * FROM alerts ORDER BY id DESC LIMIT $1', [limit])
        : await all<AlertRow>(this.pool, 'SELECT * FROM alerts WHERE device_id = $1 ORDER BY id DESC LIMIT $2', [options.deviceId, limit]);
    return rows.map(toAlert);
  }

  /**
   * Appends hold the `messages` advisory lock from before their cursor is drawn until their commit.
   *
   * Why: a BIGSERIAL value is drawn when the row is inserted, but becomes visible when its transaction
   * commits, and two concurrent appends may commit in the other order. A long poll or a stream reading
   * between those two commits would see cursor 8 without 7, move its cursor to 8, and never ask for 7
   * again: a message lost for that device. With appends serialised, the cursor order is the commit
   * order (the lock is released only after the commit is visible), so whatever a reader sees is a
   * prefix of the stream — cursors may have gaps (a rolled-back append), never late arrivals.
   * Appends are operator messages, far too rare for the lock to cost anything.
   */
  async appendMessage(message: MessageBody & { signature: string }): Promise<DownstreamMessage> {
    return inTransaction(this.pool, async (sql) => {
      await lockForTransaction(sql, 'messages');
      const row = await one<{ cursor: number }>(
        sql,
        `INSERT INTO messages (id, device_id, type, payload_json, created_at, signature)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING cursor`,
        [message.id, message.deviceId, message.type, canonicalJson(message.payload), message.createdAt, message.signature],
      );
      return {
        cursor: row!.cursor,
        id: message.id,
        deviceId: message.deviceId,
        type: message.type,
        payload: message.payload,
        createdAt: message.createdAt,
        signature: message.signature,
      };
    });
  }

  async messagesAfter(deviceId: string, afterCursor: number, limit: number): Promise<DownstreamMessage[]> {
    const rows = await all<MessageRow>(
      this.pool,
      'SELECT * FROM messages WHERE cursor > $1 AND (device_id = $2 OR device_id IS NULL) ORDER BY cursor LIMIT $3',
      [afterCursor, deviceId, limit],
    );
    return rows.map(toMessage);
  }

  /** Ends the pool (idempotent): waits for queries in flight, then closes every connection. */
  async close(): Promise<void> {
    this.closed ??= this.pool.end();
    return this.closed;
  }

  private centralWrite<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (sql) => {
      await lockForTransaction(sql, 'centralWrites');
      return work(sql);
    });
  }

  private snapshot<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }
}

const DEFAULT_ALERT_LIMIT = 100;

// ---- topology, in the caller's transaction ----

async function insertSite(sql: Sql, id: string, name: string): Promise<Site> {
  if (await exists(sql, 'sites', id)) throw new TopologyConflictError(`site "${id}" already exists`);
  await sql.query('INSERT INTO sites (id, name) VALUES ($1, $2)', [id, name]);
  return { id, name };
}

async function insertRoom(sql: Sql, input: NewRoom & { id: string }): Promise<Room> {
  if (!(await exists(sql, 'sites', input.siteId))) throw new ApiError('NOT_FOUND', `site "${input.siteId}" does not exist`);
  if (await exists(sql, 'rooms', input.id)) throw new TopologyConflictError(`room "${input.id}" already exists`);
  const sameNumber = await one<{ id: string }>(sql, 'SELECT id FROM rooms WHERE site_id = $1 AND number = $2', [input.siteId, input.number]);
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
  await sql.query('INSERT INTO rooms (id, site_id, number, name, rows, cols) VALUES ($1, $2, $3, $4, $5, $6)', [
    room.id,
    room.siteId,
    room.number,
    room.name,
    room.rows,
    room.cols,
  ]);
  const cells = gridCells(room.rows, room.cols).map((cell) => ({ ...cell, id: `${room.id}-${cell.label}` }));
  const taken = new Set(
    (await all<{ id: string }>(sql, 'SELECT id FROM booths WHERE id = ANY($1::text[])', [cells.map((c) => c.id)])).map((r) => r.id),
  );
  const clash = cells.find((cell) => taken.has(cell.id));
  if (clash) throw new TopologyConflictError(`booth "${clash.id}" already exists`);
  await sql.query(
    `INSERT INTO booths (id, room_id, row, col, label)
     SELECT b.id, $1, b.row, b.col, b.label FROM unnest($2::text[], $3::integer[], $4::integer[], $5::text[]) AS b(id, row, col, label)`,
    [room.id, cells.map((c) => c.id), cells.map((c) => c.row), cells.map((c) => c.col), cells.map((c) => c.label)],
  );
  return room;
}

async function insertGate(sql: Sql, input: NewGate & { id: string }): Promise<Gate> {
  if (!(await exists(sql, 'sites', input.siteId))) throw new ApiError('NOT_FOUND', `site "${input.siteId}" does not exist`);
  if (await exists(sql, 'gates', input.id)) throw new TopologyConflictError(`gate "${input.id}" already exists`);
  if ((input.role === 'room_door') !== (input.roomId !== null)) {
    throw new ApiError('BAD_INPUT', 'a room door needs roomId; an area entrance has none');
  }
  if (input.roomId !== null) {
    const room = await one<{ site_id: string }>(sql, 'SELECT site_id FROM rooms WHERE id = $1', [input.roomId]);
    if (!room) throw new ApiError('NOT_FOUND', `room "${input.roomId}" does not exist`);
    if (room.site_id !== input.siteId) {
      throw new ApiError('BAD_INPUT', `room "${input.roomId}" belongs to site "${room.site_id}", not "${input.siteId}"`);
    }
  }
  const gate: Gate = { id: input.id, siteId: input.siteId, name: input.name, role: input.role, roomId: input.roomId };
  await sql.query('INSERT INTO gates (id, site_id, name, role, room_id) VALUES ($1, $2, $3, $4, $5)', [
    gate.id,
    gate.siteId,
    gate.name,
    gate.role,
    gate.roomId,
  ]);
  return gate;
}

async function boothsOfRoom(sql: Sql, roomId: string): Promise<Booth[]> {
  return (await all<BoothRow>(sql, 'SELECT * FROM booths WHERE room_id = $1 ORDER BY row, col', [roomId])).map(toBooth);
}

async function exists(sql: Sql, table: 'sites' | 'rooms' | 'booths' | 'gates', id: string): Promise<boolean> {
  return (await one(sql, `SELECT 1 FROM ${table} WHERE id = $1`, [id])) !== undefined;
}

async function deviceById(sql: Sql, deviceId: string): Promise<DeviceRecord | null> {
  const row = await one<DeviceRow>(sql, 'SELECT * FROM devices WHERE id = $1', [deviceId]);
  return row ? toDeviceRecord(row) : null;
}

async function positionOf(sql: Sql, target: EnrolTarget): Promise<Position | null> {
  if (target.kind === 'booth') {
    const booth = await one<BoothRow>(sql, 'SELECT * FROM booths WHERE id = $1', [target.boothId]);
    if (!booth) return null;
    const room = (await roomById(sql, booth.room_id))!;
    return { kind: 'booth', site: (await siteById(sql, room.siteId))!, room, booth: toBooth(booth) };
  }
  const gate = await one<GateRow>(sql, 'SELECT * FROM gates WHERE id = $1', [target.gateId]);
  if (!gate) return null;
  return {
    kind: 'gate',
    site: (await siteById(sql, gate.site_id))!,
    gate: toGate(gate),
    room: gate.room_id === null ? null : await roomById(sql, gate.room_id),
  };
}

async function siteById(sql: Sql, id: string): Promise<Site | null> {
  return (await one<SiteRow>(sql, 'SELECT id, name FROM sites WHERE id = $1', [id])) ?? null;
}

async function roomById(sql: Sql, id: string): Promise<Room | null> {
  const row = await one<RoomRow>(sql, 'SELECT * FROM rooms WHERE id = $1', [id]);
  return row ? toRoom(row) : null;
}

/** A seq-0 row exists only inside a first batch's transaction, and is never committed (see ingestBatch). */
async function headOf(sql: Sql, deviceId: string): Promise<DeviceHead | null> {
  return (await one<DeviceHead>(sql, 'SELECT seq, hash FROM device_heads WHERE device_id = $1', [deviceId])) ?? null;
}

// ---- queries ----

async function all<R extends object>(sql: Sql, text: string, values?: unknown[]): Promise<R[]> {
  return (await sql.query<R & Record<string, unknown>>(text, values)).rows;
}

async function one<R extends object>(sql: Sql, text: string, values?: unknown[]): Promise<R | undefined> {
  return (await all<R>(sql, text, values))[0];
}


// ---- rows ----












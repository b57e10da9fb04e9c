import { createHash } from 'node:crypto';
import type { Compilable, Insertable, Kysely, SqlBool, Transaction } from 'kysely';
import { CompiledQuery, sql } from './kysely.node.ts';
import { ApiError } from '@kawei/shared/errors.ts';
import { generateEd25519 } from '@kawei/shared/crypto/ed25519.node.ts';
import { gridCells, type Booth, type Gate, type Position, type Room, type Site } from '@kawei/shared/domain/topology.ts';
import type { DeviceRecord, EnrolTarget, SiteTree } from '@kawei/shared/api/central-http.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { genesisHash } from '@kawei/shared/sync/event-chain.node.ts';
import type { DownstreamMessage, MessageBody } from '@kawei/shared/sync/sync-http.ts';
import { TopologyConflictError, type CentralIdentity, type CentralStore, type Enrolment, type EnrolmentAttempt, type NewEnrolmentCode, type NewGate, type NewRoom, type NewSite, type TopologyImportResult, type TopologySiteImport } from './central-store.ts';
import type { Alert, DeviceHead, IngestBatch, IngestOutcome, NewAlert, StoredEvent, SyncStore } from './sync-store.ts';
import type { CommitteeStore, LedgerAppendOutcome, LedgerEvent, LedgerFilter, NewLedgerEvent } from './committee-store.ts';
import { REPORT_FILE_KINDS, type NewReportFile, type ReportFileInfo, type ReportFileKind, type ReportStore } from './report-store.ts';
import type { CentralDatabase, ReportFileRow, StoreDialect } from './central-schema.ts';
import { PreparedQuery } from './prepared-query.node.ts';
import { assertConsecutiveChain, randomHex, targetId, targetOf, toAlert, toBooth, toDeviceRecord, toGate, toLedgerEvent, toMessage, toRoom, toStoredEvent } from './store-rows.node.ts';

/** The store's queries run on the database itself (autocommit) or inside one of its transactions. */
type Db = Kysely<CentralDatabase>;
type Trx = Transaction<CentralDatabase>;

/**
 * What a write transaction serialises on. On SQLite every write transaction is BEGIN IMMEDIATE: it
 * holds the database's one write lock from its first statement, so all of these are the same lock
 * there. On PostgreSQL, where transactions run concurrently at READ COMMITTED, each is a
 * transaction-level advisory lock taken before the first read (released by COMMIT or ROLLBACK):
 *
 * - 'central': topology, enrolment codes, enrolment and revocation. Operator actions and enrolments,
 *   a few a minute at most, so serialising them costs nothing, and every check they make (code
 *   unused, position free, key new, id free) holds until their commit: SQLite's semantics. The
 *   unique indexes stay as the last line of defence.
 * - { device }: one device's ingest, so two deliveries of the same batch (two requests, two central
 *   processes) queue, and the second sees the first's head. Devices do not wait for each other.
 * - 'messages': appends; see appendMessage.
 * - 'ledger': the committee ledger's appends (one chain per database; see appendLedgerEvent).
 * - 'rows': nothing beyond the row locks the statements take. Single writes go through write('rows')
 *   too, so that on SQLite they wait for the write lock as transactions do (without blocking).
 */
type WriteLock = 'central' | 'messages' | 'ledger' | 'rows' | { device: string };

/** Advisory locks are named by two int4 keys: the first says "Kawei" (and what kind), the second which one. */
export const PG_LOCK_SPACE = { kawei: 0x4b415745 /* 'KAWE' */, device: 0x4b415744 /* 'KAWD' */ } as const;
export const PG_LOCKS = { migrations: 1, central: 2, messages: 3, ledger: 4 } as const;

/** Thrown inside a transaction to roll it back and still answer `value`. */
class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back on purpose');
  }
}

const DEFAULT_ALERT_LIMIT = 100;
/** The largest multi-row INSERT: 256 events × 12 columns stay far below both databases' parameter limits. */
const MAX_ROWS_PER_INSERT = 256;

/**
 * The central's store, one implementation on SQLite and on PostgreSQL (Kysely builds each statement
 * for the database it runs on; the statements of every signed request and sync — device lookup,
 * nonce check, device head — are built once per store and then run with fresh arguments, see
 * PreparedQuery). This module owns every line of the central's DML; the schema is in
 * central-schema.ts; sqlite-central-store and postgres-central-store only open a database, apply the
 * migrations and hand it here. The contract suites in central/test run against both.
 *
 * The few places where the two databases need different SQL are `lock` (advisory locks exist only on
 * PostgreSQL), and the nonce purge (FOR UPDATE SKIP LOCKED). Everything else — refusals and their
 * ApiError codes, atomicity, orderings — is written once.
 */
export class CentralSqlStore implements CentralStore, SyncStore, CommitteeStore, ReportStore {
  private closed: Promise<void> | null = null;
  /** The SQL of multi-row INSERTs by table, columns and row count (see insertRows). */
  private readonly insertSql = new Map<string, string>();

  // The statements of every signed request and every sync, built once per store (see PreparedQuery).
  private readonly deviceById = prepare('deviceById', (db, a: { deviceId: string }) =>
    db.selectFrom('devices').selectAll().where('id', '=', a.deviceId),
  );
  private readonly stampLastSeen = prepare('stampLastSeen', (db, a: { deviceId: string; now: number }) =>
    db.updateTable('devices').set({ last_seen_at: a.now }).where('id', '=', a.deviceId).where('status', '=', 'active'),
  );
  private readonly insertNonce = prepare('insertNonce', (db, a: { deviceId: string; nonce: string; expiresAt: number }) =>
    db
      .insertInto('device_nonces')
      .values({ device_id: a.deviceId, nonce: a.nonce, expires_at: a.expiresAt })
      .onConflict((oc) => oc.columns(['device_id', 'nonce']).doNothing()),
  );
  /**
   * On PostgreSQL the purge skips rows another request is purging at the same moment (SKIP LOCKED):
   * two requests deleting overlapping sets could otherwise deadlock, and it changes nothing a caller
   * can see — those rows are going anyway. SQLite has one writer at a time and no row locks.
   */
  private readonly purgeExpiredNonces = prepare('purgeExpiredNonces', (db, a: { now: number }) =>
    this.dialect === 'sqlite'
      ? db.deleteFrom('device_nonces').where('expires_at', '<=', a.now)
      : db
          .deleteFrom('device_nonces')
          .where(
            sql<SqlBool>`(device_id, nonce) IN (${db
              .selectFrom('device_nonces')
              .select(['device_id', 'nonce'])
              .where('expires_at', '<=', a.now)
              .forUpdate()
              .skipLocked()})`,
          ),
  );
  private readonly headOf = prepare('headOf', (db, a: { deviceId: string }) =>
    db.selectFrom('device_heads').select(['seq', 'hash']).where('device_id', '=', a.deviceId),
  );
  private readonly advisoryLock = prepare('advisoryLock', (db, a: { space: number; key: number }) => ({
    compile: () => sql<unknown>`SELECT pg_advisory_xact_lock(${a.space}, ${a.key})`.compile(db),
  }));

  protected constructor(
    protected readonly db: Db,
    readonly dialect: StoreDialect,
  ) {}

  /** The first key pair wins when two processes open a new database together (ON CONFLICT DO NOTHING). */
  protected static identityInsert(db: Db) {
    const keys = generateEd25519();
    return db
      .insertInto('meta')
      .values({ id: 1, central_id: `central-${randomHex(6)}`, public_key: keys.publicKey, private_key_pkcs8: keys.privateKeyPkcs8 })
      .onConflict((oc) => oc.column('id').doNothing());
  }

  async getCentralIdentity(): Promise<CentralIdentity> {
    const row = await this.db.selectFrom('meta').select(['central_id', 'public_key', 'private_key_pkcs8']).where('id', '=', 1).executeTakeFirst();
    if (!row) throw new ApiError('INTERNAL', 'central identity missing from the database');
    return { centralId: row.central_id, publicKey: row.public_key, privateKeyPkcs8: row.private_key_pkcs8 };
  }

  async getOperatorTokenHash(): Promise<string | null> {
    const row = await this.db.selectFrom('meta').select('operator_token_sha256').where('id', '=', 1).executeTakeFirst();
    return row?.operator_token_sha256 ?? null;
  }

  async setOperatorTokenHashIfAbsent(tokenSha256Hex: string): Promise<boolean> {
    return this.write('rows', async (trx) => {
      const result = await trx
        .updateTable('meta')
        .set({ operator_token_sha256: tokenSha256Hex })
        .where('id', '=', 1)
        .where('operator_token_sha256', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    });
  }

  // ---- topology ----

  async createSite(input: NewSite): Promise<Site> {
    return this.write('central', (trx) => insertSite(trx, input.id ?? `site-${randomHex(4)}`, input.name));
  }

  async createRoom(input: NewRoom): Promise<Room & { booths: Booth[] }> {
    return this.write('central', async (trx) => {
      const room = await insertRoom(trx, { ...input, id: input.id ?? `room-${randomHex(4)}` });
      return { ...room, booths: await boothsOfRoom(trx, room.id) };
    });
  }

  async createGate(input: NewGate): Promise<Gate> {
    return this.write('central', (trx) => insertGate(trx, { ...input, id: input.id ?? `gate-${randomHex(4)}` }));
  }

  async importTopology(sites: readonly TopologySiteImport[]): Promise<TopologyImportResult> {
    return this.write('central', async (trx) => {
      const created = { sites: 0, rooms: 0, booths: 0, gates: 0 };
      for (const site of sites) {
        if (!(await exists(trx, 'sites', site.id))) {
          await insertSite(trx, site.id, site.name);
          created.sites++;
        }
        for (const room of site.rooms) {
          if (await exists(trx, 'rooms', room.id)) continue;
          await insertRoom(trx, { ...room, siteId: site.id });
          created.rooms++;
          created.booths += room.rows * room.cols;
        }
        for (const gate of site.gates) {
          if (await exists(trx, 'gates', gate.id)) continue;
          await insertGate(trx, { ...gate, siteId: site.id });
          created.gates++;
        }
      }
      return { created };
    });
  }

  /** Four reads from one snapshot, so a topology being written never shows half-done. */
  async listSiteTrees(): Promise<SiteTree[]> {
    return this.read(async (trx) => {
      const sites = await trx.selectFrom('sites').select(['id', 'name']).orderBy('id').execute();
      const rooms = (await trx.selectFrom('rooms').selectAll().orderBy('site_id').orderBy('number').execute()).map(toRoom);
      const booths = (await trx.selectFrom('booths').selectAll().orderBy('room_id').orderBy('row').orderBy('col').execute()).map(toBooth);
      const gates = (await trx.selectFrom('gates').selectAll().orderBy('site_id').orderBy('id').execute()).map(toGate);
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
    return this.write('central', async (trx) => {
      if ((await positionOf(trx, input.target)) === null) {
        throw new ApiError('NOT_FOUND', `${input.target.kind} "${targetId(input.target)}" does not exist`);
      }
      const result = await trx
        .insertInto('enrolment_codes')
        .values({
          code_sha256: input.codeSha256Hex,
          target_kind: input.target.kind,
          booth_id: input.target.kind === 'booth' ? input.target.boothId : null,
          gate_id: input.target.kind === 'gate' ? input.target.gateId : null,
          created_at: input.createdAt,
          expires_at: input.expiresAt,
        })
        .onConflict((oc) => oc.column('code_sha256').doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n;
    });
  }

  /**
   * Under the 'central' write lock (SQLite: BEGIN IMMEDIATE), so of any number of concurrent
   * consumers — on any connection, in any process — exactly one sees the code unused; the others
   * then see it used (ENROL_CODE_USED). Two codes for one position, or one key at two positions,
   * resolve the same way: POSITION_TAKEN, ALREADY_ENROLLED.
   */
  async consumeEnrolmentCode(attempt: EnrolmentAttempt): Promise<Enrolment> {
    return this.write('central', async (trx): Promise<Enrolment> => {
      const code = await trx
        .selectFrom('enrolment_codes')
        .select(['target_kind', 'booth_id', 'gate_id', 'expires_at', 'used_at'])
        .where('code_sha256', '=', attempt.codeSha256Hex)
        .executeTakeFirst();
      if (!code) throw new ApiError('ENROL_CODE_INVALID', 'no such enrolment code');
      if (code.used_at !== null) throw new ApiError('ENROL_CODE_USED', 'this enrolment code has already been used');
      if (attempt.now >= code.expires_at) throw new ApiError('ENROL_CODE_EXPIRED', 'this enrolment code has expired');
      if (code.target_kind !== attempt.kind) {
        throw new ApiError('ENROL_CODE_WRONG_KIND', `this enrolment code is for a ${code.target_kind}, not a ${attempt.kind}`);
      }
      const target = targetOf(code);
      const holder = await trx
        .selectFrom('devices')
        .select('id')
        .where('status', '=', 'active')
        .where(target.kind === 'booth' ? 'booth_id' : 'gate_id', '=', targetId(target))
        .executeTakeFirst();
      if (holder) {
        throw new ApiError(
          'POSITION_TAKEN',
          `${target.kind} "${targetId(target)}" already has active device "${holder.id}"; revoke it first`,
        );
      }
      const sameKey = await trx.selectFrom('devices').select('id').where('public_key', '=', attempt.publicKey).executeTakeFirst();
      if (sameKey) throw new ApiError('ALREADY_ENROLLED', `this key is already enrolled as device "${sameKey.id}"`);

      const deviceId = `dev-${randomHex(6)}`;
      await trx
        .insertInto('devices')
        .values({
          id: deviceId,
          kind: target.kind,
          booth_id: code.booth_id,
          gate_id: code.gate_id,
          public_key: attempt.publicKey,
          hostname: attempt.hostname,
          app_version: attempt.appVersion,
          status: 'active',
          enrolled_at: attempt.now,
          revoked_at: null,
          last_seen_at: null,
        })
        .execute();
      await trx
        .updateTable('enrolment_codes')
        .set({ used_at: attempt.now, used_by_device: deviceId })
        .where('code_sha256', '=', attempt.codeSha256Hex)
        .execute();
      const position = await positionOf(trx, target);
      if (!position) throw new ApiError('INTERNAL', `enrolment code points at missing ${target.kind} "${targetId(target)}"`);
      return { device: (await this.device(trx, deviceId))!, position };
    });
  }

  // ---- devices ----

  async getDevice(deviceId: string): Promise<DeviceRecord | null> {
    return this.device(this.db, deviceId);
  }

  async listDevices(): Promise<DeviceRecord[]> {
    return (await this.db.selectFrom('devices').selectAll().orderBy('enrolled_at').orderBy('id').execute()).map(toDeviceRecord);
  }

  async revokeDevice(deviceId: string, now: number): Promise<DeviceRecord> {
    return this.write('central', async (trx) => {
      const result = await trx
        .updateTable('devices')
        .set({ status: 'revoked', revoked_at: now })
        .where('id', '=', deviceId)
        .where('status', '=', 'active')
        .executeTakeFirst();
      const device = await this.device(trx, deviceId);
      if (!device) throw new ApiError('NOT_FOUND', `device "${deviceId}" does not exist`);
      if (result.numUpdatedRows === 1n) await trx.deleteFrom('device_nonces').where('device_id', '=', deviceId).execute();
      return device;
    });
  }

  async getPosition(target: EnrolTarget): Promise<Position | null> {
    return this.read((trx) => positionOf(trx, target));
  }

  /**
   * Stamps last_seen_at first: that UPDATE finds the device only if it is still active, and (on
   * PostgreSQL) locks its row, so a revocation either committed before (→ 'revoked') or waits for us
   * and then deletes the nonce we stored. A replay rolls the stamp back.
   */
  async acceptDeviceNonce(input: {
    deviceId: string;
    nonce: string;
    expiresAt: number;
    now: number;
  }): Promise<'accepted' | 'replayed' | 'revoked'> {
    return this.write('rows', async (trx) => {
      const seen = await this.stampLastSeen.affected(trx, { deviceId: input.deviceId, now: input.now });
      if (seen !== 1n) return 'revoked' as const;
      await this.purgeExpiredNonces.execute(trx, { now: input.now });
      const inserted = await this.insertNonce.affected(trx, { deviceId: input.deviceId, nonce: input.nonce, expiresAt: input.expiresAt });
      if (inserted !== 1n) throw new Rollback('replayed' as const);
      return 'accepted' as const;
    });
  }

  // ---- sync (SyncStore) ----

  async getDeviceHead(deviceId: string): Promise<DeviceHead> {
    return this.head(this.db, deviceId);
  }

  /**
   * One transaction, serialised per device (see WriteLock), so the second of two deliveries of the
   * same batch sees the first's head and gets its events back as duplicates. Every refusal is decided
   * before anything is written; the stored hashes of the whole duplicate range come back in one query
   * and the new events go in as multi-row INSERTs, with the new head in the same transaction.
   */
  async ingestBatch(input: IngestBatch): Promise<IngestOutcome> {
    const { deviceId, events, receivedAt, clockSkewMs } = input;
    assertConsecutiveChain(events);
    return this.write({ device: deviceId }, async (trx): Promise<IngestOutcome> => {
      const head = await this.head(trx, deviceId);
      const first = events[0]!;
      const last = events[events.length - 1]!;
      if (first.seq > head.seq + 1) return { kind: 'gap', head, expectedSeq: head.seq + 1 };

      const duplicates = Math.max(0, Math.min(last.seq, head.seq) - first.seq + 1);
      if (duplicates > 0) {
        const stored = await trx
          .selectFrom('events')
          .select(['seq', 'hash'])
          .where('device_id', '=', deviceId)
          .where('seq', '>=', first.seq)
          .where('seq', '<=', first.seq + duplicates - 1)
          .orderBy('seq')
          .execute();
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

      const fresh = events.slice(duplicates);
      const firstNew = fresh[0]!;
      if (firstNew.seq !== head.seq + 1) return { kind: 'gap', head, expectedSeq: head.seq + 1 };
      if (firstNew.prevHash !== head.hash) return { kind: 'chain-broken', head, seq: firstNew.seq };

      await this.insertRows(
        trx,
        'events',
        fresh.map((e) => ({
          device_id: deviceId,
          seq: e.seq,
          v: e.v,
          id: e.id,
          type: e.type,
          payload_json: canonicalJson(e.payload),
          device_time: e.deviceTime,
          prev_hash: e.prevHash,
          hash: e.hash,
          signature: e.signature,
          received_at: receivedAt,
          clock_skew_ms: clockSkewMs,
        })),
      );
      await trx
        .insertInto('device_heads')
        .values({ device_id: deviceId, seq: last.seq, hash: last.hash })
        .onConflict((oc) => oc.column('device_id').doUpdateSet({ seq: last.seq, hash: last.hash }))
        .execute();
      return { kind: 'stored', head: { seq: last.seq, hash: last.hash }, stored: fresh.length, duplicates };
    });
  }

  async listEvents(deviceId: string, fromSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('seq', '>=', fromSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toStoredEvent);
  }

  async countEvents(deviceId: string): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('device_id', '=', deviceId)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  async raiseAlert(alert: NewAlert): Promise<Alert> {
    return this.write('rows', async (trx) => {
      const row = await trx
        .insertInto('alerts')
        .values({ device_id: alert.deviceId, kind: alert.kind, detail_json: JSON.stringify(alert.detail), created_at: alert.createdAt })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: row.id, ...alert };
    });
  }

  /** Newest first; `limit` defaults to 100. */
  async listAlerts(options: { deviceId?: string; limit?: number } = {}): Promise<Alert[]> {
    const { deviceId } = options;
    const rows = await this.db
      .selectFrom('alerts')
      .selectAll()
      .$if(deviceId !== undefined, (qb) => qb.where('device_id', '=', deviceId!))
      .orderBy('id', 'desc')
      .limit(options.limit ?? DEFAULT_ALERT_LIMIT)
      .execute();
    return rows.map(toAlert);
  }

  /**
   * Appends hold the 'messages' lock from before their cursor is drawn until their commit.
   *
   * Why (PostgreSQL): a BIGSERIAL value is drawn when the row is inserted but becomes visible when its
   * transaction commits, and two concurrent appends may commit in the other order. A long poll or a
   * stream reading between those two commits would see cursor 8 without 7, move its cursor to 8, and
   * never ask for 7 again: a message lost for that device. With appends serialised, the cursor order
   * is the commit order, so whatever a reader sees is a prefix of the stream — cursors may have gaps
   * (a rolled-back append), never late arrivals. Appends are operator messages, far too rare for the
   * lock to cost anything. (SQLite has one writer at a time anyway.)
   */
  async appendMessage(message: MessageBody & { signature: string }): Promise<DownstreamMessage> {
    return this.write('messages', async (trx) => {
      const row = await trx
        .insertInto('messages')
        .values({
          id: message.id,
          device_id: message.deviceId,
          type: message.type,
          payload_json: canonicalJson(message.payload),
          created_at: message.createdAt,
          signature: message.signature,
        })
        .returning('cursor')
        .executeTakeFirstOrThrow();
      return {
        cursor: row.cursor,
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
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('cursor', '>', afterCursor)
      .where((eb) => eb.or([eb('device_id', '=', deviceId), eb('device_id', 'is', null)]))
      .orderBy('cursor')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  // ---- the committee ledger (CommitteeStore) ----

  async getLedgerHead(): Promise<DeviceHead> {
    return this.ledgerHead(this.db);
  }

  /**
   * Under the 'ledger' lock (SQLite: BEGIN IMMEDIATE), so of two appends built on the same head —
   * from the server and from the CLI — one is stored and the other finds the new head: 'stale'.
   */
  async appendLedgerEvent(input: NewLedgerEvent): Promise<LedgerAppendOutcome> {
    const { event, date, project } = input;
    return this.write('ledger', async (trx): Promise<LedgerAppendOutcome> => {
      const head = await this.ledgerHead(trx);
      if (event.seq !== head.seq + 1 || event.prevHash !== head.hash) return { kind: 'stale', head };
      await trx
        .insertInto('committee_ledger')
        .values({
          seq: event.seq,
          device_id: event.deviceId,
          v: event.v,
          id: event.id,
          type: event.type,
          payload_json: canonicalJson(event.payload),
          device_time: event.deviceTime,
          prev_hash: event.prevHash,
          hash: event.hash,
          signature: event.signature,
          date,
          project,
        })
        .execute();
      return { kind: 'appended', head: { seq: event.seq, hash: event.hash } };
    });
  }

  async listLedger(filter: LedgerFilter): Promise<LedgerEvent[]> {
    const rows = await this.db
      .selectFrom('committee_ledger')
      .selectAll()
      .$if(filter.project !== undefined, (qb) => qb.where('project', '=', filter.project!))
      .$if(filter.date !== undefined, (qb) => qb.where('date', '=', filter.date!))
      .$if(filter.fromSeq !== undefined, (qb) => qb.where('seq', '>=', filter.fromSeq!))
      .orderBy('seq')
      .$if(filter.limit !== undefined, (qb) => qb.limit(filter.limit!))
      .execute();
    return rows.map(toLedgerEvent);
  }

  async listEventsByTypes(
    types: readonly string[],
    options: { after?: { deviceId: string; seq: number }; limit?: number } = {},
  ): Promise<StoredEvent[]> {
    if (types.length === 0) return [];
    const { after } = options;
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('type', 'in', [...types])
      .$if(after !== undefined, (qb) =>
        qb.where((eb) => eb.or([eb('device_id', '>', after!.deviceId), eb.and([eb('device_id', '=', after!.deviceId), eb('seq', '>', after!.seq)])])),
      )
      .orderBy('device_id')
      .orderBy('seq')
      .limit(options.limit ?? 10_000)
      .execute();
    return rows.map(toStoredEvent);
  }

  async listDeviceHeads(): Promise<{ deviceId: string; seq: number }[]> {
    const rows = await this.db.selectFrom('device_heads').select(['device_id', 'seq']).orderBy('device_id').execute();
    return rows.map((r) => ({ deviceId: r.device_id, seq: Number(r.seq) }));
  }

  async listDeviceEventsByTypes(deviceId: string, types: readonly string[], range: { afterSeq: number; upToSeq: number }): Promise<StoredEvent[]> {
    if (types.length === 0 || range.upToSeq <= range.afterSeq) return [];
    // events_by_type (type, device_id, seq): one range per type.
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('type', 'in', [...types])
      .where('device_id', '=', deviceId)
      .where('seq', '>', range.afterSeq)
      .where('seq', '<=', range.upToSeq)
      .orderBy('seq')
      .execute();
    return rows.map(toStoredEvent);
  }

  async getEvent(deviceId: string, seq: number): Promise<StoredEvent | null> {
    const row = await this.db.selectFrom('events').selectAll().where('device_id', '=', deviceId).where('seq', '=', seq).executeTakeFirst();
    return row ? toStoredEvent(row) : null;
  }

  // ---- the report's files (ReportStore) ----

  /**
   * Content-addressed and write-once: the name is checked against the bytes before anything is
   * written, and a second put of a stored hash changes nothing (ON CONFLICT DO NOTHING, so two
   * processes putting the same file at once both succeed and one row is kept).
   */
  async putReportFile(file: NewReportFile): Promise<void> {
    checkReportFileName(file.sha256);
    if (!REPORT_FILE_KIND_SET.has(file.kind)) throw new ApiError('BAD_INPUT', `unknown report file kind "${String(file.kind)}"`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(file.date)) throw new ApiError('BAD_INPUT', `report file date "${file.date}" is not YYYY-MM-DD`);
    if (file.project.length === 0) throw new ApiError('BAD_INPUT', 'report file project is empty');
    const actual = createHash('sha256').update(file.bytes).digest('hex');
    if (actual !== file.sha256) throw new ApiError('BAD_INPUT', `report file bytes hash to ${actual}, not to ${file.sha256}`);
    const bytes = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
    await this.write('rows', (trx) =>
      trx
        .insertInto('report_files')
        .values({ sha256: file.sha256, date: file.date, project: file.project, kind: file.kind, size: bytes.length, bytes, created_at: Date.now() })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute(),
    );
  }

  async getReportFile(sha256: string): Promise<(ReportFileInfo & { bytes: Uint8Array }) | null> {
    if (!REPORT_FILE_NAME.test(sha256)) return null;
    const row = await this.db.selectFrom('report_files').selectAll().where('sha256', '=', sha256).executeTakeFirst();
    if (!row) return null;
    const bytes = new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
    return { ...toReportFileInfo(row), bytes };
  }

  async listReportFiles(date: string, project: string): Promise<ReportFileInfo[]> {
    const rows = await this.db
      .selectFrom('report_files')
      .select(['sha256', 'date', 'project', 'kind', 'size', 'created_at'])
      .where('date', '=', date)
      .where('project', '=', project)
      .orderBy('created_at')
      .orderBy('sha256')
      .execute();
    return rows.map(toReportFileInfo);
  }

  /** The ledger's head: its last event, or the genesis of the central's id. */
  private async ledgerHead(db: Db): Promise<DeviceHead> {
    const last = await db.selectFrom('committee_ledger').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (last) return last;
    const id = (await db.selectFrom('meta').select('central_id').where('id', '=', 1).executeTakeFirstOrThrow()).central_id;
    return { seq: 0, hash: genesisHash(id) };
  }

  /** Closes the database (idempotent): waits for queries in flight, then closes every connection. */
  async close(): Promise<void> {
    this.closed ??= this.db.destroy();
    return this.closed;
  }

  /**
   * Inserts `rows` (all with the same columns, in the same order) as multi-row INSERTs of 2^k rows,
   * largest first. Building a 256-row statement with Kysely takes milliseconds — longer than storing
   * it — so each size's SQL is built once per store and then run with the rows' values; the few
   * distinct statements also stay in SQLite's statement cache. Built from markers 0, 1, 2…, the
   * statement is checked to take its parameters row by row, column by column, as they are passed.
   */
  private async insertRows<T extends keyof CentralDatabase>(trx: Trx, table: T, rows: Insertable<CentralDatabase[T]>[]): Promise<void> {
    for (let at = 0; at < rows.length; ) {
      const size = 2 ** Math.floor(Math.log2(Math.min(rows.length - at, MAX_ROWS_PER_INSERT)));
      const chunk = rows.slice(at, at + size) as Record<string, unknown>[];
      const columns = Object.keys(chunk[0]!);
      const key = `${table}(${columns.join(',')})×${size}`;
      let text = this.insertSql.get(key);
      if (text === undefined) {
        let marker = 0;
        const markers = chunk.map(() => Object.fromEntries(columns.map((column) => [column, marker++])));
        const compiled = trx.insertInto(table).values(markers as Insertable<CentralDatabase[T]>[]).compile();
        if (compiled.parameters.length !== marker || compiled.parameters.some((p, i) => p !== i)) {
          throw new Error(`the ${key} INSERT does not take its parameters in row order`);
        }
        text = compiled.sql;
        this.insertSql.set(key, text);
      }
      await trx.executeQuery(CompiledQuery.raw(text, chunk.flatMap((row) => columns.map((column) => row[column]))));
      at += size;
    }
  }

  // ---- transactions ----

  /**
   * One write transaction holding `lock` from its start (see WriteLock): committed if `work` returns,
   * rolled back if it throws — and still answering if what it threw was a Rollback.
   */
  private async write<T>(lock: WriteLock, work: (trx: Trx) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await this.lock(trx, lock);
        return work(trx);
      });
    } catch (error) {
      if (error instanceof Rollback) return error.value as T;
      throw error;
    }
  }

  private async lock(trx: Trx, lock: WriteLock): Promise<void> {
    if (this.dialect === 'sqlite' || lock === 'rows') return; // BEGIN IMMEDIATE holds the one write lock
    const [space, key] =
      typeof lock === 'object' ? [PG_LOCK_SPACE.device, deviceLockKey(lock.device)] : [PG_LOCK_SPACE.kawei, PG_LOCKS[lock]];
    await this.advisoryLock.execute(trx, { space, key });
  }

  private async device(db: Db, deviceId: string): Promise<DeviceRecord | null> {
    const row = await this.deviceById.takeFirst(db, { deviceId });
    return row ? toDeviceRecord(row) : null;
  }

  private async head(db: Db, deviceId: string): Promise<DeviceHead> {
    return (await this.headOf.takeFirst(db, { deviceId })) ?? { seq: 0, hash: genesisHash(deviceId) };
  }

  /**
   * Reads from one snapshot: REPEATABLE READ on PostgreSQL; a deferred (read) transaction on SQLite,
   * whose WAL snapshot is as consistent.
   */
  private read<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
  }
}

const REPORT_FILE_NAME = /^[0-9a-f]{64}$/;
const REPORT_FILE_KIND_SET: ReadonlySet<string> = new Set(REPORT_FILE_KINDS);

function checkReportFileName(sha256: string): void {
  if (!REPORT_FILE_NAME.test(sha256)) throw new ApiError('BAD_INPUT', `report file name "${sha256.slice(0, 80)}" is not a lower-case SHA-256 hex`);
}

function toReportFileInfo(row: Omit<ReportFileRow, 'bytes'>): ReportFileInfo {
  return {
    sha256: row.sha256,
    date: row.date,
    project: row.project,
    kind: row.kind as ReportFileKind,
    size: Number(row.size),
    createdAt: Number(row.created_at),
  };
}

/** A device's advisory-lock key: the first 32 bits of its id's SHA-256 (a collision only makes two devices queue). */
function deviceLockKey(deviceId: string): number {
  return createHash('sha256').update(deviceId).digest().readInt32BE(0);
}

/** A statement of the store's, built once with Kysely and then run with fresh arguments. */
function prepare<P extends Record<string, unknown>, R>(name: string, build: (db: Db, args: P) => Compilable<R>): PreparedQuery<CentralDatabase, P, R> {
  return new PreparedQuery(name, build);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- topology, in the caller's transaction ----

async function insertSite(trx: Trx, id: string, name: string): Promise<Site> {
  if (await exists(trx, 'sites', id)) throw new TopologyConflictError(`site "${id}" already exists`);
  await trx.insertInto('sites').values({ id, name }).execute();
  return { id, name };
}

async function insertRoom(trx: Trx, input: NewRoom & { id: string }): Promise<Room> {
  if (!(await exists(trx, 'sites', input.siteId))) throw new ApiError('NOT_FOUND', `site "${input.siteId}" does not exist`);
  if (await exists(trx, 'rooms', input.id)) throw new TopologyConflictError(`room "${input.id}" already exists`);
  const sameNumber = await trx
    .selectFrom('rooms')
    .select('id')
    .where('site_id', '=', input.siteId)
    .where('number', '=', input.number)
    .executeTakeFirst();
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
  await trx
    .insertInto('rooms')
    .values({ id: room.id, site_id: room.siteId, number: room.number, name: room.name, rows: room.rows, cols: room.cols })
    .execute();
  const booths = gridCells(room.rows, room.cols).map((cell) => ({ id: `${room.id}-${cell.label}`, room_id: room.id, ...cell }));
  for (const chunk of chunks(booths, MAX_ROWS_PER_INSERT)) {
    const ids = chunk.map((b) => b.id);
    const taken = new Set((await trx.selectFrom('booths').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
    const clash = ids.find((id) => taken.has(id));
    if (clash) throw new TopologyConflictError(`booth "${clash}" already exists`);
    await trx
      .insertInto('booths')
      .values(chunk.map((b) => ({ id: b.id, room_id: b.room_id, row: b.row, col: b.col, label: b.label })))
      .execute();
  }
  return room;
}

async function insertGate(trx: Trx, input: NewGate & { id: string }): Promise<Gate> {
  if (!(await exists(trx, 'sites', input.siteId))) throw new ApiError('NOT_FOUND', `site "${input.siteId}" does not exist`);
  if (await exists(trx, 'gates', input.id)) throw new TopologyConflictError(`gate "${input.id}" already exists`);
  if ((input.role === 'room_door') !== (input.roomId !== null)) {
    throw new ApiError('BAD_INPUT', 'a room door needs roomId; an area entrance has none');
  }
  if (input.roomId !== null) {
    const room = await trx.selectFrom('rooms').select('site_id').where('id', '=', input.roomId).executeTakeFirst();
    if (!room) throw new ApiError('NOT_FOUND', `room "${input.roomId}" does not exist`);
    if (room.site_id !== input.siteId) {
      throw new ApiError('BAD_INPUT', `room "${input.roomId}" belongs to site "${room.site_id}", not "${input.siteId}"`);
    }
  }
  const gate: Gate = { id: input.id, siteId: input.siteId, name: input.name, role: input.role, roomId: input.roomId };
  await trx
    .insertInto('gates')
    .values({ id: gate.id, site_id: gate.siteId, name: gate.name, role: gate.role, room_id: gate.roomId })
    .execute();
  return gate;
}

async function boothsOfRoom(trx: Trx, roomId: string): Promise<Booth[]> {
  return (await trx.selectFrom('booths').selectAll().where('room_id', '=', roomId).orderBy('row').orderBy('col').execute()).map(toBooth);
}

async function exists(trx: Trx, table: 'sites' | 'rooms' | 'booths' | 'gates', id: string): Promise<boolean> {
  return (await trx.selectFrom(table as 'sites').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

// ---- lookups, on the database or in a transaction ----

async function positionOf(db: Db, target: EnrolTarget): Promise<Position | null> {
  if (target.kind === 'booth') {
    const booth = await db.selectFrom('booths').selectAll().where('id', '=', target.boothId).executeTakeFirst();
    if (!booth) return null;
    const room = (await roomById(db, booth.room_id))!;
    return { kind: 'booth', site: (await siteById(db, room.siteId))!, room, booth: toBooth(booth) };
  }
  const gate = await db.selectFrom('gates').selectAll().where('id', '=', target.gateId).executeTakeFirst();
  if (!gate) return null;
  return {
    kind: 'gate',
    site: (await siteById(db, gate.site_id))!,
    gate: toGate(gate),
    room: gate.room_id === null ? null : await roomById(db, gate.room_id),
  };
}

async function siteById(db: Db, id: string): Promise<Site | null> {
  return (await db.selectFrom('sites').select(['id', 'name']).where('id', '=', id).executeTakeFirst()) ?? null;
}

async function roomById(db: Db, id: string): Promise<Room | null> {
  const row = await db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRoom(row) : null;
}


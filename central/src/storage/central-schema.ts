import type { ColumnDataType, ColumnDefinitionBuilder, Compilable, Expression, Generated, RawBuilder, SchemaModule, SqlBool } from 'kysely';
import { sql } from './kysely.node.ts';

type DataTypeExpression = ColumnDataType | Expression<unknown>;
import type { AlertRow, BoothRow, DeviceRow, EventRow, GateRow, LedgerRow, MessageRow, RoomRow, SiteRow } from './store-rows.node.ts';

/**
 * The central's schema, once for both databases: the tables as Kysely sees them (CentralDatabase) and
 * the numbered migrations that make them, written with Kysely's schema builder. sqlite-central-store
 * and postgres-central-store each run this list with their own bookkeeping (SQLite: PRAGMA
 * user_version; PostgreSQL: the schema_migrations table), as the stores before them did, so existing
 * databases open unchanged.
 *
 * A migration is applied once, in order, and never edited after release: versions 1 and 2 make, on
 * each database, exactly the tables the two hand-written schemas made before (test:
 * central/test/store-schema.test.ts compares them). Where the databases differ, the column types say
 * how (ColumnTypes below); everything else is one line for both.
 */
export interface CentralDatabase {
  meta: MetaTable;
  sites: SiteRow;
  rooms: RoomRow;
  booths: BoothRow;
  gates: GateRow;
  devices: DeviceRow;
  enrolment_codes: EnrolmentCodeTable;
  device_nonces: { device_id: string; nonce: string; expires_at: number };
  device_heads: { device_id: string; seq: number; hash: string };
  events: EventRow;
  alerts: Omit<AlertRow, 'id'> & { id: Generated<number> };
  messages: Omit<MessageRow, 'cursor'> & { cursor: Generated<number> };
  committee_ledger: LedgerRow;
  report_files: ReportFileRow;
}

/** A report file (issue #14, report-store.ts): content-addressed, write-once. */
export interface ReportFileRow {
  sha256: string;
  date: string;
  project: string;
  kind: string;
  size: number;
  bytes: Buffer;
  created_at: number;
}

interface MetaTable {
  id: number;
  central_id: string;
  public_key: string;
  private_key_pkcs8: Buffer;
  operator_token_sha256: string | null;
}

interface EnrolmentCodeTable {
  code_sha256: string;
  target_kind: 'booth' | 'gate';
  booth_id: string | null;
  gate_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by_device: string | null;
}

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * What differs between the two databases' column types:
 *
 * - Ids are TEXT COLLATE "C" on PostgreSQL: ORDER BY then compares bytes, as SQLite's BINARY
 *   collation does, so listings come out in the same order whatever locale the database has.
 * - Epoch milliseconds, sequence numbers and serial ids are BIGINT on PostgreSQL (INTEGER is 32-bit
 *   there; SQLite's INTEGER is 64-bit). pg reads them back as numbers (KAWEI_PG_TYPES).
 * - SQLite's sync tables are STRICT (a value of the wrong type is an error, not silently stored);
 *   events, heads and nonces are WITHOUT ROWID: looked up and range-scanned only by their primary
 *   key, which then is the table itself.
 * - device_heads.seq may be 0 on PostgreSQL: the released migration 2 allowed it for a genesis row the
 *   store of that time wrote inside a transaction (and never committed). The store no longer does; the
 *   check stays as released.
 *
 * Payloads are TEXT on both: the canonical JSON that was hashed or signed, given back byte for byte
 * (JSONB would reorder keys and normalise numbers).
 */
interface ColumnTypes {
  id: DataTypeExpression;
  int64: DataTypeExpression;
  bytes: DataTypeExpression;
  serialKey: { type: DataTypeExpression; column: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder };
  strictWithoutRowid: RawBuilder<unknown> | null;
  strict: RawBuilder<unknown> | null;
  withoutRowid: RawBuilder<unknown> | null;
  lowestHeadSeq: 0 | 1;
}

const COLUMN_TYPES: Record<StoreDialect, ColumnTypes> = {
  sqlite: {
    id: 'text',
    int64: 'integer',
    bytes: 'blob',
    serialKey: { type: 'integer', column: (c) => c.primaryKey().autoIncrement() },
    strictWithoutRowid: sql`strict, without rowid`,
    strict: sql`strict`,
    withoutRowid: sql`without rowid`,
    lowestHeadSeq: 1,
  },
  postgres: {
    id: sql`text collate "C"`,
    int64: 'bigint',
    bytes: 'bytea',
    serialKey: { type: 'bigserial', column: (c) => c.primaryKey() },
    strictWithoutRowid: null,
    strict: null,
    withoutRowid: null,
    lowestHeadSeq: 0,
  },
};

export interface CentralMigration {
  version: number;
  description: string;
  /** The statements, in order, built on the database's own schema module (so they compile for it). */
  statements(schema: SchemaModule, dialect: StoreDialect): Compilable[];
}

/** Appends a table option (STRICT, WITHOUT ROWID) where the database has it. */
function withEnd<B extends { modifyEnd(modifier: RawBuilder<unknown>): B }>(builder: B, end: RawBuilder<unknown> | null): B {
  return end === null ? builder : builder.modifyEnd(end);
}

export const CENTRAL_MIGRATIONS: readonly CentralMigration[] = [
  {
    version: 1,
    description: 'identity, topology, enrolment codes, devices, nonces',
    statements: (schema, dialect) => {
      const t = COLUMN_TYPES[dialect];
      return [
        schema
          .createTable('meta')
          .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
          .addColumn('central_id', 'text', (c) => c.notNull())
          .addColumn('public_key', 'text', (c) => c.notNull())
          .addColumn('private_key_pkcs8', t.bytes, (c) => c.notNull())
          .addColumn('operator_token_sha256', 'text'),
        schema
          .createTable('sites')
          .addColumn('id', t.id, (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull()),
        schema
          .createTable('rooms')
          .addColumn('id', t.id, (c) => c.primaryKey())
          .addColumn('site_id', t.id, (c) => c.notNull().references('sites.id'))
          .addColumn('number', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('rows', 'integer', (c) => c.notNull())
          .addColumn('cols', 'integer', (c) => c.notNull())
          .addUniqueConstraint('rooms_site_id_number_key', ['site_id', 'number']),
        schema
          .createTable('booths')
          .addColumn('id', t.id, (c) => c.primaryKey())
          .addColumn('room_id', t.id, (c) => c.notNull().references('rooms.id'))
          .addColumn('row', 'integer', (c) => c.notNull())
          .addColumn('col', 'integer', (c) => c.notNull())
          .addColumn('label', t.id, (c) => c.notNull())
          .addUniqueConstraint('booths_room_id_label_key', ['room_id', 'label']),
        schema
          .createTable('gates')
          .addColumn('id', t.id, (c) => c.primaryKey())
          .addColumn('site_id', t.id, (c) => c.notNull().references('sites.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull().check(sql`role IN ('area_entrance', 'room_door')`))
          .addColumn('room_id', t.id, (c) => c.references('rooms.id'))
          .addCheckConstraint('gates_check', sql`(role = 'room_door') = (room_id IS NOT NULL)`),
        schema
          .createTable('devices')
          .addColumn('id', t.id, (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('booth', 'gate')`))
          .addColumn('booth_id', t.id, (c) => c.references('booths.id'))
          .addColumn('gate_id', t.id, (c) => c.references('gates.id'))
          .addColumn('public_key', 'text', (c) => c.notNull().unique())
          .addColumn('hostname', 'text', (c) => c.notNull())
          .addColumn('app_version', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('active', 'revoked')`))
          .addColumn('enrolled_at', t.int64, (c) => c.notNull())
          .addColumn('revoked_at', t.int64)
          .addColumn('last_seen_at', t.int64)
          .addCheckConstraint('devices_check', sql`(kind = 'booth') = (booth_id IS NOT NULL) AND (kind = 'gate') = (gate_id IS NOT NULL)`),
        // The store refuses POSITION_TAKEN itself; these indexes make a second active device at one
        // position impossible even for a buggy future caller.
        schema
          .createIndex('devices_one_active_per_booth')
          .on('devices')
          .column('booth_id')
          .unique()
          .where(sql.raw<SqlBool>(`status = 'active' AND booth_id IS NOT NULL`)),
        schema
          .createIndex('devices_one_active_per_gate')
          .on('devices')
          .column('gate_id')
          .unique()
          .where(sql.raw<SqlBool>(`status = 'active' AND gate_id IS NOT NULL`)),
        schema
          .createTable('enrolment_codes')
          .addColumn('code_sha256', t.id, (c) => c.primaryKey())
          .addColumn('target_kind', 'text', (c) => c.notNull().check(sql`target_kind IN ('booth', 'gate')`))
          .addColumn('booth_id', t.id, (c) => c.references('booths.id'))
          .addColumn('gate_id', t.id, (c) => c.references('gates.id'))
          .addColumn('created_at', t.int64, (c) => c.notNull())
          .addColumn('expires_at', t.int64, (c) => c.notNull())
          .addColumn('used_at', t.int64)
          .addColumn('used_by_device', t.id, (c) => c.references('devices.id'))
          .addCheckConstraint(
            'enrolment_codes_check',
            sql`(target_kind = 'booth') = (booth_id IS NOT NULL) AND (target_kind = 'gate') = (gate_id IS NOT NULL)`,
          ),
        withEnd(
          schema
            .createTable('device_nonces')
            .addColumn('device_id', t.id, (c) => c.notNull().references('devices.id'))
            .addColumn('nonce', t.id, (c) => c.notNull())
            .addColumn('expires_at', t.int64, (c) => c.notNull())
            .addPrimaryKeyConstraint('device_nonces_pkey', ['device_id', 'nonce']),
          t.withoutRowid,
        ),
        schema.createIndex('device_nonces_by_expiry').on('device_nonces').column('expires_at'),
      ];
    },
  },
  {
    version: 2,
    description: 'sync: device heads, events, alerts, downstream messages',
    statements: (schema, dialect) => {
      const t = COLUMN_TYPES[dialect];
      return [
        withEnd(
          schema
            .createTable('device_heads')
            .addColumn('device_id', t.id, (c) => c.primaryKey().references('devices.id'))
            .addColumn('seq', t.int64, (c) => c.notNull().check(sql.raw(`seq >= ${t.lowestHeadSeq}`)))
            .addColumn('hash', 'text', (c) => c.notNull()),
          t.strictWithoutRowid,
        ),
        withEnd(
          schema
            .createTable('events')
            .addColumn('device_id', t.id, (c) => c.notNull().references('devices.id'))
            .addColumn('seq', t.int64, (c) => c.notNull().check(sql`seq >= 1`))
            .addColumn('v', 'integer', (c) => c.notNull())
            .addColumn('id', 'text', (c) => c.notNull())
            .addColumn('type', 'text', (c) => c.notNull())
            .addColumn('payload_json', 'text', (c) => c.notNull())
            .addColumn('device_time', t.int64, (c) => c.notNull())
            .addColumn('prev_hash', 'text', (c) => c.notNull())
            .addColumn('hash', 'text', (c) => c.notNull())
            .addColumn('signature', 'text', (c) => c.notNull())
            .addColumn('received_at', t.int64, (c) => c.notNull())
            .addColumn('clock_skew_ms', t.int64, (c) => c.notNull())
            .addPrimaryKeyConstraint('events_pkey', ['device_id', 'seq']),
          t.strictWithoutRowid,
        ),
        withEnd(
          schema
            .createTable('alerts')
            .addColumn('id', t.serialKey.type, t.serialKey.column)
            .addColumn('device_id', t.id, (c) => c.references('devices.id'))
            .addColumn('kind', 'text', (c) => c.notNull())
            .addColumn('detail_json', 'text', (c) => c.notNull())
            .addColumn('created_at', t.int64, (c) => c.notNull()),
          t.strict,
        ),
        schema.createIndex('alerts_by_device').on('alerts').columns(['device_id', 'id']),
        withEnd(
          schema
            .createTable('messages')
            .addColumn('cursor', t.serialKey.type, t.serialKey.column)
            .addColumn('id', 'text', (c) => c.notNull().unique())
            .addColumn('device_id', t.id, (c) => c.references('devices.id'))
            .addColumn('type', 'text', (c) => c.notNull())
            .addColumn('payload_json', 'text', (c) => c.notNull())
            .addColumn('created_at', t.int64, (c) => c.notNull())
            .addColumn('signature', 'text', (c) => c.notNull()),
          t.strict,
        ),
        schema.createIndex('messages_by_device').on('messages').columns(['device_id', 'cursor']),
      ];
    },
  },
  {
    version: 3,
    description: 'committee ledger (the central\'s own signed chain), events by type',
    statements: (schema, dialect) => {
      const t = COLUMN_TYPES[dialect];
      return [
        // One chain per database: seq is the key. device_id is the central's id, as in the hashed event.
        withEnd(
          schema
            .createTable('committee_ledger')
            .addColumn('seq', t.int64, (c) => c.primaryKey().check(sql`seq >= 1`))
            .addColumn('device_id', t.id, (c) => c.notNull())
            .addColumn('v', 'integer', (c) => c.notNull())
            .addColumn('id', 'text', (c) => c.notNull())
            .addColumn('type', 'text', (c) => c.notNull())
            .addColumn('payload_json', 'text', (c) => c.notNull())
            .addColumn('device_time', t.int64, (c) => c.notNull())
            .addColumn('prev_hash', 'text', (c) => c.notNull())
            .addColumn('hash', 'text', (c) => c.notNull())
            .addColumn('signature', 'text', (c) => c.notNull())
            .addColumn('date', 'text', (c) => c.notNull())
            .addColumn('project', t.id, (c) => c.notNull()),
          t.strictWithoutRowid,
        ),
        schema.createIndex('committee_ledger_by_project').on('committee_ledger').columns(['project', 'date', 'seq']),
        // The committee finds the booths' review events (and catch-up the ones it has not judged) by type.
        schema.createIndex('events_by_type').on('events').columns(['type', 'device_id', 'seq']),
      ];
    },
  },
  {
    version: 4,
    description: 'report files (the evaluation report\'s PDFs, annexes and CMS, by SHA-256)',
    statements: (schema, dialect) => {
      const t = COLUMN_TYPES[dialect];
      return [
        // STRICT but not WITHOUT ROWID: rows carry PDFs of megabytes, which SQLite keeps best in a
        // rowid table's overflow pages (a WITHOUT ROWID b-tree is for small rows).
        withEnd(
          schema
            .createTable('report_files')
            .addColumn('sha256', t.id, (c) => c.primaryKey().check(sql`length(sha256) = 64`))
            .addColumn('date', 'text', (c) => c.notNull())
            .addColumn('project', t.id, (c) => c.notNull())
            // No CHECK on kind: the store checks it against REPORT_FILE_KINDS, so a kind added later
            // needs no migration.
            .addColumn('kind', 'text', (c) => c.notNull())
            .addColumn('size', t.int64, (c) => c.notNull().check(sql`size >= 0`))
            .addColumn('bytes', t.bytes, (c) => c.notNull())
            .addColumn('created_at', t.int64, (c) => c.notNull()),
          t.strict,
        ),
        schema.createIndex('report_files_by_project').on('report_files').columns(['date', 'project', 'created_at']),
      ];
    },
  },
];

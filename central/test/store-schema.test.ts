import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519 } from '@kawei/shared/crypto/ed25519.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { eventHash } from '@kawei/shared/sync/event-chain.node.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/lib/postgres.node.ts';
import type { CentralSqlStore } from '../src/storage/central-sql-store.node.ts';
import { PostgresCentralStore } from '../src/storage/postgres-central-store.node.ts';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { TestDevice } from './device-signer.ts';
import { EventChain } from './event-chain-builder.ts';
import { LEGACY_POSTGRES_SCHEMA, LEGACY_SQLITE_SCHEMA } from './store-legacy-schema.ts';
import { withPgClient } from './store-backends.ts';
import { useTempDir } from './temp-dir.ts';

/**
 * The one migration list (central-schema.ts) against the schemas the two hand-written stores made
 * before it (store-legacy-schema.ts): it must make the same tables, column for column, constraint for
 * constraint, index for index, and a database made by the old code must open with its data — at
 * version 2, and at version 1 where the new code adds the sync tables.
 */
const tempDir = useTempDir();

/**
 * What migrations 3 (the committee ledger, issue #13) and 4 (the report's files, issue #14) add after
 * the schemas of the old stores.
 */
const MIGRATION_3_OBJECTS = [
  'committee_ledger',
  'committee_ledger_by_project',
  'committee_ledger_pkey',
  'events_by_type',
  'report_files',
  'report_files_by_project',
  'report_files_pkey',
];

/** What a database made by the old code holds (its rows are written by hand, as the old code would). */
interface LegacyData {
  centralId: string;
  device: TestDevice;
  chain: EventChain;
}

/** The SQL of a raw INSERT of `row`, with `?` or `$n` placeholders. */
function insertSql(table: string, row: Record<string, unknown>, placeholder: (i: number) => string): [string, unknown[]] {
  const columns = Object.keys(row);
  return [`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => placeholder(i + 1)).join(', ')})`, Object.values(row)];
}

/** Identity, one site / room / booth, an enrolled device, and (at version 2) 3 events, its head, an alert and a message. */
function legacyRows(version: 1 | 2): { rows: [string, Record<string, unknown>][]; data: LegacyData } {
  const keys = generateEd25519();
  const device = new TestDevice();
  device.deviceId = 'dev-legacy';
  const chain = new EventChain(device.deviceId, device.privateKey);
  const events = version === 2 ? chain.append(3, (seq) => ({ type: 'test.legacy', payload: { seq, 名: '甲' } })) : [];
  const rows: [string, Record<string, unknown>][] = [
    ['meta', { id: 1, central_id: 'central-legacy', public_key: keys.publicKey, private_key_pkcs8: keys.privateKeyPkcs8, operator_token_sha256: 'ab'.repeat(32) }],
    ['sites', { id: 'site-old', name: '旧场地' }],
    ['rooms', { id: 'room-old', site_id: 'site-old', number: 7, name: '7号评标室', rows: 1, cols: 1 }],
    ['booths', { id: 'room-old-A1', room_id: 'room-old', row: 1, col: 1, label: 'A1' }],
    ['devices', { id: device.deviceId, kind: 'booth', booth_id: 'room-old-A1', gate_id: null, public_key: device.publicKey, hostname: 'old-pc', app_version: '0.0.9', status: 'active', enrolled_at: 1_700_000_000_000, revoked_at: null, last_seen_at: null }],
  ];
  for (const e of events) {
    rows.push(['events', { device_id: e.deviceId, seq: e.seq, v: e.v, id: e.id, type: e.type, payload_json: canonicalJson(e.payload), device_time: e.deviceTime, prev_hash: e.prevHash, hash: e.hash, signature: e.signature, received_at: 1_700_000_001_000, clock_skew_ms: 5 }]);
  }
  if (version === 2) {
    rows.push(['device_heads', { device_id: device.deviceId, seq: chain.head.seq, hash: chain.head.hash }]);
    rows.push(['alerts', { device_id: device.deviceId, kind: 'sync.seq_conflict', detail_json: '{"seq":2}', created_at: 1_700_000_002_000 }]);
    rows.push(['messages', { id: 'msg-legacy', device_id: null, type: 'notice.text', payload_json: '{"text":"旧"}', created_at: 1_700_000_003_000, signature: `${'A'.repeat(86)}==` }]);
  }
  return { rows, data: { centralId: 'central-legacy', device, chain } };
}

/** The old database, opened by the one store: everything readable, and it carries on where it stopped. */
async function expectLegacyDataServed(store: CentralSqlStore, data: LegacyData, version: 1 | 2): Promise<void> {
  expect((await store.getCentralIdentity()).centralId).toBe(data.centralId);
  expect(await store.getOperatorTokenHash()).toBe('ab'.repeat(32));
  expect(await store.listSiteTrees()).toMatchObject([{ id: 'site-old', rooms: [{ id: 'room-old', number: 7, booths: [{ id: 'room-old-A1' }] }] }]);
  expect(await store.getDevice(data.device.deviceId)).toMatchObject({ status: 'active', enrolledAt: 1_700_000_000_000, target: { boothId: 'room-old-A1' } });

  const stored = await store.listEvents(data.device.deviceId, 1, 100);
  expect(stored.map((e) => [e.seq, eventHash(e) === e.hash, e.receivedAt, e.clockSkewMs])).toEqual(
    data.chain.events.map((e) => [e.seq, true, 1_700_000_001_000, 5]),
  );
  expect(await store.getDeviceHead(data.device.deviceId)).toEqual(data.chain.head);
  const next = data.chain.append(2);
  expect(await store.ingestBatch({ deviceId: data.device.deviceId, events: next, receivedAt: 1_800_000_000_000, clockSkewMs: 0 })).toMatchObject({
    kind: 'stored',
    stored: 2,
    head: data.chain.head,
  });

  const alert = await store.raiseAlert({ deviceId: null, kind: 'sync.event_forged', detail: {}, createdAt: 1_800_000_000_000 });
  const message = await store.appendMessage({ id: 'msg-new', deviceId: null, type: 'notice.text', payload: { text: '新' }, createdAt: 1_800_000_000_000, signature: `${'B'.repeat(86)}==` });
  if (version === 2) {
    expect((await store.listAlerts()).map((a) => a.kind)).toEqual(['sync.event_forged', 'sync.seq_conflict']);
    expect(alert.id).toBeGreaterThan(1);
    const messages = await store.messagesAfter(data.device.deviceId, 0, 10);
    expect(messages.map((m) => m.id)).toEqual(['msg-legacy', 'msg-new']);
    expect(message.cursor).toBeGreaterThan(messages[0]!.cursor);
  } else {
    expect(alert.id).toBe(1);
    expect(message.cursor).toBe(1);
  }
}

describe('the one schema on SQLite', () => {
  /** Every table and index as SQLite recorded it, spelling normalised: quotes, case, blanks and constraint names. */
  function sqliteShape(file: string): { type: string; name: string; sql: string }[] {
    const raw = new Database(file, { readonly: true });
    try {
      const rows = raw.prepare(`SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as {
        type: string;
        name: string;
        sql: string;
      }[];
      return rows.map((r) => ({
        ...r,
        sql: r.sql
          .replace(/constraint\s+"?\w+"?\s*/gi, '')
          .replace(/"/g, '')
          .replace(/\s+/g, '')
          .toLowerCase(),
      }));
    } finally {
      raw.close();
    }
  }

  function legacyFile(version: 1 | 2): { file: string; data: LegacyData } {
    const file = join(tempDir(), 'central.sqlite');
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    for (const schema of LEGACY_SQLITE_SCHEMA.slice(0, version)) raw.exec(schema);
    raw.pragma(`user_version = ${version}`);
    const { rows, data } = legacyRows(version);
    for (const [table, row] of rows) {
      const [text, values] = insertSql(table, row, () => '?');
      raw.prepare(text).run(...values);
    }
    raw.close();
    return { file, data };
  }

  it('makes exactly the tables and indexes the previous SQLite store made', async () => {
    const fresh = join(tempDir(), 'central.sqlite');
    await SqliteCentralStore.open(fresh).close();
    const legacy = legacyFile(2).file;
    const shape = sqliteShape(fresh);
    expect(shape.map((t) => t.name)).toContain('device_heads');
    expect(shape.map((t) => t.name)).toEqual(expect.arrayContaining(['committee_ledger', 'committee_ledger_by_project', 'events_by_type', 'report_files', 'report_files_by_project']));
    expect(shape.filter((t) => !MIGRATION_3_OBJECTS.includes(t.name))).toEqual(sqliteShape(legacy));
  });

  it('opens a central.sqlite the previous store made at version 2: identity, topology, devices, events, alerts and messages', async () => {
    const { file, data } = legacyFile(2);
    const store = SqliteCentralStore.open(file);
    try {
      await expectLegacyDataServed(store, data, 2);
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(4);
    raw.close();
  });

  it('migrates a central.sqlite the previous store made at version 1 to the newest version and syncs on it', async () => {
    const { file, data } = legacyFile(1);
    const store = SqliteCentralStore.open(file);
    try {
      await expectLegacyDataServed(store, data, 1);
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(4);
    raw.close();
  });
});

describe('the one schema on PostgreSQL', () => {
  let cluster: ThrowawayPostgres;
  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** Columns, constraints and indexes of the schema a URL sees (schema_migrations aside), names of the schema itself blanked. */
  async function postgresShape(url: string): Promise<unknown> {
    return withPgClient(url, async (c) => {
      const columns = await c.query(`
        SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default, collation_name
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'
        ORDER BY table_name, ordinal_position`);
      const constraints = await c.query(`
        SELECT cl.relname AS table_name, co.conname, co.contype, pg_get_constraintdef(co.oid) AS definition
        FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
        WHERE cl.relnamespace = current_schema()::regnamespace AND cl.relname <> 'schema_migrations'
        ORDER BY cl.relname, co.conname`);
      const indexes = await c.query(`
        SELECT tablename, indexname, replace(indexdef, current_schema() || '.', '') AS indexdef
        FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'
        ORDER BY tablename, indexname`);
      return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows };
    });
  }

  async function legacySchema(version: 1 | 2): Promise<{ url: string; data: LegacyData }> {
    const url = await cluster.createSchema();
    const { rows, data } = legacyRows(version);
    await withPgClient(url, async (c) => {
      for (const schema of LEGACY_POSTGRES_SCHEMA.slice(0, version)) await c.query(schema);
      await c.query(`
        CREATE TABLE schema_migrations (
          version INTEGER PRIMARY KEY,
          description TEXT NOT NULL,
          applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )`);
      await c.query(`INSERT INTO schema_migrations (version, description) VALUES (1, 'identity, topology, enrolment codes, devices, nonces')`);
      if (version === 2) await c.query(`INSERT INTO schema_migrations (version, description) VALUES (2, 'sync: device heads, events, alerts, downstream messages')`);
      for (const [table, row] of rows) await c.query(...insertSql(table, row, (i) => `$${i}`));
    });
    return { url, data };
  }

  it('makes exactly the columns, constraints and indexes the previous PostgreSQL store made', async () => {
    const fresh = await cluster.createSchema();
    await (await PostgresCentralStore.open(fresh)).close();
    const { url: legacy } = await legacySchema(2);
    const shape = (await postgresShape(fresh)) as Record<'columns' | 'constraints' | 'indexes', Record<string, unknown>[]>;
    expect(JSON.stringify(shape)).toContain('"collation_name":"C"');
    const beforeMigration3 = (rows: Record<string, unknown>[]) =>
      rows.filter((r) => !MIGRATION_3_OBJECTS.includes(String(r['table_name'] ?? r['tablename'])) && !MIGRATION_3_OBJECTS.includes(String(r['indexname'])));
    expect(shape.indexes.map((r) => r['indexname'])).toEqual(expect.arrayContaining(['committee_ledger_by_project', 'events_by_type', 'report_files_by_project']));
    expect({ columns: beforeMigration3(shape.columns), constraints: beforeMigration3(shape.constraints), indexes: beforeMigration3(shape.indexes) }).toEqual(
      await postgresShape(legacy),
    );
  });

  it('opens a database the previous store made at version 2: identity, topology, devices, events, alerts and messages', async () => {
    const { url, data } = await legacySchema(2);
    const store = await PostgresCentralStore.open(url);
    try {
      await expectLegacyDataServed(store, data, 2);
    } finally {
      await store.close();
    }
    const versions = await withPgClient(url, async (c) => (await c.query('SELECT version FROM schema_migrations ORDER BY version')).rows);
    expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
  });

  it('migrates a database the previous store made at version 1 to the newest version and syncs on it', async () => {
    const { url, data } = await legacySchema(1);
    const store = await PostgresCentralStore.open(url);
    try {
      await expectLegacyDataServed(store, data, 1);
    } finally {
      await store.close();
    }
    const versions = await withPgClient(url, async (c) => (await c.query('SELECT version FROM schema_migrations ORDER BY version')).rows);
    expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
  });
});

import type { Kysely } from 'kysely';
import { sql } from '../kysely.node.ts';
import { Pool, types as pgTypes } from 'pg';
import { PG_LOCK_SPACE, PG_LOCKS } from '../central-sql-store.node.ts';
import type { CentralMigration } from '../central-schema.ts';

/**
 * What the PostgreSQL store needs around `pg`: a pool whose BIGINTs come back as numbers, and the
 * numbered migrations recorded in schema_migrations.
 */

const INT8_OID = 20;

/**
 * `pg` returns BIGINT (int8) as a string, since not every int8 fits a JavaScript number. Every
 * BIGINT this schema stores does — epoch milliseconds, sequence numbers (≤ 2^53 − 1 by the event
 * schema), serial ids and counts — so they are parsed as numbers here, for this pool only (the
 * global pg.types is left alone).
 */
export const KAWEI_PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (text: string) => Number(text) : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
};

export function createPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, types: KAWEI_PG_TYPES, application_name: 'kawei-central', max: 10 });
  // An idle connection that breaks (the server restarted, a network cut) is dropped by the pool and
  // reported here; without a listener the event would crash the process. The next query simply
  // opens a new connection, and a query in flight gets its own error.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Applies the migrations the database has not had yet, each in its own transaction together with its
 * row in schema_migrations. Every transaction first takes the migrations advisory lock and then reads
 * the version, so two processes opening a new database at once apply each migration exactly once:
 * the second waits, then finds it done. Refuses a database newer than this program.
 */
/** Migrations run before the tables they would be typed with exist. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type UntypedDb = Kysely<any>;

export async function migratePostgres(db: UntypedDb, migrations: readonly CentralMigration[]): Promise<void> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3…; found ${m.version} at ${i + 1}`);
  });
  const lockMigrations = (trx: UntypedDb) =>
    sql`SELECT pg_advisory_xact_lock(${PG_LOCK_SPACE.kawei}, ${PG_LOCKS.migrations})`.execute(trx);
  await db.transaction().execute(async (trx) => {
    await lockMigrations(trx);
    await sql`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`.execute(trx);
  });
  for (const migration of migrations) {
    await db.transaction().execute(async (trx) => {
      await lockMigrations(trx);
      const { rows } = await sql<{ version: number | null }>`SELECT max(version) AS version FROM schema_migrations`.execute(trx);
      const current = rows[0]?.version ?? 0;
      if (current > migrations.length) {
        throw new Error(`database is at schema version ${current}, newer than this program (${migrations.length})`);
      }
      if (current >= migration.version) return;
      for (const statement of migration.statements(trx.schema, 'postgres')) await trx.executeQuery(statement.compile());
      await sql`INSERT INTO schema_migrations (version, description) VALUES (${migration.version}, ${migration.description})`.execute(trx);
    });
  }
}

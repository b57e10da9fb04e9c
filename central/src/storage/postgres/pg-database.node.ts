import { Pool, types as pgTypes, type PoolClient, type QueryResultRow } from 'pg';

/**
 * The small amount of machinery the PostgreSQL store needs around `pg`: a pool whose BIGINTs come
 * back as numbers, transactions that always end (COMMIT, ROLLBACK, or a discarded connection),
 * advisory-lock keys, and numbered migrations.
 */

/** Anything that runs a query: the pool (autocommit) or the client of a transaction. */
export interface Sql {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

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

/** What a transaction's work returns to be rolled back instead of committed, with a result all the same. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs `work` in one transaction on one connection: COMMIT if it returns, ROLLBACK if it throws or
 * returns a Rollback. A connection whose transaction did not end cleanly (BEGIN, COMMIT or ROLLBACK
 * failed: the server went away, the network broke) is destroyed rather than returned to the pool in
 * an unknown state.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (sql: PoolClient) => Promise<T | Rollback<T>>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let reusable = false;
  try {
    await client.query(begin);
    let result: T | Rollback<T>;
    try {
      result = await work(client);
    } catch (error) {
      await client.query('ROLLBACK').then(
        () => (reusable = true),
        () => undefined,
      );
      throw error;
    }
    await client.query(result instanceof Rollback ? 'ROLLBACK' : 'COMMIT');
    reusable = true;
    return result instanceof Rollback ? result.value : result;
  } finally {
    client.release(!reusable);
  }
}

/**
 * Advisory locks are named by two int4 keys: the first says "Kawei" (so other applications sharing
 * the database cannot collide with us by accident), the second which lock.
 */
const KAWEI_LOCK_SPACE = 0x4b415745; // 'KAWE'
export const LOCKS = {
  migrations: 1,
  centralWrites: 2,
  messages: 3,
} as const;

/** Takes a transaction-level advisory lock: held until COMMIT or ROLLBACK, released by them. */
export async function lockForTransaction(sql: Sql, lock: keyof typeof LOCKS): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock($1, $2)', [KAWEI_LOCK_SPACE, LOCKS[lock]]);
}

export interface PgMigration {
  version: number;
  description: string;
  sql: string;
}

/**
 * Applies the migrations the database has not had yet, each in its own transaction together with its
 * row in schema_migrations. Every transaction first takes the migrations advisory lock and then reads
 * the version, so two processes opening a new database at once apply each migration exactly once:
 * the second waits, then finds it done. Refuses a database newer than this program.
 */
export async function migrate(pool: Pool, migrations: readonly PgMigration[]): Promise<void> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3…; found ${m.version} at ${i + 1}`);
  });
  await inTransaction(pool, async (sql) => {
    await lockForTransaction(sql, 'migrations');
    await sql.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
  });
  for (const migration of migrations) {
    await inTransaction(pool, async (sql) => {
      await lockForTransaction(sql, 'migrations');
      const current = await currentVersion(sql);
      if (current > migrations.length) {
        throw new Error(`database is at schema version ${current}, newer than this program (${migrations.length})`);
      }
      if (current >= migration.version) return;
      await sql.query(migration.sql);
      await sql.query('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [migration.version, migration.description]);
    });
  }
}

async function currentVersion(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return rows[0]?.version ?? 0;
}

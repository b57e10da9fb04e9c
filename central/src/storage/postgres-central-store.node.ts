import { Kysely, PostgresDialect } from './kysely.node.ts';
import { CENTRAL_MIGRATIONS, type CentralDatabase } from './central-schema.ts';
import { CentralSqlStore } from './central-sql-store.node.ts';
import { createPool, migratePostgres } from './postgres/pg-database.node.ts';

/**
 * The central store on PostgreSQL, for multi-site deployments where several central processes share
 * one database. Only the opening is PostgreSQL's own: a pool reading BIGINTs as numbers, and the
 * migrations recorded in schema_migrations as before; the behaviour is CentralSqlStore's, the same
 * as on SQLite (the contract suites in central/test run against both).
 */
export class PostgresCentralStore extends CentralSqlStore {
  /**
   * Connects to the database at `url` (postgres://user@host:port/database), applies the migrations it
   * lacks, and creates the central's identity the first time.
   */
  static async open(url: string): Promise<PostgresCentralStore> {
    const db = new Kysely<CentralDatabase>({ dialect: new PostgresDialect({ pool: createPool(url) }) });
    const store = new PostgresCentralStore(db, 'postgres');
    try {
      await migratePostgres(db, CENTRAL_MIGRATIONS);
      await CentralSqlStore.identityInsert(db).execute();
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }
}

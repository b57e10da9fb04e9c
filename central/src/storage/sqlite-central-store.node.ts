import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Compilable,
  DatabaseConnection,
  Driver,
  Kysely as KyselyDb,
  SqliteDatabase as KyselySqliteDatabase,
  TransactionSettings,
} from 'kysely';
import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from './kysely.node.ts';
import type { Statement } from 'better-sqlite3';
import { openSqlite, type Migration, type SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { CENTRAL_MIGRATIONS, type CentralDatabase } from './central-schema.ts';
import { CentralSqlStore } from './central-sql-store.node.ts';

/**
 * The central store on a SQLite file (DIR/central.sqlite, the default: one center, one machine).
 * Only the opening is SQLite's own: openSqlite (shared/src/store/sqlite.node.ts) makes the file
 * private before SQLite opens it — folder 0700, database 0600, which its -wal and -shm inherit, since
 * it holds the central's private key — and sets the pragmas (WAL, synchronous=FULL, foreign keys,
 * busy timeout); the migrations are recorded in PRAGMA user_version as before; write transactions
 * begin IMMEDIATE. Opening is synchronous, as it always was, so callers get a ready store.
 */
export class SqliteCentralStore extends CentralSqlStore {
  private constructor(
    db: KyselyDb<CentralDatabase>,
    private readonly file: SqliteDatabase,
  ) {
    super(db, 'sqlite');
  }

  /** Opens (creating and migrating if needed) the central database at `file`. */
  static open(file: string): SqliteCentralStore {
    const raw = openSqlite(file, SQLITE_MIGRATIONS);
    try {
      const hasIdentity = raw.prepare(COMPILE_ONLY.selectFrom('meta').select('id').compile().sql).get() !== undefined;
      if (!hasIdentity) runNow(raw, CentralSqlStore.identityInsert(COMPILE_ONLY));
      const db = new Kysely<CentralDatabase>({ dialect: new ImmediateSqliteDialect(raw) });
      return new SqliteCentralStore(db, raw);
    } catch (error) {
      raw.close();
      throw error;
    }
  }

  /** Also closes a file no query has touched yet (Kysely opens its driver only on the first query). */
  override async close(): Promise<void> {
    await super.close();
    if (this.file.open) this.file.close();
  }
}

/**
 * Write transactions are BEGIN IMMEDIATE: the write lock is taken before the first read, so two
 * processes sharing the file (the server and the CLI) can never both see an enrolment code as unused
 * or a device's head as the same; the second waits and then sees the first's commit. A deferred BEGIN
 * would instead fail one of them with SQLITE_BUSY when it tries to write. Read-only transactions
 * (snapshots) stay deferred: readers never block the writer in WAL mode.
 *
 * The wait for the write lock is asynchronous. SQLite's own busy handler sleeps inside the call, and
 * so would freeze the event loop — and with it the holder of the lock, when that is another
 * connection of this same process in the middle of its transaction: a wait that could only end in
 * SQLITE_BUSY. So BEGIN IMMEDIATE runs with busy_timeout 0 and is retried on timers until the usual
 * busy timeout has passed. (The connection is this transaction's alone meanwhile: Kysely holds it.)
 */
class ImmediateSqliteDriver extends SqliteDriver {
  private readonly busyTimeoutMs: number;

  constructor(private readonly raw: SqliteDatabase) {
    super({ database: withStatementCache(raw) });
    this.busyTimeoutMs = raw.pragma('busy_timeout', { simple: true }) as number;
  }

  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    if (settings?.accessMode === 'read only') {
      await connection.executeQuery(CompiledQuery.raw('begin deferred'));
      return;
    }
    const deadline = performance.now() + this.busyTimeoutMs;
    this.raw.pragma('busy_timeout = 0');
    try {
      for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 20)) {
        try {
          this.raw.exec('begin immediate');
          return;
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || performance.now() >= deadline) throw error;
        }
        await sleep(pauseMs);
      }
    } finally {
      this.raw.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly raw: SqliteDatabase) {
    super({ database: raw });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.raw);
  }
}

/**
 * Kysely prepares every statement it runs; better-sqlite3 statements can be run again and again, so
 * the last STATEMENT_CACHE_SIZE are kept by their SQL (the store's queries are a few dozen texts).
 */
const STATEMENT_CACHE_SIZE = 200;

function withStatementCache(raw: SqliteDatabase): KyselySqliteDatabase {
  const cache = new Map<string, Statement>();
  return {
    close: () => raw.close(),
    prepare: (text) => {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text); // re-inserted below: the Map's order is the order of last use
      } else {
        statement = raw.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

/** Builds SQLite statements without a connection, for the synchronous work of opening. */
const COMPILE_ONLY = new Kysely<CentralDatabase>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

function runNow(raw: SqliteDatabase, statement: Compilable): void {
  const { sql, parameters } = statement.compile();
  raw.prepare(sql).run(...parameters);
}

/** The one migration list, compiled for SQLite and applied by shared/src/store/sqlite.node.ts. */
const SQLITE_MIGRATIONS: readonly Migration[] = CENTRAL_MIGRATIONS.map((migration) => ({
  version: migration.version,
  description: migration.description,
  up: (raw) => {
    for (const statement of migration.statements(COMPILE_ONLY.schema, 'sqlite')) raw.exec(statement.compile().sql);
  },
}));

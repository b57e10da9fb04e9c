import { createRequire } from 'node:module';
import type * as KyselyTypes from 'kysely';

/**
 * Kysely, loaded from its CommonJS build. Its ES build is some 280 modules, and under tsx (how the
 * central and its CLI run) each ES module goes through the loader hooks: importing it added about a
 * second to every `kawei-central` command on a busy machine, the CommonJS build a third of that. The
 * types are Kysely's own; import values from here and types from 'kysely'.
 */
const kysely = createRequire(import.meta.url)('kysely') as typeof KyselyTypes;

export const {
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} = kysely;

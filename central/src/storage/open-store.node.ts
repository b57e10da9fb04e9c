import type { CentralSqlStore } from './central-sql-store.node.ts';
import { SqliteCentralStore } from './sqlite-central-store.node.ts';
import { PostgresCentralStore } from './postgres-central-store.node.ts';

/**
 * The one place that picks the central's storage backend: `serve` and the operator commands call
 * openStore() with what `--store`, `--pg-url` / KAWEI_PG_URL and `--data` said, and get a store
 * behind the same interfaces whichever it is.
 */
export type StoreBackend = 'sqlite' | 'postgres';
export const STORE_BACKENDS: readonly StoreBackend[] = ['sqlite', 'postgres'];

export type OpenStoreOptions =
  /** DIR/central.sqlite (the default): one center, one machine. */
  | { backend: 'sqlite'; databaseFile: string }
  /** postgres://user@host:port/database: several centrals (sites) on one database. */
  | { backend: 'postgres'; url: string };

/** The one store (central-sql-store.node.ts), on either database; it implements CentralStore and SyncStore. */
export type KaweiStore = CentralSqlStore;

export async function openStore(options: OpenStoreOptions): Promise<KaweiStore> {
  return options.backend === 'sqlite' ? SqliteCentralStore.open(options.databaseFile) : PostgresCentralStore.open(options.url);
}

/** The command-line options every command takes (for node:util parseArgs). */
export const STORE_CLI_OPTIONS = {
  store: { type: 'string', default: 'sqlite' },
  'pg-url': { type: 'string' },
} as const;

export const PG_URL_ENV = 'KAWEI_PG_URL';

/**
 * Turns the parsed `--store` and `--pg-url` (KAWEI_PG_URL when absent) into OpenStoreOptions, or says
 * in Chinese and English what is wrong with them.
 */
export function storeOptionsFromCli(
  values: { store?: unknown; 'pg-url'?: unknown },
  databaseFile: string,
  env: NodeJS.ProcessEnv = process.env,
): OpenStoreOptions | { error: { chinese: string; english: string } } {
  const backend = values.store ?? 'sqlite';
  if (backend === 'sqlite') return { backend, databaseFile };
  if (backend !== 'postgres') {
    return {
      error: {
        chinese: `--store 只能是 sqlite 或 postgres：${String(backend)}`,
        english: `--store must be sqlite or postgres: ${String(backend)}`,
      },
    };
  }
  const url = typeof values['pg-url'] === 'string' ? values['pg-url'] : env[PG_URL_ENV];
  if (!url) {
    return {
      error: {
        chinese: `--store postgres 需要 --pg-url 地址（或环境变量 ${PG_URL_ENV}）`,
        english: `--store postgres needs --pg-url URL (or ${PG_URL_ENV} in the environment)`,
      },
    };
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    return {
      error: {
        chinese: `PostgreSQL 地址应形如 postgres://用户@主机:端口/数据库：${redact(url)}`,
        english: `a PostgreSQL URL looks like postgres://user@host:port/database: ${redact(url)}`,
      },
    };
  }
  return { backend, url };
}

/** A URL for messages: without its password. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

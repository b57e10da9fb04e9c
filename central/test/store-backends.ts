import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { PostgresCentralStore } from '../src/storage/postgres-central-store.node.ts';
import { KAWEI_PG_TYPES } from '../src/storage/postgres/pg-database.node.ts';
import type { CentralStore } from '../src/storage/central-store.ts';
import { readTopologyFile, DEMO_TOPOLOGY_FILE } from '../src/topology/topology-file.node.ts';
import type { ThrowawayPostgres } from '../../scripts/lib/postgres.node.ts';

/**
 * The storage backends the backend-agnostic suites run against. A location is one place data lives
 * — a SQLite file, a PostgreSQL database — fresh and empty when made; every store opened on it sees
 * the same data, as the server and the CLI (or several central processes) do.
 */
export interface StoreLocation<S extends CentralStore = CentralStore> {
  /** Opens a store here. The suite closes whatever a test left open. */
  open(): Promise<S>;
  /** Every row of a table, columns named as in the schema, integers as numbers (for the few raw checks). */
  rows(table: string): Promise<Record<string, unknown>[]>;
  /** The file or URL, for failure messages. */
  where: string;
}

export type NewStoreLocation<S extends CentralStore = CentralStore> = () => Promise<StoreLocation<S>>;

/** Each location a new central.sqlite in a directory from `tempDir` (removed after the test). */
export function sqliteLocations(tempDir: () => string): NewStoreLocation<SqliteCentralStore> {
  return async () => {
    const file = join(tempDir(), 'central.sqlite');
    return {
      where: file,
      open: async () => SqliteCentralStore.open(file),
      rows: async (table) => {
        const raw = new Database(file, { readonly: true });
        try {
          return raw.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
        } finally {
          raw.close();
        }
      },
    };
  };
}

/**
 * Each location a new schema in the throwaway cluster `cluster()` gives (known once it has started):
 * as empty as a new database to the store, and made in milliseconds rather than 0.2 s.
 */
export function postgresLocations(cluster: () => ThrowawayPostgres): NewStoreLocation<PostgresCentralStore> {
  return async () => {
    const url = await cluster().createSchema();
    return {
      where: url,
      open: () => PostgresCentralStore.open(url),
      rows: (table) => withPgClient(url, async (client) => (await client.query(`SELECT * FROM ${table}`)).rows),
    };
  };
}

/** A plain connection to `url` (BIGINTs as numbers, as the store reads them), closed after `work`. */
export async function withPgClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, types: KAWEI_PG_TYPES });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Seeds the demo topology (resources/demo/demo-topology.json) into any store. */
export async function seedDemo<S extends CentralStore>(store: S): Promise<S> {
  await store.importTopology(readTopologyFile(DEMO_TOPOLOGY_FILE));
  return store;
}


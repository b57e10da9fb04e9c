import { existsSync } from 'node:fs';
import { openStore, type KaweiStore } from '../storage/open-store.node.ts';
import { usageError, type ParsedCommandArgs } from './cli-args.node.ts';

/**
 * Runs `work` on the central's store and closes it. A command that reads a record refuses a SQLite
 * file that is not there (a mistyped --data), rather than making an empty database and answering
 * "nothing found".
 */
export async function withExistingStore<T>(parsed: ParsedCommandArgs, work: (store: KaweiStore) => Promise<T>): Promise<T> {
  if (parsed.storage.backend === 'sqlite' && !existsSync(parsed.storage.databaseFile)) {
    throw usageError('central.noDatabase', { file: parsed.storage.databaseFile });
  }
  const store = await openStore(parsed.storage);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

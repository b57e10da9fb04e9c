import { existsSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomToken, sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import type { CentralStore } from '../storage/central-store.ts';

export const OPERATOR_TOKEN_FILE = 'operator-token';

export type OperatorTokenState =
  | { state: 'created'; file: string }
  | { state: 'exists'; file: string }
  /** The store has a token hash but the file is gone: the token cannot be recovered from the hash. */
  | { state: 'file-missing'; file: string };

/**
 * Makes the operator token on first start. The token is written to DIR/operator-token (0600) and
 * only its hash goes into the database. The file is written under a temporary name first and only
 * renamed into place if this process stored the hash, so two servers started together on one data
 * directory cannot leave a file whose token the database does not know.
 */
export async function ensureOperatorToken(store: CentralStore, dataDir: string): Promise<OperatorTokenState> {
  const file = join(dataDir, OPERATOR_TOKEN_FILE);
  if ((await store.getOperatorTokenHash()) !== null) {
    return existsSync(file) ? { state: 'exists', file } : { state: 'file-missing', file };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomToken(32);
  const pending = `${file}.${process.pid}.tmp`;
  writeFileSync(pending, `${token}\n`, { mode: 0o600, flag: 'wx' });
  if (await store.setOperatorTokenHashIfAbsent(sha256Hex(token))) {
    renameSync(pending, file);
    return { state: 'created', file };
  }
  unlinkSync(pending);
  return existsSync(file) ? { state: 'exists', file } : { state: 'file-missing', file };
}

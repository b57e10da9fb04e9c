import { join } from 'node:path';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { readTopologyFile, DEMO_TOPOLOGY_FILE } from '../src/topology/topology-file.node.ts';
import { hashEnrolCode } from '../src/enrolment/enrol-codes.node.ts';
import type { EnrolTarget } from '@kawei/shared/api/central-http.ts';
import type { CentralStore, EnrolmentAttempt } from '../src/storage/central-store.ts';
import { TestDevice } from './device-signer.ts';

export const T0 = Date.UTC(2026, 5, 1, 8, 0, 0);

/** A store on a fresh file in `dir`, seeded with the demo topology. */
export async function openDemoStore(dir: string): Promise<SqliteCentralStore> {
  const store = SqliteCentralStore.open(join(dir, 'central.sqlite'));
  await store.importTopology(readTopologyFile(DEMO_TOPOLOGY_FILE));
  return store;
}

/** Stores a known code in any store (the store only ever sees its hash). */
export async function addCode(
  store: CentralStore,
  code: string,
  target: EnrolTarget,
  options: { createdAt?: number; ttlMs?: number } = {},
): Promise<void> {
  const createdAt = options.createdAt ?? T0;
  const added = await store.createEnrolmentCode({
    codeSha256Hex: hashEnrolCode(code),
    target,
    createdAt,
    expiresAt: createdAt + (options.ttlMs ?? 60 * 60_000),
  });
  if (!added) throw new Error(`code ${code} already exists`);
}

export function attempt(code: string, kind: 'booth' | 'gate', device = new TestDevice(), now = T0 + 1000): EnrolmentAttempt {
  return {
    codeSha256Hex: hashEnrolCode(code),
    kind,
    publicKey: device.publicKey,
    hostname: `${kind}-pc`,
    appVersion: '0.1.0-test',
    now,
  };
}

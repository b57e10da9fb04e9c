import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import type { IngestOutcome } from '../src/storage/sync-store.ts';
import { describeSyncStoreContract, enrolDevice } from './sync-store.contract.ts';
import { describeCommitteeStoreContract } from './committee-store.contract.ts';
import { describeReportStoreContract } from './report-store.contract.ts';
import { EventChain } from './event-chain-builder.ts';
import type { OpenedContractStore } from './contract-store.ts';
import { useTempDir } from './temp-dir.ts';

describeSyncStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-sync-store-'));
  const store = SqliteCentralStore.open(join(dir, 'central.sqlite'));
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** A store on a new SQLite file in its own temp folder, a second store on the same file, a close that removes the folder. */
async function sqliteContractStore(prefix: string): Promise<OpenedContractStore<SqliteCentralStore>> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'central.sqlite');
  const store = SqliteCentralStore.open(file);
  return {
    store,
    openAgain: async () => SqliteCentralStore.open(file),
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeCommitteeStoreContract('SQLite', () => sqliteContractStore('kawei-committee-store-'));

describeReportStoreContract('SQLite', () => sqliteContractStore('kawei-report-store-'));

const tempDir = useTempDir();

describe('SqliteCentralStore: sync schema', () => {
  it('adds the sync tables as migration 2 and the committee ledger as 3, STRICT, events, heads and the ledger WITHOUT ROWID', async () => {
    const file = join(tempDir(), 'central.sqlite');
    await (SqliteCentralStore.open(file)).close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(4);
    const tables = raw.prepare(`SELECT name, strict, wr FROM pragma_table_list WHERE schema = 'main' ORDER BY name`).all();
    expect(tables).toEqual(
      expect.arrayContaining([
        { name: 'alerts', strict: 1, wr: 0 },
        { name: 'committee_ledger', strict: 1, wr: 1 },
        { name: 'device_heads', strict: 1, wr: 1 },
        { name: 'events', strict: 1, wr: 1 },
        { name: 'messages', strict: 1, wr: 0 },
        { name: 'report_files', strict: 1, wr: 0 },
      ]),
    );
    raw.close();
  });

  it('stores a batch that several processes deliver at the same moment exactly once', async () => {
    const dir = tempDir();
    const file = join(dir, 'central.sqlite');
    const setup = SqliteCentralStore.open(file);
    const device = await enrolDevice(setup);
    const chain = new EventChain(device.deviceId, device.privateKey);
    const batchFile = join(dir, 'batch.json');
    writeFileSync(batchFile, JSON.stringify(chain.append(200)));

    const contender = fileURLToPath(new URL('./fixtures/ingest-batch.ts', import.meta.url));
    const startAt = Date.now() + 2500; // after every contender has loaded tsx and opened the file
    const outcomes = await Promise.all(
      Array.from({ length: 3 }, () => runContender(contender, [file, device.deviceId, batchFile, String(startAt)])),
    );
    for (const outcome of outcomes) expect(outcome).toMatchObject({ kind: 'stored', head: chain.head });
    const stored = outcomes.map((o) => (o.kind === 'stored' ? o.stored : -1)).sort((a, b) => a - b);
    expect(stored).toEqual([0, 0, 200]);
    expect(await setup.countEvents(device.deviceId)).toBe(200);
    expect(await setup.getDeviceHead(device.deviceId)).toEqual(chain.head);
    await setup.close();
  });
});

function runContender(script: string, args: string[]): Promise<IngestOutcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`contender exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as IngestOutcome);
    }),
  );
}

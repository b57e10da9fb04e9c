import { spawn } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { describeCentralStoreContract } from './central-store.contract.ts';
import { sqliteLocations } from './store-backends.ts';
import { addCode, openDemoStore } from './store-fixtures.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();

describeCentralStoreContract('SqliteCentralStore', sqliteLocations(tempDir));

describe('SqliteCentralStore: the file', () => {
  it('records its schema version in user_version and migrates only once', async () => {
    const file = join(tempDir(), 'central.sqlite');
    const userVersion = () => {
      const raw = new Database(file, { readonly: true });
      try {
        return raw.pragma('user_version', { simple: true }) as number;
      } finally {
        raw.close();
      }
    };
    await SqliteCentralStore.open(file).close();
    const migrated = userVersion();
    expect(migrated).toBeGreaterThanOrEqual(1);
    await SqliteCentralStore.open(file).close();
    expect(userVersion()).toBe(migrated);
  });

  it('keeps the database, which holds the private key, readable by its owner only, whatever the umask', async () => {
    const dir = tempDir();
    const file = join(dir, 'data', 'central.sqlite');
    const umask = process.umask(0o000); // the loosest: nothing may rely on it
    try {
      const store = SqliteCentralStore.open(file);
      await store.createSite({ name: '甲' }); // writes, so the -wal and -shm files exist
      await store.raiseAlert({ deviceId: null, kind: 'sync.event_forged', detail: {}, createdAt: 1 });
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect([path, statSync(path).mode & 0o777]).toEqual([path, 0o600]);
      expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
      await store.close();
    } finally {
      process.umask(umask);
    }
  });

  it('tightens a central.sqlite and its -wal left 0644 by an older version', async () => {
    const file = join(tempDir(), 'central.sqlite');
    const older = SqliteCentralStore.open(file);
    await older.createSite({ name: '乙' });
    for (const path of [file, `${file}-wal`, `${file}-shm`]) chmodSync(path, 0o644);
    const store = SqliteCentralStore.open(file);
    await store.createSite({ name: '丙' });
    for (const path of [file, `${file}-wal`, `${file}-shm`]) expect([path, statSync(path).mode & 0o777]).toEqual([path, 0o600]);
    await Promise.all([older.close(), store.close()]);
  });

  it('lets exactly one of four processes racing for the same code win', async () => {
    const dir = tempDir();
    const file = join(dir, 'central.sqlite');
    const setup = await openDemoStore(dir);
    await addCode(setup, 'CCCC4444', { kind: 'booth', boothId: 'room-3-A3' });
    const contender = fileURLToPath(new URL('./fixtures/consume-enrolment-code.ts', import.meta.url));
    const startAt = Date.now() + 2500; // after every contender has loaded tsx and opened the file
    const results = await Promise.all(
      Array.from({ length: 4 }, () => runContender(contender, [file, 'CCCC4444', String(startAt)])),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 3 }, () => ({ ok: false, code: 'ENROL_CODE_USED' })));
    expect(await setup.listDevices()).toHaveLength(1);
    await setup.close();
  });
});

function runContender(script: string, args: string[]): Promise<{ ok: boolean; code?: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`contender exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as { ok: boolean; code?: string });
    }),
  );
}

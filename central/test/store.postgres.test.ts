import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { publicKeyFromBase64 } from '@kawei/shared/crypto/ed25519.node.ts';
import { CENTRAL_PATHS, enrolResponseSchema } from '@kawei/shared/api/central-http.ts';
import { DEVICE_AUTH_HEADERS } from '@kawei/shared/api/device-auth.ts';
import { checkChain, eventHash } from '@kawei/shared/sync/event-chain.node.ts';
import { SYNC_PATHS, type DownstreamMessage } from '@kawei/shared/sync/sync-http.ts';
import { centralHttpsJson } from '@kawei/shared/device/pinned-tls.node.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import { findPostgres, PostgresMissingError, startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/lib/postgres.node.ts';
import { PostgresCentralStore } from '../src/storage/postgres-central-store.node.ts';
import { buildCentralServer } from '../src/server.node.ts';
import { issueEnrolCode } from '../src/enrolment/enrol-codes.node.ts';
import { describeCentralStoreContract } from './central-store.contract.ts';
import { describeSyncStoreContract, enrolDevice } from './sync-store.contract.ts';
import { describeCommitteeStoreContract } from './committee-store.contract.ts';
import { describeReportStoreContract } from './report-store.contract.ts';
import { EventChain, pushRequest } from './event-chain-builder.ts';
import { TestDevice, isCentralSignature } from './device-signer.ts';
import { attempt, T0 } from './store-fixtures.ts';
import { postgresLocations, seedDemo, withPgClient } from './store-backends.ts';
import { addCode } from './store-fixtures.ts';
import { runCli as runCliInProcess } from '../src/cli/run-cli.node.ts';
import { startServe, type Serving } from './cli-process.ts';
import { useTempDir } from './temp-dir.ts';

/**
 * The PostgreSQL backend: a throwaway cluster from Debian's `postgresql` package (scripts/lib/
 * postgres.node.ts) is started for this file, and every test gets a schema (where it matters, a
 * database) of its own. The same contract suites as SQLite run against it, then what only a server
 * database has: many connections (and processes) at once.
 *
 * Nothing here is skipped: without PostgreSQL every test of this file fails, saying what is missing
 * (npm test installs it).
 */
const tempDir = useTempDir();

describe('finding PostgreSQL', () => {
  it('fails with what to install, in Chinese and English, when the server binaries are missing', () => {
    const saved = process.env['KAWEI_PG_BINDIR'];
    process.env['KAWEI_PG_BINDIR'] = tempDir();
    try {
      expect(() => findPostgres()).toThrow(PostgresMissingError);
      expect(() => findPostgres()).toThrow(/未找到 PostgreSQL 服务器程序.*apt-get install postgresql.*not found in KAWEI_PG_BINDIR=/);
    } finally {
      if (saved === undefined) delete process.env['KAWEI_PG_BINDIR'];
      else process.env['KAWEI_PG_BINDIR'] = saved;
    }
  });
});

describe('PostgreSQL store', () => {
  let cluster: ThrowawayPostgres;
  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** Stores this file opens; closed after each test even when it failed half-way. */
  const opened: PostgresCentralStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  async function open(url: string): Promise<PostgresCentralStore> {
    const store = await PostgresCentralStore.open(url);
    opened.push(store);
    return store;
  }
  /** `count` stores (each its own pool of connections) on one database, as several central processes would be. */
  async function openMany(url: string, count: number): Promise<PostgresCentralStore[]> {
    return Promise.all(Array.from({ length: count }, () => open(url)));
  }

  describeCentralStoreContract('PostgresCentralStore', postgresLocations(() => cluster));

  describeSyncStoreContract('PostgreSQL', async () => {
    const store = await PostgresCentralStore.open(await cluster.createSchema());
    return { store, close: () => store.close() };
  });

  describeCommitteeStoreContract('PostgreSQL', async () => {
    const url = await cluster.createSchema();
    const store = await PostgresCentralStore.open(url);
    return { store, openAgain: () => PostgresCentralStore.open(url), close: () => store.close() };
  });

  describeReportStoreContract('PostgreSQL', async () => {
    const url = await cluster.createSchema();
    const store = await PostgresCentralStore.open(url);
    return { store, openAgain: () => PostgresCentralStore.open(url), close: () => store.close() };
  });

  describe('PostgresCentralStore: schema', () => {
    it('records applied migrations in schema_migrations, applies each once, and refuses a newer database', async () => {
      const url = await cluster.createDatabase();
      await (await open(url)).close();
      const applied = () =>
        withPgClient(url, async (c) => (await c.query('SELECT version, description, applied_at FROM schema_migrations ORDER BY version')).rows);
      const first = await applied();
      expect(first.map((r) => r['version'])).toEqual([1, 2, 3, 4]);
      await (await open(url)).close();
      expect(await applied()).toEqual(first);

      await withPgClient(url, (c) => c.query(`INSERT INTO schema_migrations (version, description) VALUES (5, 'from a newer program')`));
      await expect(PostgresCentralStore.open(url)).rejects.toThrow(/schema version 5, newer than this program \(4\)/);
    });

    it('migrates a new database once when several processes open it at the same moment, and they share one identity', async () => {
      const url = await cluster.createDatabase();
      const stores = await openMany(url, 5);
      const identities = await Promise.all(stores.map((s) => s.getCentralIdentity()));
      for (const identity of identities) expect(identity).toEqual(identities[0]);
      expect(await withPgClient(url, async (c) => (await c.query('SELECT count(*) AS n FROM schema_migrations')).rows[0])).toEqual({ n: 4 });
    });
  });

  describe('PostgresCentralStore: many connections at once', () => {
    it('lets exactly one of six connections racing for a code win, round after round', async () => {
      const url = await cluster.createSchema();
      const stores = await openMany(url, 6);
      await seedDemo(stores[0]!);
      const booths = ['room-3-A1', 'room-3-A2', 'room-3-A3', 'room-3-B1'];
      for (const [round, boothId] of booths.entries()) {
        const code = `RACE${round}AAA`.slice(0, 8);
        await addCode(stores[0]!, code, { kind: 'booth', boothId });
        const outcomes = await Promise.allSettled(stores.map((s) => s.consumeEnrolmentCode(attempt(code, 'booth'))));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(
          Array.from({ length: 5 }, () => 'ENROL_CODE_USED'),
        );
      }
      expect(await stores[0]!.listDevices()).toHaveLength(booths.length);
    });

    it('gives a position to one of two codes raced for it, and a key to one of two positions', async () => {
      const url = await cluster.createSchema();
      const [a, b] = await openMany(url, 2);
      await seedDemo(a!);
      await addCode(a!, 'POSA2222', { kind: 'booth', boothId: 'room-5-C1' });
      await addCode(a!, 'POSB3333', { kind: 'booth', boothId: 'room-5-C1' });
      const samePosition = await Promise.allSettled([
        a!.consumeEnrolmentCode(attempt('POSA2222', 'booth')),
        b!.consumeEnrolmentCode(attempt('POSB3333', 'booth')),
      ]);
      expect(samePosition.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(samePosition.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'POSITION_TAKEN' } });

      const key = new TestDevice();
      await addCode(a!, 'KEYA4444', { kind: 'booth', boothId: 'room-5-C2' });
      await addCode(a!, 'KEYB5555', { kind: 'booth', boothId: 'room-5-C3' });
      const sameKey = await Promise.allSettled([
        a!.consumeEnrolmentCode(attempt('KEYA4444', 'booth', key)),
        b!.consumeEnrolmentCode(attempt('KEYB5555', 'booth', key)),
      ]);
      expect(sameKey.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(sameKey.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'ALREADY_ENROLLED' } });
      // The refused codes were not spent.
      const codes = await withPgClient(url, async (c) => (await c.query('SELECT count(*) AS n FROM enrolment_codes WHERE used_at IS NULL')).rows[0]);
      expect(codes).toEqual({ n: 2 });
    });

    it('accepts a nonce on exactly one connection, and purges expired nonces from many at once without deadlock', async () => {
      const url = await cluster.createSchema();
      const stores = await openMany(url, 4);
      const device = await enrolDevice(stores[0]!);
      const nonce = 'nonce-raced-000000000';
      const raced = await Promise.all(
        stores.map((s) => s.acceptDeviceNonce({ deviceId: device.deviceId, nonce, expiresAt: T0 + 10_000, now: T0 })),
      );
      expect(raced.sort()).toEqual(['accepted', 'replayed', 'replayed', 'replayed']);

      // 300 nonces that expire at T0 + 20 000; then 40 requests after that, spread over four pools.
      await withPgClient(url, (c) =>
        c.query(`INSERT INTO device_nonces (device_id, nonce, expires_at) SELECT $1, 'old-' || i, $2 FROM generate_series(1, 300) AS i`, [
          device.deviceId,
          T0 + 20_000,
        ]),
      );
      const later = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          stores[i % 4]!.acceptDeviceNonce({ deviceId: device.deviceId, nonce: `nonce-later-${i}`, expiresAt: T0 + 90_000, now: T0 + 30_000 }),
        ),
      );
      expect(new Set(later)).toEqual(new Set(['accepted']));
      const left = await withPgClient(url, async (c) => (await c.query('SELECT nonce FROM device_nonces ORDER BY nonce')).rows.map((r) => r['nonce']));
      expect(left).toHaveLength(40);
      expect(left.every((n) => String(n).startsWith('nonce-later-'))).toBe(true);
    });

    it('stores a batch that four connections deliver at the same moment exactly once, first batch and later ones', async () => {
      const url = await cluster.createSchema();
      const stores = await openMany(url, 4);
      const device = await enrolDevice(stores[0]!);
      const chain = new EventChain(device.deviceId, device.privateKey);
      for (const size of [200, 300]) {
        const events = chain.append(size);
        const outcomes = await Promise.all(
          stores.map((s) => s.ingestBatch({ deviceId: device.deviceId, events, receivedAt: T0, clockSkewMs: 0 })),
        );
        for (const outcome of outcomes) expect(outcome).toMatchObject({ kind: 'stored', head: chain.head });
        expect(outcomes.map((o) => (o.kind === 'stored' ? o.stored : -1)).sort((x, y) => x - y)).toEqual([0, 0, 0, size]);
      }
      expect(await stores[1]!.countEvents(device.deviceId)).toBe(500);
      const listed = await stores[2]!.listEvents(device.deviceId, 1, 1000);
      expect(checkChain(listed, device.deviceId, publicKeyFromBase64(device.publicKey)!)).toBeNull();
    });

    it('never lets a reader skip a message: cursors become visible in order while appends race', async () => {
      const url = await cluster.createSchema();
      const stores = await openMany(url, 4);
      const deviceId = (await enrolDevice(stores[0]!)).deviceId;
      const total = 120;
      let appending = true;
      const seen: DownstreamMessage[] = [];
      // A reader polling as a long poll does: from its last cursor, as fast as it can, while appends run.
      const reader = (async () => {
        let cursor = 0;
        for (;;) {
          const stillAppending = appending;
          const batch = await stores[3]!.messagesAfter(deviceId, cursor, 500);
          seen.push(...batch);
          cursor = batch.at(-1)?.cursor ?? cursor;
          if (!stillAppending && batch.length === 0) return;
        }
      })();
      await Promise.all(
        Array.from({ length: total }, (_, i) =>
          stores[i % 3]!.appendMessage({
            id: randomUUID(),
            deviceId: i % 2 === 0 ? deviceId : null,
            type: 'notice.text',
            payload: { i },
            createdAt: T0 + i,
            signature: `${'A'.repeat(86)}==`,
          }),
        ),
      );
      appending = false;
      await reader;
      const all = await stores[0]!.messagesAfter(deviceId, 0, 1000);
      expect(all).toHaveLength(total);
      expect(seen.map((m) => m.cursor)).toEqual(all.map((m) => m.cursor));
    });
  });

  describe('PostgresCentralStore: ingest throughput', () => {
    it('stores 5,000 events in batches of 500, hashes intact (and reports the rate)', async () => {
      const url = await cluster.createSchema();
      const store = await open(url);
      const device = await enrolDevice(store);
      const chain = new EventChain(device.deviceId, device.privateKey);
      const batches = Array.from({ length: 10 }, () => chain.append(500));
      const started = performance.now();
      for (const events of batches) {
        const outcome = await store.ingestBatch({ deviceId: device.deviceId, events, receivedAt: T0, clockSkewMs: 0 });
        expect(outcome).toMatchObject({ kind: 'stored', stored: 500 });
      }
      const seconds = (performance.now() - started) / 1000;
      const perSecond = Math.round(5000 / seconds);
      process.stderr.write(`[store.postgres] ingest: 5000 events in batches of 500 in ${seconds.toFixed(2)} s = ${perSecond} events/s\n`);
      const listed = await store.listEvents(device.deviceId, 4990, 100);
      for (const event of listed) expect(eventHash(event)).toBe(event.hash);
    });
  });

  describe('a central server on PostgreSQL', () => {
    it('enrols a booth over HTTP and authenticates its signed requests, replay refused', async () => {
      const url = await cluster.createSchema();
      const store = await seedDemo(await open(url));
      const operatorToken = 'operator-token-for-postgres-tests-0123456789';
      await store.setOperatorTokenHashIfAbsent(sha256Hex(operatorToken));
      const app = buildCentralServer({ store });
      try {
        const { code } = await issueEnrolCode(store, { target: { kind: 'booth', boothId: 'room-5-B3' }, ttlMinutes: 10, now: Date.now() });
        const device = new TestDevice();
        const enrolled = await app.inject({ method: 'POST', url: CENTRAL_PATHS.enrol, payload: device.enrolRequest(code, 'booth') });
        expect(enrolled.statusCode).toBe(201);
        const answer = enrolResponseSchema.parse(enrolled.json());
        expect(answer).toMatchObject({ centralId: (await store.getCentralIdentity()).centralId, position: { booth: { id: 'room-5-B3' } } });
        device.deviceId = answer.deviceId;

        const again = await app.inject({ method: 'POST', url: CENTRAL_PATHS.enrol, payload: new TestDevice().enrolRequest(code, 'booth') });
        expect([again.statusCode, again.json()]).toMatchObject([409, { error: { code: 'ENROL_CODE_USED' } }]);

        const request = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe });
        const me = await app.inject(request);
        expect(me.statusCode).toBe(200);
        expect(
          isCentralSignature(answer.centralPublicKey, {
            nonce: request.nonce,
            status: me.statusCode,
            body: me.body,
            signature: me.headers[DEVICE_AUTH_HEADERS.centralSignature] as string | undefined,
          }),
        ).toBe(true);
        expect((await store.getDevice(device.deviceId))!.lastSeenAt).not.toBeNull();
        const replay = await app.inject(request);
        expect([replay.statusCode, replay.json()]).toMatchObject([401, { error: { code: 'REQUEST_REPLAYED' } }]);

        const devices = await app.inject({ method: 'GET', url: CENTRAL_PATHS.adminDevices, headers: { authorization: `Bearer ${operatorToken}` } });
        expect(devices.json()).toMatchObject({ devices: [{ id: device.deviceId, status: 'active' }] });
      } finally {
        await app.close();
      }
    });
    it('ingests pushed batches over HTTP: stored, a re-sent batch acknowledged once, a gap refused', async () => {
      const url = await cluster.createSchema();
      const store = await open(url);
      const device = await enrolDevice(store);
      const chain = new EventChain(device.deviceId, device.privateKey);
      const app = buildCentralServer({ store });
      const push = async (events: SyncEvent[]) => {
        const request = device.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body: JSON.stringify(pushRequest(events)) });
        const res = await app.inject(request);
        return { status: res.statusCode, body: res.json() as unknown };
      };
      try {
        const first = chain.append(500);
        expect(await push(first)).toEqual({ status: 200, body: { ackedSeq: 500, ackedHash: chain.head.hash, stored: 500, duplicates: 0 } });
        expect(await push(first)).toEqual({ status: 200, body: { ackedSeq: 500, ackedHash: chain.head.hash, stored: 0, duplicates: 500 } });
        chain.append(10);
        expect(await push(chain.range(505, 510))).toMatchObject({ status: 409, body: { error: { code: 'SYNC_GAP' } } });
        expect(await store.countEvents(device.deviceId)).toBe(500);
        const listed = await store.listEvents(device.deviceId, 1, 1000);
        expect(checkChain(listed, device.deviceId, publicKeyFromBase64(device.publicKey)!)).toBeNull();
      } finally {
        await app.close();
      }
    });
  });

  describe('kawei-central on PostgreSQL', () => {
    let serving: Serving | null = null;
    afterEach(async () => {
      if (serving && serving.child.exitCode === null) {
        serving.child.kill('SIGTERM');
        await serving.exited;
      }
      serving = null;
    });

    /** The operator commands, in this process: stdout, stderr and the exit code. */
    async function cli(args: string[]) {
      let stdout = '';
      let stderr = '';
      const code = await runCliInProcess(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
      return { code, stdout, stderr };
    }

    it('serves with --store postgres, and the operator commands work on the same database', async () => {
      const url = await cluster.createDatabase();
      const data = tempDir();
      serving = await startServe(['--store', 'postgres', '--pg-url', url, '--data', data, '--port', '0']);
      const pg = ['--store', 'postgres', '--pg-url', url, '--data', data];
      expect((await cli(['seed-demo', ...pg])).code).toBe(0);
      const issued = await cli(['enrol-code', '--booth', 'room-3-C3', '--json', ...pg]);
      expect(issued.code).toBe(0);
      const { code } = JSON.parse(issued.stdout) as { code: string };

      const device = new TestDevice();
      const enrolled = await centralHttpsJson(serving.url + CENTRAL_PATHS.enrol, serving.fingerprint, {
        json: device.enrolRequest(code, 'booth'),
      });
      expect(enrolled.status).toBe(201);
      const answer = enrolResponseSchema.parse(enrolled.body);
      expect(answer.centralId).toBe(serving.centralId);

      const listed = await cli(['devices', '--json', ...pg]);
      expect(JSON.parse(listed.stdout)).toMatchObject({ devices: [{ id: answer.deviceId, target: { boothId: 'room-3-C3' } }] });
      // Nothing was written to a SQLite file (the data directory holds the operator token and TLS files).
      expect(readdirSync(data)).toContain('operator-token');
      expect(readdirSync(data).filter((name) => name.includes('sqlite'))).toEqual([]);
    });

    it('refuses --store postgres without a URL, and an unknown store, as usage errors', async () => {
      const saved = process.env['KAWEI_PG_URL'];
      delete process.env['KAWEI_PG_URL'];
      try {
        const missing = await cli(['sites', '--store', 'postgres']);
        expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('--store postgres needs --pg-url URL')]);
        const unknown = await cli(['sites', '--store', 'mysql']);
        expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('--store must be sqlite or postgres')]);
      } finally {
        if (saved !== undefined) process.env['KAWEI_PG_URL'] = saved;
      }
    });
  });
});

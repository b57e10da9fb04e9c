import { randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { enrolProofMessage, normaliseEnrolCode } from '@kawei/shared/api/central-http.ts';
import { CentralClient, credentialsFrom, type DeviceCredentials } from '@kawei/shared/device/central-client.node.ts';
import { DeviceIdentityService } from '@kawei/shared/device/device-identity.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { generateEd25519, privateKeyFromPkcs8, publicKeyFromBase64, signText } from '@kawei/shared/crypto/ed25519.node.ts';
import { checkChain, genesisHash, sealEvent } from '@kawei/shared/sync/event-chain.node.ts';
import { EventLog } from '@kawei/shared/sync/event-log.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { MAX_BATCH_EVENTS, SYNC_EVENT_VERSION, type SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import { openStore, type KaweiStore } from '@kawei/central/storage/open-store.node.ts';
import { ENTRY, fingerprintOf, runNode, startNode, type Listening, type Running } from '../scripts/lib/processes.node.ts';
import { startThrowawayPostgres } from '../scripts/lib/postgres.node.ts';
import { runChaos, type ChaosReport } from '../tests/chaos/chaos-harness.node.ts';
import { seedFromEnv } from '../tests/chaos/prng.ts';
import { summarise, type BenchResult } from './bench.ts';

/**
 * Sync (issue #3): how fast the central ingests, how fast a device catches up, how late an event
 * arrives, and the long chaos run.
 *
 *   ingest        pre-built, signed, chained batches of 500 pushed sequentially over loopback HTTP to
 *                 a real `kawei-central serve` (signature check of the request, seal + chain check of
 *                 every event, one store transaction per batch, signed answer), on SQLite and on a
 *                 throwaway PostgreSQL; and the same kind of batches straight into the store
 *                 (ingestBatch: head, duplicate and link checks, insert, head update), no HTTP.
 *   catch-up      a real device (DeviceIdentityService, its sender at default settings) with 10,000
 *                 events queued while the central was down: time from starting the central to the
 *                 device having them all acknowledged.
 *   lag           a real device appending every 20 ms with the central up; per event, from
 *                 recordEvent returning to the central's store head (polled every ms from its file)
 *                 reaching it.
 *   chaos         tests/chaos/chaos-harness.node.ts for KAWEI_CHAOS_CYCLES cycles (1,000 by default).
 *
 * Baselines, same run, same machine: the same rows inserted into a bare SQLite table (same pragmas,
 * 500 per transaction, no checks); checkChain alone (the signature work ingest must do); sequential
 * GET /api/health on the same central (HTTP without auth or storage).
 */
const INGEST_EVENTS = Number(process.env['KAWEI_BENCH_SYNC_EVENTS'] ?? 20_000);
const CATCHUP_EVENTS = 10_000;
const LAG_EVENTS = Number(process.env['KAWEI_BENCH_LAG_EVENTS'] ?? 500);
const LAG_EVERY_MS = 20;
const CHAOS_CYCLES = Number(process.env['KAWEI_CHAOS_CYCLES'] ?? 1000);
const CHAOS_PG_CYCLES = Number(process.env['KAWEI_CHAOS_PG_CYCLES'] ?? 200);
const CHAOS_SEED = seedFromEnv(20261122, process.env);
const HEALTH_REQUESTS = 2000;

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
const log = (line: string) => process.stderr.write(`  ${line}\n`);

interface Central {
  running: Running<Listening>;
  url: string;
  port: number;
  dataDir: string;
  storeArgs: string[];
}

async function cli(dataDir: string, storeArgs: string[], args: string[]): Promise<string> {
  const out = await runNode(ENTRY.central, [...args, '--data', dataDir, ...storeArgs]);
  if (out.code !== 0) throw new Error(`kawei-central ${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}

async function startCentral(dataDir: string, storeArgs: string[], port = 0): Promise<Central> {
  const running = await startNode<Listening>(ENTRY.central, ['serve', '--data', dataDir, '--port', String(port), ...storeArgs], {
    label: 'central',
    quiet: true,
  });
  const url = running.ready.url.replace(/\/$/, '');
  tlsPins.set(url, fingerprintOf(running));
  return { running, url, port: Number(new URL(url).port), dataDir, storeArgs };
}

/** The TLS key each central started here presents (a central keeps its key across restarts). */
const tlsPins = new Map<string, string>();
function clientFor(url: string): CentralClient {
  const tlsPin = tlsPins.get(url);
  if (!tlsPin) throw new Error(`no central started at ${url}`);
  return new CentralClient(url, { tlsPin });
}

async function enrolCode(central: Pick<Central, 'dataDir' | 'storeArgs'>, booth: string): Promise<string> {
  return (JSON.parse(await cli(central.dataDir, central.storeArgs, ['enrol-code', '--booth', booth, '--json'])) as { code: string })
    .code;
}

/** Enrols a bare device (keys and credentials only: no log, no sender), as doEnrol does. */
async function enrolBare(url: string, code: string): Promise<{ credentials: DeviceCredentials; key: KeyObject; deviceId: string }> {
  const client = clientFor(url);
  const keys = generateEd25519();
  const key = privateKeyFromPkcs8(keys.privateKeyPkcs8);
  const normalised = normaliseEnrolCode(code);
  const answer = await client.enrol({
    code: normalised,
    kind: 'booth',
    publicKey: keys.publicKey,
    proof: signText(key, enrolProofMessage(normalised, keys.publicKey)),
    hostname: 'bench',
    appVersion: 'bench',
  });
  const credentials = credentialsFrom({ deviceId: answer.deviceId, privateKey: key, centralPublicKey: answer.centralPublicKey });
  return { credentials, key, deviceId: answer.deviceId };
}

/** `count` events continuing a device's chain, sealed, in batches of MAX_BATCH_EVENTS. */
function buildBatches(deviceId: string, key: KeyObject, after: { seq: number; hash: string }, count: number): SyncEvent[][] {
  const batches: SyncEvent[][] = [];
  let head = after;
  for (let i = 0; i < count; i += MAX_BATCH_EVENTS) {
    const batch: SyncEvent[] = [];
    for (let j = i; j < Math.min(count, i + MAX_BATCH_EVENTS); j++) {
      const event = sealEvent(
        {
          v: SYNC_EVENT_VERSION,
          id: randomUUID(),
          deviceId,
          seq: head.seq + 1,
          type: 'checkin.passed',
          payload: { booth: 'A1', expert: `expert-${j % 97}`, method: 'face', score: j % 100, at: 1_795_000_000_000 + j },
          deviceTime: 1_795_000_000_000 + j,
          prevHash: head.hash,
        },
        key,
      );
      batch.push(event);
      head = { seq: event.seq, hash: event.hash };
    }
    batches.push(batch);
  }
  return batches;
}

/** Sequential pushes of `batches` over HTTP; events per second. */
async function pushAll(url: string, credentials: DeviceCredentials, batches: SyncEvent[][]): Promise<number> {
  const client = clientFor(url);
  const started = performance.now();
  for (const events of batches) {
    const answer = await client.push(credentials, { sentAt: Date.now(), events });
    if (answer.ackedSeq !== events[events.length - 1]!.seq) throw new Error(`push acknowledged ${answer.ackedSeq}`);
  }
  const events = batches.reduce((n, b) => n + b.length, 0);
  return events / ((performance.now() - started) / 1000);
}

/** The same batches straight into the store; events per second. */
async function ingestStoreOnly(store: KaweiStore, deviceId: string, batches: SyncEvent[][]): Promise<number> {
  const started = performance.now();
  for (const events of batches) {
    const outcome = await store.ingestBatch({ deviceId, events, receivedAt: Date.now(), clockSkewMs: 0 });
    if (outcome.kind !== 'stored' || outcome.stored !== events.length) throw new Error(`store ingest: ${JSON.stringify(outcome)}`);
  }
  const events = batches.reduce((n, b) => n + b.length, 0);
  return events / ((performance.now() - started) / 1000);
}

interface IngestFigures {
  httpPerSecond: number;
  storePerSecond: number;
}

/** HTTP then store-only ingest on one backend (a fresh central on it). */
async function measureIngest(dataDir: string, storeArgs: string[], storeOptions: () => Promise<KaweiStore>): Promise<IngestFigures> {
  await cli(dataDir, storeArgs, ['seed-demo']);
  const central = await startCentral(dataDir, storeArgs);
  let httpPerSecond: number;
  let device: Awaited<ReturnType<typeof enrolBare>>;
  try {
    device = await enrolBare(central.url, await enrolCode(central, 'room-3-A1'));
    const warmup = buildBatches(device.deviceId, device.key, { seq: 0, hash: genesisHash(device.deviceId) }, 2 * MAX_BATCH_EVENTS);
    await pushAll(central.url, device.credentials, warmup);
    const last = warmup.at(-1)!.at(-1)!;
    const batches = buildBatches(device.deviceId, device.key, { seq: last.seq, hash: last.hash }, INGEST_EVENTS);
    httpPerSecond = await pushAll(central.url, device.credentials, batches);
  } finally {
    await central.running.stop();
  }
  const store = await storeOptions();
  try {
    const head = await store.getDeviceHead(device.deviceId);
    const batches = buildBatches(device.deviceId, device.key, head, INGEST_EVENTS);
    const storePerSecond = await ingestStoreOnly(store, device.deviceId, batches);
    return { httpPerSecond, storePerSecond };
  } finally {
    await store.close();
  }
}

/**
 * Baseline: the same rows into a bare table, same pragmas, 500 per transaction, nothing checked.
 * `warmup` batches go in first, untimed, as the ingest runs have theirs.
 */
function rawSqliteInsert(file: string, warmup: SyncEvent[][], batches: SyncEvent[][]): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (device_id TEXT NOT NULL, seq INTEGER NOT NULL, v INTEGER NOT NULL, id TEXT NOT NULL,
    type TEXT NOT NULL, payload_json TEXT NOT NULL, device_time INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    signature TEXT NOT NULL, received_at INTEGER NOT NULL, clock_skew_ms INTEGER NOT NULL, PRIMARY KEY (device_id, seq))
    STRICT, WITHOUT ROWID`);
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const write = (batch: SyncEvent[]) =>
    db
      .transaction(() => {
        for (const e of batch) {
          insert.run(e.deviceId, e.seq, e.v, e.id, e.type, canonicalJson(e.payload), e.deviceTime, e.prevHash, e.hash, e.signature, Date.now(), 0);
        }
      })
      .immediate();
  warmup.forEach(write);
  const started = performance.now();
  batches.forEach(write);
  const perSecond = batches.reduce((n, b) => n + b.length, 0) / ((performance.now() - started) / 1000);
  db.close();
  return perSecond;
}

/** Baseline: checkChain alone over the batches (the Ed25519 and SHA-256 work ingest must do). */
function checkChainOnly(deviceId: string, publicKey: KeyObject, batches: SyncEvent[][]): number {
  const started = performance.now();
  for (const batch of batches) if (checkChain(batch, deviceId, publicKey) !== null) throw new Error('chain fault');
  return batches.reduce((n, b) => n + b.length, 0) / ((performance.now() - started) / 1000);
}

async function healthPerSecond(url: string): Promise<number> {
  const client = clientFor(url);
  for (let i = 0; i < 200; i++) await client.health();
  const started = performance.now();
  for (let i = 0; i < HEALTH_REQUESTS; i++) await client.health();
  return HEALTH_REQUESTS / ((performance.now() - started) / 1000);
}

/** Catch-up and lag with a real device service on SQLite. */
async function measureDevice(dir: string): Promise<{
  catchup: { fromSpawnS: number; fromListeningS: number; firstAckS: number };
  lag: ReturnType<typeof summarise> & { ackP95: number };
}> {
  const dataDir = join(dir, 'central-device');
  await cli(dataDir, [], ['seed-demo']);
  let central = await startCentral(dataDir, []);
  const port = central.port;
  const deviceFile = join(dir, 'device-catchup', 'device.sqlite');
  const store = DeviceStore.open(deviceFile);
  let service = new DeviceIdentityService({ kind: 'booth', store, appVersion: 'bench' });
  try {
    await service.enrol(central.url, await enrolCode(central, 'room-3-A2'), tlsPins.get(central.url)!);
    await service.waitForSync(10_000);
    const identity = store.identity()!;

    // ---- catch-up: 10,000 events queued while the central is away ----
    await central.running.stop();
    await service.close();
    const log10k = EventLog.open(store, identity.deviceId, privateKeyFromPkcs8(identity.privateKeyPkcs8));
    for (let i = 0; i < CATCHUP_EVENTS; i += MAX_BATCH_EVENTS) {
      log10k.appendMany(
        Array.from({ length: MAX_BATCH_EVENTS }, (_, j) => ({
          type: 'checkin.passed',
          payload: { booth: 'A2', expert: `expert-${(i + j) % 97}`, method: 'face', n: i + j },
        })),
      );
    }
    service = new DeviceIdentityService({ kind: 'booth', store, appVersion: 'bench' });
    const queued = service.syncStatus().pending;
    if (queued < CATCHUP_EVENTS) throw new Error(`only ${queued} events queued`);
    await sleep(3000); // the sender has tried and is backing off; the link monitor has seen the central gone
    const spawned = performance.now();
    let firstAck = 0;
    const baseAck = service.syncStatus().ackedSeq;
    const unsubscribe = service.onChange(() => {
      if (firstAck === 0 && service.syncStatus().ackedSeq > baseAck) firstAck = performance.now();
    });
    central = await startCentral(dataDir, [], port);
    const listening = performance.now();
    await service.waitForSync(120_000);
    const done = performance.now();
    unsubscribe();
    const catchup = {
      fromSpawnS: round((done - spawned) / 1000, 2),
      fromListeningS: round((done - listening) / 1000, 2),
      firstAckS: round(((firstAck || done) - spawned) / 1000, 2),
    };
    log(`catch-up: ${queued} events, ${catchup.fromSpawnS} s from starting the central (${catchup.fromListeningS} s after it listened)`);

    // ---- lag: append every 20 ms, watch the central's store head ----
    const centralStore = await openStore({ backend: 'sqlite', databaseFile: join(dataDir, 'central.sqlite') });
    const appendedAt = new Map<number, number>();
    const storedAt = new Map<number, number>();
    const ackedAt = new Map<number, number>();
    let watching = true;
    let lastStored = (await centralStore.getDeviceHead(identity.deviceId)).seq;
    const watcher = (async () => {
      while (watching) {
        const head = (await centralStore.getDeviceHead(identity.deviceId)).seq;
        const now = performance.now();
        for (let s = lastStored + 1; s <= head; s++) storedAt.set(s, now);
        lastStored = Math.max(lastStored, head);
        const acked = service.syncStatus().ackedSeq;
        for (const seq of appendedAt.keys()) if (seq <= acked && !ackedAt.has(seq)) ackedAt.set(seq, now);
        await sleep(1);
      }
    })();
    for (let i = 0; i < LAG_EVENTS; i++) {
      const event = service.recordEvent('checkin.passed', { booth: 'A2', n: i });
      appendedAt.set(event.seq, performance.now());
      await sleep(LAG_EVERY_MS);
    }
    await service.waitForSync(30_000);
    await sleep(20);
    watching = false;
    await watcher;
    await centralStore.close();
    const lags = [...appendedAt].map(([seq, at]) => (storedAt.get(seq) ?? NaN) - at).filter((n) => Number.isFinite(n));
    const ackLags = [...appendedAt].map(([seq, at]) => (ackedAt.get(seq) ?? NaN) - at).filter((n) => Number.isFinite(n));
    if (lags.length < LAG_EVENTS) throw new Error(`lag: saw ${lags.length} of ${LAG_EVENTS} events stored`);
    const lag = { ...summarise(lags), ackP95: summarise(ackLags).p95 };
    log(`lag: p50 ${lag.p50} ms, p95 ${lag.p95} ms, p99 ${lag.p99} ms (ack seen by the device: p95 ${lag.ackP95} ms)`);
    return { catchup, lag };
  } finally {
    await service.close();
    store.close();
    await central.running.stop();
  }
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-bench-sync-'));
  try {
    // ---- ingest, SQLite ----
    log(`ingest on SQLite: ${INGEST_EVENTS} events in batches of ${MAX_BATCH_EVENTS}…`);
    const sqliteDir = join(dir, 'central-sqlite');
    const sqlite = await measureIngest(sqliteDir, [], () =>
      openStore({ backend: 'sqlite', databaseFile: join(sqliteDir, 'central.sqlite') }),
    );
    log(`SQLite: ${round(sqlite.httpPerSecond)} events/s over HTTP, ${round(sqlite.storePerSecond)} events/s store only`);

    // ---- baselines ----
    const keys = generateEd25519();
    const all = buildBatches('dev-baseline', privateKeyFromPkcs8(keys.privateKeyPkcs8), { seq: 0, hash: genesisHash('dev-baseline') }, INGEST_EVENTS + 2 * MAX_BATCH_EVENTS);
    const baselineBatches = all.slice(2);
    const rawInsert = rawSqliteInsert(join(dir, 'raw.sqlite'), all.slice(0, 2), baselineBatches);
    const chainOnly = checkChainOnly('dev-baseline', publicKeyFromBase64(keys.publicKey)!, baselineBatches);
    const healthCentral = await startCentral(sqliteDir, []);
    const health = await healthPerSecond(healthCentral.url).finally(() => healthCentral.running.stop());
    log(`baselines: raw insert ${round(rawInsert)} rows/s, checkChain ${round(chainOnly)} events/s, health ${round(health)} req/s`);

    // ---- ingest, PostgreSQL ----
    let postgres: IngestFigures;
    const pg = await startThrowawayPostgres();
    try {
      log('ingest on PostgreSQL…');
      postgres = await measureIngest(join(dir, 'central-pg'), ['--store', 'postgres', '--pg-url', pg.url], () =>
        openStore({ backend: 'postgres', url: pg.url }),
      );
      log(`PostgreSQL: ${round(postgres.httpPerSecond)} events/s over HTTP, ${round(postgres.storePerSecond)} events/s store only`);
    } finally {
      await pg.stop();
    }

    // ---- catch-up and lag ----
    const device = await measureDevice(dir);

    // ---- chaos ----
    log(`chaos: ${CHAOS_CYCLES} cycles, seed ${CHAOS_SEED}, SQLite, 3 devices…`);
    const chaos = await runChaos({
      cycles: CHAOS_CYCLES,
      seed: CHAOS_SEED,
      devices: 3,
      eventsPerCycle: 4,
      store: 'sqlite',
      progressEvery: 100,
      log,
    });
    let chaosPg: ChaosReport | null = null;
    if (CHAOS_PG_CYCLES > 0) {
      log(`chaos: ${CHAOS_PG_CYCLES} cycles, seed ${CHAOS_SEED}, PostgreSQL, 2 devices…`);
      chaosPg = await runChaos({ cycles: CHAOS_PG_CYCLES, seed: CHAOS_SEED, devices: 2, eventsPerCycle: 4, store: 'postgres', progressEvery: 100, log });
    }

    const pgMetric = (pick: (f: IngestFigures) => number): number => round(pick(postgres));
    const faults = (r: ChaosReport) => ({
      drops: r.proxy.drops.total,
      lost_acks: r.proxy.lostAcks,
      duplicates: r.proxy.duplicated,
      reorders: r.proxy.reordered + r.proxy.reorderTimeouts,
      stale_deliveries: r.proxy.staleDeliveries,
      delayed_chunks: r.proxy.delayedChunks,
      cuts: r.proxy.cuts,
      central_kills: r.actions.centralKills,
      device_kills: r.actions.deviceKills,
    });
    const metrics: Record<string, number | string> = {
      ingest_events_per_s_sqlite: round(sqlite.httpPerSecond),
      ingest_store_events_per_s_sqlite: round(sqlite.storePerSecond),
      ingest_events_per_s_postgres: pgMetric((f) => f.httpPerSecond),
      ingest_store_events_per_s_postgres: pgMetric((f) => f.storePerSecond),
      ratio_ingest_http_vs_raw_insert_sqlite: round(sqlite.httpPerSecond / rawInsert, 3),
      ratio_ingest_store_vs_raw_insert_sqlite: round(sqlite.storePerSecond / rawInsert, 3),
      ratio_ingest_http_vs_check_chain: round(sqlite.httpPerSecond / chainOnly, 3),
      catchup_10k_s: device.catchup.fromSpawnS,
      catchup_10k_after_listening_s: device.catchup.fromListeningS,
      catchup_first_ack_s: device.catchup.firstAckS,
      lag_p50_ms: device.lag.p50,
      lag_p95_ms: device.lag.p95,
      lag_p99_ms: device.lag.p99,
      lag_ack_p95_ms: device.lag.ackP95,
      chaos_seed: CHAOS_SEED,
      chaos_cycles: chaos.cycles,
      chaos_devices: chaos.devices,
      chaos_appended: chaos.appended,
      chaos_stored: chaos.stored,
      lost: chaos.lost + (chaosPg?.lost ?? 0),
      duplicated: chaos.duplicated + (chaosPg?.duplicated ?? 0),
      chaos_mismatched: chaos.mismatched,
      chaos_chain_intact: String(chaos.chainIntact),
      chaos_drained: String(chaos.drained),
      chaos_minutes: round(chaos.timing.totalMs / 60_000, 1),
      ...Object.fromEntries(Object.entries(faults(chaos)).map(([k, v]) => [`chaos_${k}`, v])),
    };
    if (chaosPg) {
      Object.assign(metrics, {
        chaos_postgres_cycles: chaosPg.skipped ? `skipped: ${chaosPg.skipped}` : chaosPg.cycles,
        chaos_postgres_appended: chaosPg.appended,
        chaos_postgres_lost: chaosPg.lost,
        chaos_postgres_duplicated: chaosPg.duplicated,
        chaos_postgres_chain_intact: String(chaosPg.chainIntact),
        chaos_postgres_drained: String(chaosPg.drained),
        chaos_postgres_minutes: round(chaosPg.timing.totalMs / 60_000, 1),
        ...Object.fromEntries(Object.entries(faults(chaosPg)).map(([k, v]) => [`chaos_postgres_${k}`, v])),
      });
    }
    const problems = [chaos, chaosPg]
      .filter((r): r is ChaosReport => r !== null && !r.skipped)
      .filter((r) => r.lost > 0 || r.duplicated > 0 || r.mismatched > 0 || !r.chainIntact || !r.drained)
      .map((r) => `${r.store} chaos run, seed ${r.seed}: lost ${r.lost}, duplicated ${r.duplicated}, evidence in ${r.evidence?.dir}`);
    return {
      metrics,
      baseline: {
        description:
          'same run, same machine: the same rows into a bare SQLite table (same pragmas, 500 per transaction, no checks); ' +
          'checkChain alone over the same batches (Ed25519 verify + SHA-256 per event); sequential GET /api/health on the central',
        metrics: {
          raw_sqlite_insert_rows_per_s: round(rawInsert),
          check_chain_events_per_s: round(chainOnly),
          health_requests_per_s: round(health),
        },
      },
      notes:
        `ingest: ${INGEST_EVENTS} events per backend after 1,000 warm-up, batches of ${MAX_BATCH_EVENTS}, one client, sequential; ` +
        `catch-up: ${CATCHUP_EVENTS} events, default sender and link-monitor settings, central started 3 s after the queue was full; ` +
        `lag: ${LAG_EVENTS} events every ${LAG_EVERY_MS} ms, store head polled every 1 ms` +
        (problems.length > 0 ? `; PROBLEMS: ${problems.join('; ')}` : ''),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { DeviceIdentityService } from '@kawei/shared/device/device-identity.node.ts';
import { CentralClient, credentialsFrom } from '@kawei/shared/device/central-client.node.ts';
import { generateEd25519, privateKeyFromPkcs8, publicKeyFromBase64, signText } from '@kawei/shared/crypto/ed25519.node.ts';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { DEVICE_AUTH_HEADERS, centralResponseMessage } from '@kawei/shared/api/device-auth.ts';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { checkChain, genesisHash } from '@kawei/shared/sync/event-chain.node.ts';
import { EventLog } from '@kawei/shared/sync/event-log.node.ts';
import { PullClient } from '@kawei/shared/sync/pull-client.node.ts';
import { SyncSender } from '@kawei/shared/sync/sync-sender.node.ts';
import type { DownstreamMessage } from '@kawei/shared/sync/sync-http.ts';
import { ApiError } from '@kawei/shared/errors.ts';
import { SqliteCentralStore } from '@kawei/central/storage/sqlite-central-store.node.ts';
import { ENTRY, fingerprintOf, runNode, startNode, type Listening, type Running } from '../scripts/lib/processes.node.ts';

/**
 * The device's sync against a real central process: events reach the central exactly once and in
 * order through an outage and a lost acknowledgement; messages reach the device exactly once.
 */
const dir = mkdtempSync(join(tmpdir(), 'kawei-sync-'));
const centralData = join(dir, 'central');
const centralFile = join(centralData, 'central.sqlite');
let central: Running<Listening> | null = null;
let port = 0;

async function cli(args: string[]): Promise<string> {
  const out = await runNode(ENTRY.central, [...args, '--data', centralData]);
  if (out.code !== 0) throw new Error(`${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}
async function startCentral(): Promise<void> {
  central = await startNode<Listening>(ENTRY.central, ['serve', '--data', centralData, '--port', String(port)], {
    label: 'central',
    quiet: true,
  });
  port = Number(new URL(central.ready.url).port);
}
const centralUrl = () => `https://127.0.0.1:${port}`;
/** The central's TLS key: the same across restarts (it lives in the data directory). */
const tlsPin = () => fingerprintOf(central!);

async function enrolledBooth(name: string, boothId: string) {
  const store = DeviceStore.open(join(dir, name, 'device.sqlite'));
  const service = new DeviceIdentityService({ kind: 'booth', store, appVersion: 't', linkIntervalMs: 200 });
  const code = (JSON.parse(await cli(['enrol-code', '--booth', boothId, '--json'])) as { code: string }).code;
  const status = await service.enrol(centralUrl(), code, tlsPin());
  if (status.provisioning !== 'enrolled') throw new Error('not enrolled');
  return { store, service, deviceId: status.deviceId };
}

/** What the central stored for a device, read from its SQLite file (WAL lets us read beside it). */
async function centralEvents(deviceId: string) {
  const store = SqliteCentralStore.open(centralFile);
  try {
    return await store.listEvents(deviceId, 1, 1_000_000);
  } finally {
    await store.close();
  }
}

function expectSameLog(local: ReturnType<EventLog['allEvents']>, stored: Awaited<ReturnType<typeof centralEvents>>) {
  expect(stored.map((e) => e.seq)).toEqual(local.map((e) => e.seq)); // none lost, none twice, in order
  expect(stored.map((e) => e.hash)).toEqual(local.map((e) => e.hash));
}

beforeAll(async () => {
  await cli(['seed-demo']);
  await startCentral();
}, 60_000);
afterAll(async () => {
  await central?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Each test runs CLI processes beside the central: minutes, not seconds, on a loaded 2-core machine.
describe('device sync against a real central', { timeout: 120_000 }, () => {
  it('delivers every event exactly once, in order, and the chain verifies at the central', async () => {
    const { store, service, deviceId } = await enrolledBooth('booth-1', 'room-3-A1');
    for (let i = 0; i < 40; i++) service.recordEvent('diagnostic.tick', { n: i });
    await service.waitForSync(20_000);
    const log = EventLog.open(store, deviceId, privateKeyFromPkcs8(store.identity()!.privateKeyPkcs8));
    const local = log.allEvents();
    expect(local[0]).toMatchObject({ seq: 1, type: 'device.started' });
    const stored = await centralEvents(deviceId);
    expectSameLog(local, stored);
    const key = publicKeyFromBase64(store.identity()!.publicKey)!;
    expect(checkChain(stored, deviceId, key, { seq: 0, hash: genesisHash(deviceId) })).toBeNull();
    // The central measured the clock skew of each batch (same machine: near zero).
    for (const e of stored) expect(Math.abs(e.clockSkewMs)).toBeLessThan(5_000);
    expect(service.syncStatus()).toMatchObject({ pending: 0, state: 'idle' });
    // The operator's view of the same log: `kawei-central events`, filtered by type.
    const listed = JSON.parse(await cli(['events', '--device', deviceId, '--type', 'diagnostic.tick', '--json'])) as {
      events: { seq: number; type: string; payload: { n: number } }[];
    };
    expect(listed.events.map((e) => e.payload.n)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(listed.events.map((e) => e.seq)).toEqual(stored.filter((e) => e.type === 'diagnostic.tick').map((e) => e.seq));
    await service.close();
    store.close();
  });

  it('keeps recording while the central is away and catches up by itself when it returns', async () => {
    const { store, service, deviceId } = await enrolledBooth('booth-2', 'room-3-A3');
    await service.waitForSync(20_000);
    await central!.stop();
    for (let i = 0; i < 120; i++) service.recordEvent('diagnostic.tick', { n: i, offline: true });
    await new Promise((r) => setTimeout(r, 800));
    expect(service.syncStatus().pending).toBeGreaterThanOrEqual(120);
    await startCentral();
    await service.waitForSync(30_000);
    const log = EventLog.open(store, deviceId, privateKeyFromPkcs8(store.identity()!.privateKeyPkcs8));
    expectSameLog(log.allEvents(), await centralEvents(deviceId));
    // The outage itself is on record: link transitions are device-health events.
    expect(log.allEvents().some((e) => e.type === 'device.link_changed' && e.payload['state'] === 'offline')).toBe(true);
    await service.close();
    store.close();
  });

  it('resumes from the central after losing its own acknowledgement, without sending anything twice', async () => {
    const { store, service, deviceId } = await enrolledBooth('booth-3', 'room-3-C1');
    for (let i = 0; i < 30; i++) service.recordEvent('diagnostic.tick', { n: i });
    await service.waitForSync(20_000);
    await service.close();
    // A crash between the central storing a batch and the device saving the answer: the device's
    // acknowledgement is behind the central.
    store.setAcked(genesisHash(deviceId), 0, genesisHash(deviceId));
    const again = new DeviceIdentityService({ kind: 'booth', store, appVersion: 't', linkIntervalMs: 200 });
    again.recordEvent('diagnostic.tick', { n: 'after restart' });
    await again.waitForSync(20_000);
    const log = EventLog.open(store, deviceId, privateKeyFromPkcs8(store.identity()!.privateKeyPkcs8));
    expectSameLog(log.allEvents(), await centralEvents(deviceId));
    expect(again.syncStatus().lastError).toBeNull();
    await again.close();
    store.close();
  });

  it('receives messages once each, live and after being offline, from its durable cursor', async () => {
    const { store, service, deviceId } = await enrolledBooth('booth-4', 'room-5-A1');
    const received: DownstreamMessage[] = [];
    service.onMessage((m) => received.push(m));
    await expect.poll(() => service.syncStatus().inbox.state, { timeout: 10_000 }).toBe('live');
    await cli(['message', '--device', deviceId, '--type', 'supervisor.notice', '--text', '请注意评标时间']);
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    expect(received[0]).toMatchObject({ type: 'supervisor.notice', payload: { text: '请注意评标时间' } });

    await service.close();
    await cli(['message', '--device', deviceId, '--type', 'supervisor.notice', '--text', '第二条']);
    await cli(['message', '--all', '--type', 'supervisor.notice', '--text', '全体注意']);
    const again = new DeviceIdentityService({ kind: 'booth', store, appVersion: 't', linkIntervalMs: 200 });
    await expect.poll(() => store.inbox().length, { timeout: 10_000 }).toBe(3);
    await new Promise((r) => setTimeout(r, 500)); // nothing more may arrive: exactly once
    expect(store.inbox().map((m) => m.payload['text'])).toEqual(['全体注意', '第二条', '请注意评标时间']);
    await again.close();
    store.close();
  });

  it('keeps syncing with a clock two hours fast, and the central records the skew', async () => {
    const { store, service, deviceId } = await enrolledBooth('booth-6', 'room-5-B2');
    await service.waitForSync(20_000);
    await service.close();
    const identity = store.identity()!;
    const credentials = credentialsFrom({
      deviceId,
      privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8),
      centralPublicKey: identity.centralPublicKey,
    });
    const TWO_HOURS = 2 * 3600_000;
    const fastClock = () => Date.now() + TWO_HOURS;
    const client = new CentralClient(centralUrl(), { tlsPin: tlsPin(), now: fastClock });
    const log = EventLog.open(store, deviceId, credentials.privateKey, fastClock);
    log.append('diagnostic.tick', { clock: 'fast' });
    const sender = new SyncSender({ log, client, credentials, now: fastClock });
    sender.start();
    await sender.waitForDrain(15_000);
    await sender.stop();
    expect(Math.abs(client.clockOffset + TWO_HOURS)).toBeLessThan(5_000);
    const last = (await centralEvents(deviceId)).at(-1)!;
    expect(last.payload).toEqual({ clock: 'fast' });
    expect(Math.abs(last.clockSkewMs + TWO_HOURS)).toBeLessThan(5_000);
    store.close();
  });

  it('takes the central\'s time only from its signed refusal: an unsigned or forged time is ignored', async () => {
    const { store, service, deviceId } = await enrolledBooth('booth-7', 'room-5-C1');
    await service.close();
    const identity = store.identity()!;
    const credentials = credentialsFrom({
      deviceId,
      privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8),
      centralPublicKey: identity.centralPublicKey,
    });
    // Something holding the central's TLS key (a stolen copy, a proxy) but not its signing key: it
    // claims the device is stale and offers a time ten hours ahead, on every route and on /api/health.
    const TEN_HOURS = 10 * 3600_000;
    const forgedKey = privateKeyFromPkcs8(generateEd25519().privateKeyPkcs8);
    let signWithForgedKey = false;
    const fake = createHttpsServer(
      { cert: readFileSync(join(centralData, 'tls', 'central.crt')), key: readFileSync(join(centralData, 'tls', 'central.key')) },
      (req, res) => {
        const future = Date.now() + TEN_HOURS;
        const health = req.url === '/api/health';
        const body = JSON.stringify(
          health ? { ok: true, centralId: 'x', time: future } : { error: { code: 'REQUEST_STALE', message: 'stale', details: { centralTime: future } } },
        );
        const nonce = req.headers[DEVICE_AUTH_HEADERS.nonce];
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (signWithForgedKey && typeof nonce === 'string') {
          headers[DEVICE_AUTH_HEADERS.centralSignature] = signText(forgedKey, centralResponseMessage(nonce, 401, sha256Hex(body)));
        }
        res.writeHead(health ? 200 : 401, headers).end(body);
      },
    );
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', () => resolve()));
    const client = new CentralClient(`https://127.0.0.1:${(fake.address() as AddressInfo).port}`, { tlsPin: tlsPin() });
    try {
      expect((await client.health()).time).toBeGreaterThan(Date.now() + TEN_HOURS / 2); // it is served, and ignored
      for (const forged of [false, true]) {
        signWithForgedKey = forged;
        await expect(client.deviceMe(credentials)).rejects.toMatchObject({ code: 'CENTRAL_BAD_RESPONSE' });
        await expect(client.openStream(credentials, 0, () => undefined)).rejects.toMatchObject({ code: 'CENTRAL_BAD_RESPONSE' });
        expect(client.clockOffset).toBe(0);
      }
    } finally {
      client.close();
      fake.closeAllConnections();
      await new Promise<void>((resolve) => fake.close(() => resolve()));
      store.close();
    }
  });

  it('falls back to long polling when the stream cannot be opened', async () => {
    const { store, service, deviceId } = await enrolledBooth('booth-5', 'room-5-C3');
    await service.close();
    const identity = store.identity()!;
    const credentials = credentialsFrom({
      deviceId,
      privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8),
      centralPublicKey: identity.centralPublicKey,
    });
    // A network path that strips WebSocket upgrades (some proxies do): only the stream is refused.
    class NoUpgrades extends CentralClient {
      override openStream(): Promise<never> {
        return Promise.reject(new ApiError('CENTRAL_UNREACHABLE', 'upgrade refused on this path'));
      }
    }
    const log = EventLog.open(store, deviceId, credentials.privateKey);
    const received: DownstreamMessage[] = [];
    const puller = new PullClient({
      log,
      client: new NoUpgrades(centralUrl(), { tlsPin: tlsPin() }),
      credentials,
      streamFailuresBeforeFallback: 1,
      longPollWaitMs: 2_000,
      onMessage: (m) => received.push(m),
    });
    puller.start();
    await cli(['message', '--device', deviceId, '--type', 'supervisor.notice', '--text', '长轮询']);
    // Earlier broadcasts (`message --all`) may come first, depending on how far the enrolling service
    // read before it closed: what counts is that this one arrives, once, by long poll.
    await expect.poll(() => received.filter((m) => m.payload['text'] === '长轮询').length, { timeout: 15_000 }).toBe(1);
    expect(new Set(received.map((m) => m.id)).size).toBe(received.length);
    expect(puller.status().transport).toBe('long-poll');
    await puller.stop();
    store.close();
  });
});

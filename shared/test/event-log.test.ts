import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DeviceStore } from '../src/device/device-store.node.ts';
import { generateEd25519, privateKeyFromPkcs8, publicKeyFromBase64 } from '../src/crypto/ed25519.node.ts';
import { EventLog } from '../src/sync/event-log.node.ts';
import { checkChain, genesisHash } from '../src/sync/event-chain.node.ts';
import { syncEventSchema } from '../src/sync/sync-event.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function enrolledStore(deviceId = 'dev-log-1') {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-log-'));
  dirs.push(dir);
  const file = join(dir, 'device.sqlite');
  const keys = generateEd25519();
  const store = DeviceStore.open(file);
  store.saveIdentity({
    deviceId,
    kind: 'booth',
    publicKey: keys.publicKey,
    privateKeyPkcs8: keys.privateKeyPkcs8,
    centralUrl: 'http://127.0.0.1:1',
    centralId: 'c',
    centralPublicKey: keys.publicKey,
    position: {
      kind: 'booth',
      site: { id: 's', name: 'S' },
      room: { id: 'r', siteId: 's', number: 3, name: '3号评标室', rows: 3, cols: 3 },
      booth: { id: 'b', roomId: 'r', row: 0, col: 0, label: 'A1' },
    },
    enrolledAt: 1,
  });
  const privateKey = privateKeyFromPkcs8(keys.privateKeyPkcs8);
  const publicKey = publicKeyFromBase64(keys.publicKey)!;
  return { file, store, log: EventLog.open(store, deviceId, privateKey), publicKey, deviceId };
}

describe('device event log', () => {
  it('appends a gapless, chained, signed log that the central-side checker accepts', () => {
    const { log, publicKey, deviceId } = enrolledStore();
    const first = log.append('checkin.passed', { booth: 'A1', similarity: 0.93 });
    expect(first).toMatchObject({ seq: 1, prevHash: genesisHash(deviceId), deviceId });
    log.appendMany([
      { type: 'score.saved', payload: { bidder: 'B1', tech: 30 } },
      { type: 'score.saved', payload: { bidder: 'B2', tech: 28.5 } },
    ]);
    log.append('device.health', { camera: 'ok' });
    const all = log.allEvents();
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    for (const e of all) expect(syncEventSchema.safeParse(e).success).toBe(true);
    expect(checkChain(all, deviceId, publicKey)).toBeNull();
    expect(log.head()).toEqual({ seq: 4, hash: all[3]!.hash });
    expect(log.pending()).toBe(4);
  });

  it('keeps every appended event across a reopen (durable on return)', () => {
    const { file, store, log, deviceId } = enrolledStore();
    for (let i = 0; i < 20; i++) log.append('diagnostic.tick', { n: i });
    log.setAcked(5, log.hashAt(5)!);
    store.close();
    const reopened = DeviceStore.open(file);
    expect(reopened.eventCount()).toBe(20);
    expect(reopened.syncState(genesisHash(deviceId))).toMatchObject({ ackedSeq: 5 });
    reopened.close();
  });

  it('refuses to edit or delete an event, and a forced edit breaks the chain', () => {
    const { file, store, log, publicKey, deviceId } = enrolledStore();
    for (let i = 0; i < 3; i++) log.append('diagnostic.tick', { n: i });
    store.close();

    const raw = new Database(file);
    expect(() => raw.prepare("UPDATE event_log SET payload_json = '{\"n\":99}' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM event_log WHERE seq = 2').run()).toThrow(/append-only/);
    // Someone with the file and a SQLite shell removes the guard and edits anyway:
    raw.exec('DROP TRIGGER event_log_no_update');
    raw.prepare("UPDATE event_log SET payload_json = '{\"n\":99}' WHERE seq = 2").run();
    raw.close();

    const tampered = DeviceStore.open(file);
    const events = EventLog.open(tampered, deviceId, privateKeyFromPkcs8(generateEd25519().privateKeyPkcs8)).allEvents();
    expect(checkChain(events, deviceId, publicKey)).toEqual({ kind: 'hash-mismatch', seq: 2 });
    tampered.close();
  });

  it('detects a removed event and a transplanted one', () => {
    const a = enrolledStore('dev-a');
    const b = enrolledStore('dev-b');
    for (let i = 0; i < 3; i++) a.log.append('diagnostic.tick', { n: i });
    const events = a.log.allEvents();
    expect(checkChain([events[0]!, events[2]!], a.deviceId, a.publicKey)).toMatchObject({ kind: 'not-consecutive', seq: 3 });
    expect(checkChain(events, b.deviceId, a.publicKey)).toMatchObject({ kind: 'wrong-device', seq: 1 });
  });

  it('applies a downstream message once and advances the cursor with it', () => {
    const { log } = enrolledStore();
    const message = { cursor: 7, id: '7d1c9a44-5f1f-4a43-9a55-2f1f2f6f0c11', type: 'supervisor.notice', payload: { text: '请注意时间' }, createdAt: 5 };
    expect(log.receiveMessage(message)).toBe(true);
    expect(log.receiveMessage(message)).toBe(false);
    expect(log.receiveMessage({ ...message, cursor: 6, id: 'a0f1c9a4-5f1f-4a43-9a55-2f1f2f6f0c11' })).toBe(false);
    expect(log.syncState().pullCursor).toBe(7);
  });

  it('refuses event types that are not dotted lower-case names', () => {
    const { log } = enrolledStore();
    expect(() => log.append('Checkin', {})).toThrow();
    expect(log.head().seq).toBe(0);
  });
});

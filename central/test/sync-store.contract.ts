import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken, sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { eventHash, genesisHash } from '@kawei/shared/sync/event-chain.node.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { MessageBody } from '@kawei/shared/sync/sync-http.ts';
import type { CentralStore } from '../src/storage/central-store.ts';
import type { IngestBatch, SyncStore } from '../src/storage/sync-store.ts';
import { TestDevice } from './device-signer.ts';
import { EventChain, resealed, tampered } from './event-chain-builder.ts';

export type ContractStore = SyncStore & CentralStore;

/**
 * The SyncStore behaviour every backend must have (SQLite: sync-store.sqlite.test.ts; PostgreSQL
 * calls this with its own `open`). `open` returns a fresh, empty, migrated store for each test and a
 * `close` that releases it. The suite makes its own devices through the CentralStore methods (a
 * site, a 1×1 room, an enrolment code, an enrolment), so foreign keys to devices hold.
 */
export function describeSyncStoreContract(
  name: string,
  open: () => Promise<{ store: ContractStore; close(): Promise<void> }>,
): void {
  describe(`SyncStore contract: ${name}`, () => {
    let store: ContractStore;
    let closeStore: () => Promise<void>;
    beforeEach(async () => {
      const opened = await open();
      store = opened.store;
      closeStore = () => opened.close();
    });
    afterEach(async () => {
      await closeStore();
    });

    const RECEIVED_AT = Date.UTC(2026, 5, 1, 9, 0, 0);
    const batch = (chain: EventChain, events: SyncEvent[], clockSkewMs = 120): IngestBatch => ({
      deviceId: chain.deviceId,
      events,
      receivedAt: RECEIVED_AT,
      clockSkewMs,
    });

    /** Head, count and every stored hash: "changed nothing" compares two of these. */
    async function snapshot(deviceId: string) {
      return {
        head: await store.getDeviceHead(deviceId),
        count: await store.countEvents(deviceId),
        hashes: (await store.listEvents(deviceId, 1, 100_000)).map((e) => e.hash),
      };
    }

    async function newChain(): Promise<EventChain> {
      const device = await enrolDevice(store);
      return new EventChain(device.deviceId, device.privateKey);
    }

    describe('ingest', () => {
      it('starts every device at { 0, genesisHash } with nothing stored', async () => {
        const chain = await newChain();
        expect(await store.getDeviceHead(chain.deviceId)).toEqual({ seq: 0, hash: genesisHash(chain.deviceId) });
        expect(await store.countEvents(chain.deviceId)).toBe(0);
        expect(await store.listEvents(chain.deviceId, 1, 10)).toEqual([]);
      });

      it('stores a first batch from seq 1 and the batches after it, advancing the head', async () => {
        const chain = await newChain();
        const first = chain.append(5);
        expect(await store.ingestBatch(batch(chain, first))).toEqual({
          kind: 'stored',
          head: { seq: 5, hash: first[4]!.hash },
          stored: 5,
          duplicates: 0,
        });
        const second = chain.append(3);
        expect(await store.ingestBatch(batch(chain, second))).toEqual({
          kind: 'stored',
          head: { seq: 8, hash: second[2]!.hash },
          stored: 3,
          duplicates: 0,
        });
        expect(await store.getDeviceHead(chain.deviceId)).toEqual(chain.head);
        expect(await store.countEvents(chain.deviceId)).toBe(8);
      });

      it('keeps each device its own log', async () => {
        const a = await newChain();
        const b = await newChain();
        await store.ingestBatch(batch(a, a.append(3)));
        await store.ingestBatch(batch(b, b.append(1)));
        expect(await store.getDeviceHead(a.deviceId)).toEqual(a.head);
        expect(await store.getDeviceHead(b.deviceId)).toEqual(b.head);
        expect([await store.countEvents(a.deviceId), await store.countEvents(b.deviceId)]).toEqual([3, 1]);
      });

      it('acknowledges and drops identical duplicates, whole batches and overlaps alike', async () => {
        const chain = await newChain();
        await store.ingestBatch(batch(chain, chain.append(5)));
        const before = await snapshot(chain.deviceId);

        expect(await store.ingestBatch(batch(chain, chain.range(1, 5)))).toEqual({
          kind: 'stored',
          head: before.head,
          stored: 0,
          duplicates: 5,
        });
        expect(await store.ingestBatch(batch(chain, chain.range(2, 3)))).toMatchObject({ kind: 'stored', stored: 0, duplicates: 2 });
        expect(await snapshot(chain.deviceId)).toEqual(before);

        chain.append(3);
        expect(await store.ingestBatch(batch(chain, chain.range(3, 8)))).toEqual({
          kind: 'stored',
          head: chain.head,
          stored: 3,
          duplicates: 3,
        });
        expect(await store.countEvents(chain.deviceId)).toBe(8);
      });

      it('refuses a different event under a stored seq as a conflict and changes nothing', async () => {
        const chain = await newChain();
        await store.ingestBatch(batch(chain, chain.append(5)));
        const before = await snapshot(chain.deviceId);
        const other = chain.fork(3);
        other.append(4, (seq) => ({ payload: { rewritten: seq } })); // 4'..7', validly sealed

        expect(await store.ingestBatch(batch(chain, other.range(4, 7)))).toEqual({ kind: 'conflict', head: before.head, seq: 4 });
        // Identical prefix, then the conflict: still nothing, not even 6' and 7' beyond the head.
        expect(await store.ingestBatch(batch(chain, other.range(1, 7)))).toEqual({ kind: 'conflict', head: before.head, seq: 4 });
        expect(await snapshot(chain.deviceId)).toEqual(before);
      });

      it('refuses a gap with the expected seq and changes nothing', async () => {
        const chain = await newChain();
        chain.append(6);
        expect(await store.ingestBatch(batch(chain, chain.range(2, 3)))).toEqual({
          kind: 'gap',
          head: { seq: 0, hash: genesisHash(chain.deviceId) },
          expectedSeq: 1,
        });
        await store.ingestBatch(batch(chain, chain.range(1, 3)));
        const before = await snapshot(chain.deviceId);
        expect(await store.ingestBatch(batch(chain, chain.range(5, 6)))).toEqual({ kind: 'gap', head: before.head, expectedSeq: 4 });
        expect(await snapshot(chain.deviceId)).toEqual(before);
      });

      it('refuses a first new event that does not link to the head as chain-broken and changes nothing', async () => {
        const chain = await newChain();
        await store.ingestBatch(batch(chain, chain.append(3)));
        const before = await snapshot(chain.deviceId);
        const other = chain.fork(2);
        other.append(3); // 3', 4', 5': 4' links to 3', not to the stored 3
        expect(await store.ingestBatch(batch(chain, other.range(4, 5)))).toEqual({ kind: 'chain-broken', head: before.head, seq: 4 });
        expect(await snapshot(chain.deviceId)).toEqual(before);

        // A device's first event must link to its genesis hash.
        const fresh = await newChain();
        const unlinked = resealed(fresh.append(1)[0]!, { prevHash: 'f'.repeat(64) }, fresh.key);
        expect(await store.ingestBatch(batch(fresh, [unlinked]))).toEqual({
          kind: 'chain-broken',
          head: { seq: 0, hash: genesisHash(fresh.deviceId) },
          seq: 1,
        });
        expect(await store.countEvents(fresh.deviceId)).toBe(0);
      });

      it('is all or nothing: a batch whose tail cannot be stored leaves no trace of its valid prefix', async () => {
        const chain = await newChain();
        await store.ingestBatch(batch(chain, chain.append(2)));
        const before = await snapshot(chain.deviceId);
        const events = chain.append(4);
        // The last event carries a payload no JSON can hold (a store must refuse it, not mangle it).
        const poisoned = [...events.slice(0, 3), tampered(events[3]!, { payload: { bad: undefined } as never })];
        await expect(store.ingestBatch(batch(chain, poisoned))).rejects.toThrow();
        expect(await snapshot(chain.deviceId)).toEqual(before);
        // The same events, intact, are then accepted from where the head is.
        expect(await store.ingestBatch(batch(chain, events))).toMatchObject({ kind: 'stored', stored: 4 });
      });

      it('stores a batch delivered twice at the same moment exactly once', async () => {
        const chain = await newChain();
        const events = chain.append(50);
        const outcomes = await Promise.all([store.ingestBatch(batch(chain, events)), store.ingestBatch(batch(chain, events))]);
        for (const outcome of outcomes) expect(outcome).toMatchObject({ kind: 'stored', head: chain.head });
        const counts = outcomes.map((o) => (o.kind === 'stored' ? [o.stored, o.duplicates] : [-1, -1]));
        expect(counts.map(([s]) => s).sort()).toEqual([0, 50]);
        expect(counts.map(([, d]) => d).sort()).toEqual([0, 50]);
        expect(await store.countEvents(chain.deviceId)).toBe(50);
      });
    });

    describe('listEvents', () => {
      it('returns events whose hash recomputes, with their payloads, receivedAt and clock skew', async () => {
        const chain = await newChain();
        const payloads: SyncEvent['payload'][] = [
          { z: 1, a: 2, m: { y: [3, { b: 1, a: 0 }], x: null } }, // keys out of order
          { text: '卡位 "引号" \\ 反斜杠\n换行 \u0000 😀', empty: {}, list: [] },
          { float: 0.1, negative: -42.5, big: 1e21, tiny: 5e-324, max: Number.MAX_SAFE_INTEGER, bool: false },
          {},
        ];
        const events = chain.append(payloads.length, (seq) => ({ payload: payloads[seq - 1]!, type: 'checkin.passed' }));
        await store.ingestBatch(batch(chain, events, -3500));
        const listed = await store.listEvents(chain.deviceId, 1, 100);
        expect(listed).toHaveLength(events.length);
        listed.forEach((stored, i) => {
          expect(eventHash(stored)).toBe(stored.hash);
          expect(canonicalJson(stored.payload)).toBe(canonicalJson(events[i]!.payload));
          expect(stored).toEqual({ ...events[i]!, receivedAt: RECEIVED_AT, clockSkewMs: -3500 });
        });
      });

      it('pages from a seq with a limit, in order', async () => {
        const chain = await newChain();
        await store.ingestBatch(batch(chain, chain.append(10)));
        expect((await store.listEvents(chain.deviceId, 4, 3)).map((e) => e.seq)).toEqual([4, 5, 6]);
        expect((await store.listEvents(chain.deviceId, 9, 10)).map((e) => e.seq)).toEqual([9, 10]);
        expect(await store.listEvents(chain.deviceId, 11, 10)).toEqual([]);
      });
    });

    describe('downstream messages', () => {
      const body = (deviceId: string | null, text: string): MessageBody & { signature: string } => ({
        id: randomUUID(),
        deviceId,
        type: 'notice.text',
        payload: { text, extra: { b: 2, a: [1] } },
        createdAt: RECEIVED_AT,
        signature: `${'A'.repeat(86)}==`,
      });

      it('gives increasing cursors and returns, after a cursor, the device’s own messages and broadcasts', async () => {
        const a = (await enrolDevice(store)).deviceId;
        const b = (await enrolDevice(store)).deviceId;
        const forA = await store.appendMessage(body(a, 'for a'));
        const forAll = await store.appendMessage(body(null, 'for all'));
        const forB = await store.appendMessage(body(b, 'for b'));
        const forA2 = await store.appendMessage(body(a, 'for a again'));
        expect(forA.cursor).toBeGreaterThanOrEqual(1);
        expect([forA, forAll, forB, forA2].map((m) => m.cursor)).toEqual(
          [forA, forAll, forB, forA2].map((m) => m.cursor).sort((x, y) => x - y),
        );
        expect(new Set([forA, forAll, forB, forA2].map((m) => m.cursor)).size).toBe(4);

        expect(await store.messagesAfter(a, 0, 100)).toEqual([forA, forAll, forA2]);
        expect(await store.messagesAfter(b, 0, 100)).toEqual([forAll, forB]);
        expect(await store.messagesAfter(a, forA.cursor, 100)).toEqual([forAll, forA2]);
        expect(await store.messagesAfter(a, 0, 2)).toEqual([forA, forAll]);
        expect(await store.messagesAfter(a, forA2.cursor, 100)).toEqual([]);
        expect(forA).toMatchObject({ deviceId: a, payload: { text: 'for a', extra: { b: 2, a: [1] } } });
      });

      it('stores a message id once', async () => {
        const message = body(null, 'once');
        await store.appendMessage(message);
        await expect(store.appendMessage(message)).rejects.toThrow();
        expect(await store.messagesAfter((await enrolDevice(store)).deviceId, 0, 100)).toHaveLength(1);
      });
    });

    describe('alerts', () => {
      it('raises alerts and lists them newest first, by device and with a limit', async () => {
        const a = (await enrolDevice(store)).deviceId;
        const b = (await enrolDevice(store)).deviceId;
        const first = await store.raiseAlert({ deviceId: a, kind: 'sync.event_forged', detail: { seq: 3, reason: 'bad-signature' }, createdAt: 1 });
        const second = await store.raiseAlert({ deviceId: b, kind: 'sync.chain_broken', detail: { seq: 9 }, createdAt: 2 });
        const third = await store.raiseAlert({ deviceId: null, kind: 'sync.seq_conflict', detail: { nested: { ok: [1] } }, createdAt: 3 });
        expect(first).toEqual({ id: expect.any(Number), deviceId: a, kind: 'sync.event_forged', detail: { seq: 3, reason: 'bad-signature' }, createdAt: 1 });
        expect(await store.listAlerts()).toEqual([third, second, first]);
        expect(await store.listAlerts({ deviceId: a })).toEqual([first]);
        expect(await store.listAlerts({ limit: 2 })).toEqual([third, second]);
      });
    });
  });
}

/** Enrols a new device (its own site and 1×1 room) through the CentralStore, as the central would. */
export async function enrolDevice(store: CentralStore): Promise<TestDevice> {
  const device = new TestDevice();
  const site = await store.createSite({ name: 'contract site' });
  const room = await store.createRoom({ siteId: site.id, number: 1, rows: 1, cols: 1 });
  const codeSha256Hex = sha256Hex(randomToken(12));
  const now = Date.now();
  await store.createEnrolmentCode({ codeSha256Hex, target: { kind: 'booth', boothId: room.booths[0]!.id }, createdAt: now, expiresAt: now + 60_000 });
  const { device: record } = await store.consumeEnrolmentCode({
    codeSha256Hex,
    kind: 'booth',
    publicKey: device.publicKey,
    hostname: 'contract-pc',
    appVersion: '0.1.0-test',
    now,
  });
  device.deviceId = record.id;
  return device;
}

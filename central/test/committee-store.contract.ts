import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshStoreEach, type OpenedContractStore } from './contract-store.ts';
import { privateKeyFromPkcs8, publicKeyFromBase64 } from '@kawei/shared/crypto/ed25519.node.ts';
import { checkChain, genesisHash, sealEvent } from '@kawei/shared/sync/event-chain.node.ts';
import { SYNC_EVENT_VERSION, type SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { CentralStore } from '../src/storage/central-store.ts';
import type { SyncStore } from '../src/storage/sync-store.ts';
import type { CommitteeStore, LedgerEvent } from '../src/storage/committee-store.ts';
import { enrolDevice } from './sync-store.contract.ts';
import { EventChain } from './event-chain-builder.ts';

export type CommitteeContractStore = CentralStore & SyncStore & CommitteeStore;

/**
 * The CommitteeStore behaviour every backend must have (SQLite: sync-store.sqlite.test.ts;
 * PostgreSQL: store.postgres.test.ts). `open` gives a fresh, migrated store and a `close`; `openAgain`
 * a second store on the same data (another process, as `serve` and the CLI are).
 */
export function describeCommitteeStoreContract(
  name: string,
  open: () => Promise<OpenedContractStore<CommitteeContractStore>>,
): void {
  describe(`CommitteeStore contract: ${name}`, () => {
    let store: CommitteeContractStore;
    const { openAgain } = freshStoreEach(open, (opened) => (store = opened));

    async function centralSigner() {
      const identity = await store.getCentralIdentity();
      const key = privateKeyFromPkcs8(identity.privateKeyPkcs8);
      const seal = (head: { seq: number; hash: string }, type: string, payload: SyncEvent['payload']): SyncEvent =>
        sealEvent(
          { v: SYNC_EVENT_VERSION, id: randomUUID(), deviceId: identity.centralId, seq: head.seq + 1, type, payload, deviceTime: 1_780_000_000_000 + head.seq, prevHash: head.hash },
          key,
        );
      return { identity, seal };
    }

    it('starts at the genesis of the central id, appends on the head, and lists by project and date', async () => {
      const { identity, seal } = await centralSigner();
      const genesis = { seq: 0, hash: genesisHash(identity.centralId) };
      expect(await store.getLedgerHead()).toEqual(genesis);
      const a = seal(genesis, 'committee.opened', { date: '2026-06-01', project: 'P1', n: 1 });
      expect(await store.appendLedgerEvent({ event: a, date: '2026-06-01', project: 'P1' })).toEqual({ kind: 'appended', head: { seq: 1, hash: a.hash } });
      const b = seal({ seq: 1, hash: a.hash }, 'committee.opened', { date: '2026-06-01', project: 'P2', nested: { list: [1, 'two', null] } });
      await store.appendLedgerEvent({ event: b, date: '2026-06-01', project: 'P2' });
      const c = seal({ seq: 2, hash: b.hash }, 'committee.refused', { date: '2026-06-02', project: 'P1' });
      await store.appendLedgerEvent({ event: c, date: '2026-06-02', project: 'P1' });

      expect(await store.getLedgerHead()).toEqual({ seq: 3, hash: c.hash });
      const all = await store.listLedger({});
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(all[1]).toEqual({ ...b, date: '2026-06-01', project: 'P2' });
      expect((await store.listLedger({ project: 'P1' })).map((e) => e.seq)).toEqual([1, 3]);
      expect((await store.listLedger({ project: 'P1', date: '2026-06-01' })).map((e) => e.seq)).toEqual([1]);
      expect((await store.listLedger({ fromSeq: 2, limit: 1 })).map((e) => e.seq)).toEqual([2]);
      // The stored chain verifies with the same check as a device's.
      expect(checkChain(all.map(asSyncEvent), identity.centralId, publicKeyFromBase64(identity.publicKey)!)).toBeNull();
      expect(asSyncEvent(all[0]!)).toEqual(a);
    });

    it('refuses an append built on a stale head, changing nothing', async () => {
      const { identity, seal } = await centralSigner();
      const genesis = { seq: 0, hash: genesisHash(identity.centralId) };
      const first = seal(genesis, 'committee.opened', { project: 'P1' });
      await store.appendLedgerEvent({ event: first, date: '2026-06-01', project: 'P1' });
      const rival = seal(genesis, 'committee.opened', { project: 'P9' });
      expect(await store.appendLedgerEvent({ event: rival, date: '2026-06-01', project: 'P9' })).toEqual({ kind: 'stale', head: { seq: 1, hash: first.hash } });
      const wrongLink = seal({ seq: 1, hash: genesis.hash }, 'committee.opened', { project: 'P9' });
      expect(await store.appendLedgerEvent({ event: wrongLink, date: '2026-06-01', project: 'P9' })).toMatchObject({ kind: 'stale' });
      expect((await store.listLedger({})).map((e) => e.hash)).toEqual([first.hash]);
    });

    it('lets exactly one of several stores appending on the same head win; the others see stale', async () => {
      const { identity, seal } = await centralSigner();
      const stores = [store, await openAgain(), await openAgain()];
      const genesis = { seq: 0, hash: genesisHash(identity.centralId) };
      let head = genesis;
      for (let round = 0; round < 3; round++) {
        const candidates = stores.map((_, i) => seal(head, 'committee.accepted', { round, by: i }));
        const outcomes = await Promise.all(stores.map((s, i) => s.appendLedgerEvent({ event: candidates[i]!, date: '2026-06-01', project: 'P1' })));
        expect(outcomes.filter((o) => o.kind === 'appended')).toHaveLength(1);
        const winner = outcomes.findIndex((o) => o.kind === 'appended');
        head = { seq: head.seq + 1, hash: candidates[winner]!.hash };
        for (const o of outcomes) expect(o.head).toEqual(head);
      }
      const ledger = await store.listLedger({});
      expect(ledger).toHaveLength(3);
      expect(checkChain(ledger.map(asSyncEvent), identity.centralId, publicKeyFromBase64(identity.publicKey)!)).toBeNull();
    });

    it('lists stored booth events by type in (device, seq) order, pages after a key, and gets one event', async () => {
      const one = await enrolDevice(store);
      const two = await enrolDevice(store);
      const types = ['review.chair_vote', 'booth.scores_submitted', 'test.other'];
      for (const device of [one, two]) {
        const chain = new EventChain(device.deviceId, device.privateKey);
        const events = chain.append(6, (seq) => ({ type: types[seq % 3]!, payload: { seq, date: '2026-06-01' } }));
        await store.ingestBatch({ deviceId: device.deviceId, events, receivedAt: 1, clockSkewMs: 0 });
      }
      const wanted = ['review.chair_vote', 'booth.scores_submitted'];
      const found = await store.listEventsByTypes(wanted);
      const sorted = [one.deviceId, two.deviceId].sort();
      const expected = sorted.flatMap((d) => [1, 2, 3, 4, 5, 6].filter((seq) => seq % 3 !== 2).map((seq) => `${d}#${seq}`));
      expect(found.map((e) => `${e.deviceId}#${e.seq}`)).toEqual(expected);
      expect(found.every((e) => wanted.includes(e.type))).toBe(true);
      const page = await store.listEventsByTypes(wanted, { after: { deviceId: sorted[0]!, seq: 4 }, limit: 3 });
      expect(page.map((e) => `${e.deviceId}#${e.seq}`)).toEqual(expected.slice(3, 6));
      expect(await store.listEventsByTypes([])).toEqual([]);

      const got = await store.getEvent(one.deviceId, 3);
      expect(got).toMatchObject({ deviceId: one.deviceId, seq: 3, type: 'review.chair_vote', payload: { seq: 3, date: '2026-06-01' } });
      expect(got!.hash).toBe((await store.listEvents(one.deviceId, 3, 1))[0]!.hash);
      expect(await store.getEvent(one.deviceId, 99)).toBeNull();
    });

    it("lists every device's head, and one device's events by type in a seq range", async () => {
      const one = await enrolDevice(store);
      const two = await enrolDevice(store);
      const quiet = await enrolDevice(store);
      const types = ['review.chair_vote', 'booth.scores_submitted', 'test.other'];
      const chains = new Map([one, two].map((d) => [d.deviceId, new EventChain(d.deviceId, d.privateKey)]));
      for (const [deviceId, chain] of chains) {
        const events = chain.append(6, (seq) => ({ type: types[seq % 3]!, payload: { seq } }));
        await store.ingestBatch({ deviceId, events, receivedAt: 1, clockSkewMs: 0 });
      }
      await store.ingestBatch({ deviceId: two.deviceId, events: chains.get(two.deviceId)!.append(2, (seq) => ({ type: types[seq % 3]!, payload: { seq } })), receivedAt: 2, clockSkewMs: 0 });
      const heads = await store.listDeviceHeads();
      expect(heads.filter((h) => h.deviceId !== quiet.deviceId).sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1))).toEqual(
        [
          { deviceId: one.deviceId, seq: 6 },
          { deviceId: two.deviceId, seq: 8 },
        ].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1)),
      );
      expect(heads.find((h) => h.deviceId === quiet.deviceId)?.seq ?? 0).toBe(0);

      const wanted = ['review.chair_vote', 'booth.scores_submitted'];
      const seqs = async (deviceId: string, afterSeq: number, upToSeq: number) =>
        (await store.listDeviceEventsByTypes(deviceId, wanted, { afterSeq, upToSeq })).map((e) => [e.deviceId, e.seq, e.type]);
      expect(await seqs(two.deviceId, 0, 8)).toEqual([1, 3, 4, 6, 7].map((seq) => [two.deviceId, seq, types[seq % 3]]));
      expect(await seqs(two.deviceId, 4, 7)).toEqual([6, 7].map((seq) => [two.deviceId, seq, types[seq % 3]]));
      expect(await seqs(one.deviceId, 6, 8)).toEqual([]);
      expect(await seqs(one.deviceId, 3, 3)).toEqual([]);
      expect(await store.listDeviceEventsByTypes(one.deviceId, [], { afterSeq: 0, upToSeq: 6 })).toEqual([]);
      const [event] = await store.listDeviceEventsByTypes(one.deviceId, ['booth.scores_submitted'], { afterSeq: 0, upToSeq: 1 });
      expect(event).toEqual(await store.getEvent(one.deviceId, 1));
    });
  });
}

/** A ledger event as the chain has it (without the committee columns). */
export function asSyncEvent(event: LedgerEvent): SyncEvent {
  const copy: Partial<LedgerEvent> = { ...event };
  delete copy.date;
  delete copy.project;
  return copy as SyncEvent;
}

import { randomUUID, type KeyObject } from 'node:crypto';
import { publicKeyFromBase64 } from '@kawei/shared/crypto/ed25519.node.ts';
import { checkChain, sealEvent, type EventFault } from '@kawei/shared/sync/event-chain.node.ts';
import { SYNC_EVENT_VERSION, type SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { CentralStore } from '../storage/central-store.ts';
import type { CommitteeStore, LedgerEvent } from '../storage/committee-store.ts';
import type { DeviceHead } from '../storage/sync-store.ts';
import type { LedgerEntry } from './committee-types.ts';

/**
 * The central's committee ledger: its own hash chain of `committee.*` events, in the SyncEvent
 * format with the central's id as deviceId, sealed with the central's key — so anyone holding the
 * central's public key checks it with the same checkChain as a device's log.
 *
 * The chain is one per database and the serve process and the CLI both append: an append is built on
 * the head it read and stored only if that is still the head (CommitteeStore.appendLedgerEvent).
 * When another append got there first, the whole decision is made again on the new state (`decide`
 * is called again), then sealed on the new head: the chain never forks, and no decision is made on a
 * state that is no longer current.
 */
export interface LedgerDeps {
  store: CentralStore & CommitteeStore;
  privateKey: KeyObject;
  centralId: string;
  now: () => number;
}

/** What to append: one committee event, of one committee. */
export interface LedgerAppend {
  type: string;
  date: string;
  project: string;
  payload: Record<string, unknown>;
}

/** Appends, in one process, are one at a time (other processes: the stale-head retry). */
const MAX_ATTEMPTS = 50;

/**
 * Calls `decide` (which reads whatever state it needs) and appends what it returns, sealed on the
 * current head; retried from `decide` when the head moved. Returns the stored event, or null when
 * `decide` returned null (nothing to append).
 */
export function appendToLedger(deps: LedgerDeps, decide: () => Promise<LedgerAppend | null>): Promise<LedgerEvent | null> {
  // One chain for every committee: appends from this process wait their turn, so committees judged
  // side by side do not race for the head (the retry below is for other processes, e.g. the CLI).
  const previous = appendQueues.get(deps.store) ?? Promise.resolve();
  const turn = previous.then(() => appendWithRetry(deps, decide));
  appendQueues.set(
    deps.store,
    turn.then(
      () => undefined,
      () => undefined,
    ),
  );
  return turn;
}

/** The tail of each store's append queue (per store object: tests open several stores in one process). */
const appendQueues = new WeakMap<object, Promise<void>>();

async function appendWithRetry(deps: LedgerDeps, decide: () => Promise<LedgerAppend | null>): Promise<LedgerEvent | null> {
  for (let attempt = 1; ; attempt++) {
    const head = await deps.store.getLedgerHead();
    const entry = await decide();
    if (entry === null) return null;
    const event = sealLedgerEvent(deps, head, entry);
    const outcome = await deps.store.appendLedgerEvent({ event, date: entry.date, project: entry.project });
    if (outcome.kind === 'appended') return { ...event, date: entry.date, project: entry.project };
    if (attempt >= MAX_ATTEMPTS) throw new Error(`committee ledger: gave up after ${attempt} appends found a newer head`);
  }
}

export function sealLedgerEvent(deps: Pick<LedgerDeps, 'privateKey' | 'centralId' | 'now'>, head: DeviceHead, entry: LedgerAppend): SyncEvent {
  return sealEvent(
    {
      v: SYNC_EVENT_VERSION,
      id: randomUUID(),
      deviceId: deps.centralId,
      seq: head.seq + 1,
      type: entry.type,
      // Plain JSON (no undefined, no class instances): the hash covers the canonical JSON of exactly this.
      payload: JSON.parse(JSON.stringify(entry.payload)) as SyncEvent['payload'],
      deviceTime: deps.now(),
      prevHash: head.hash,
    },
    deps.privateKey,
  );
}

/** A project's ledger from its last committee.opened on (an earlier opening was replaced by it), as replay entries. */
export async function readCommitteeLedger(store: CommitteeStore, date: string, project: string): Promise<LedgerEvent[]> {
  const events = await store.listLedger({ date, project });
  let from = 0;
  events.forEach((e, i) => {
    if (e.type === 'committee.opened') from = i;
  });
  return events.slice(from);
}

export function toLedgerEntries(events: readonly LedgerEvent[]): LedgerEntry[] {
  return events.map((e) => ({ seq: e.seq, type: e.type, payload: e.payload, at: e.deviceTime }));
}

export type LedgerChainFault = EventFault | { kind: 'no-key' } | { kind: 'foreign-central'; seq: number };

/** Checks the whole ledger: every event sealed by the central's key, consecutive from 1, chained from the genesis. */
export async function verifyLedgerChain(store: CentralStore & CommitteeStore): Promise<{ events: number; fault: LedgerChainFault | null }> {
  const identity = await store.getCentralIdentity();
  const key = publicKeyFromBase64(identity.publicKey);
  if (!key) return { events: 0, fault: { kind: 'no-key' } };
  const events: SyncEvent[] = [];
  for (let from = 1; ; ) {
    const page = await store.listLedger({ fromSeq: from, limit: 5000 });
    for (const e of page) events.push(withoutCommittee(e));
    if (page.length < 5000) break;
    from = page.at(-1)!.seq + 1;
  }
  if (events.length > 0 && events[0]!.seq !== 1) return { events: events.length, fault: { kind: 'not-consecutive', seq: events[0]!.seq, expectedSeq: 1 } };
  return { events: events.length, fault: checkChain(events, identity.centralId, key) };
}

function withoutCommittee(event: LedgerEvent): SyncEvent {
  return {
    v: event.v,
    id: event.id,
    deviceId: event.deviceId,
    seq: event.seq,
    type: event.type,
    payload: event.payload,
    deviceTime: event.deviceTime,
    prevHash: event.prevHash,
    hash: event.hash,
    signature: event.signature,
  };
}

import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { DeviceHead, StoredEvent } from './sync-store.ts';

/**
 * The central's committee ledger (issue #13, central/src/committee/): its own hash chain of
 * `committee.*` events in the SyncEvent format (deviceId = the central's id, sealed with the
 * central's key, so shared checkChain verifies it), plus the lookups the committee needs into the
 * booths' stored events. On SQLite and PostgreSQL alike (central-sql-store.node.ts).
 *
 * The ledger has one writer at a time per database, whatever the process: an append names the head
 * it was built on and is refused as 'stale' when another append got there first (the serve process
 * and the CLI both append). The caller re-reads, re-decides and re-seals: the chain never forks.
 */
export interface CommitteeStore {
  /** The ledger's last seq and hash; { 0, genesisHash(centralId) } while it is empty. */
  getLedgerHead(): Promise<DeviceHead>;
  /**
   * Appends one sealed event if it follows the current head (seq = head.seq + 1, prevHash = head.hash),
   * in one transaction; otherwise changes nothing and answers 'stale' with the head it found.
   */
  appendLedgerEvent(input: NewLedgerEvent): Promise<LedgerAppendOutcome>;
  /** Ledger events in seq order, of one project (and date) or all; from `fromSeq`, at most `limit`. */
  listLedger(filter: LedgerFilter): Promise<LedgerEvent[]>;
  /** Stored booth events of these types, in (device, seq) order after `after`, at most `limit`. */
  listEventsByTypes(types: readonly string[], options?: { after?: { deviceId: string; seq: number }; limit?: number }): Promise<StoredEvent[]>;
  /**
   * Every device's head seq (devices that stored nothing yet have none). The committee's catch-up
   * remembers the heads it has looked at: a device whose head has not moved stored nothing since,
   * and a device's events below its head are all stored (a batch and its head commit together).
   */
  listDeviceHeads(): Promise<{ deviceId: string; seq: number }[]>;
  /** One device's stored events of these types with afterSeq < seq ≤ upToSeq, in seq order. */
  listDeviceEventsByTypes(deviceId: string, types: readonly string[], range: { afterSeq: number; upToSeq: number }): Promise<StoredEvent[]>;
  /** One stored booth event, or null. */
  getEvent(deviceId: string, seq: number): Promise<StoredEvent | null>;
}

export interface NewLedgerEvent {
  event: SyncEvent;
  /** The committee's date and project (indexed: a project's ledger is read on every judgement). */
  date: string;
  project: string;
}

export type LedgerAppendOutcome = { kind: 'appended'; head: DeviceHead } | { kind: 'stale'; head: DeviceHead };

export interface LedgerFilter {
  date?: string | undefined;
  project?: string | undefined;
  fromSeq?: number | undefined;
  limit?: number | undefined;
}

export interface LedgerEvent extends SyncEvent {
  date: string;
  project: string;
}

/** Whether a store keeps the committee ledger (the central's store does; a test's stand-in may not). */
export function isCommitteeStore<S extends object>(store: S): store is S & CommitteeStore {
  const s = store as Partial<CommitteeStore>;
  return typeof s.appendLedgerEvent === 'function' && typeof s.listLedger === 'function' && typeof s.listEventsByTypes === 'function';
}

import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { DownstreamMessage, MessageBody } from '@kawei/shared/sync/sync-http.ts';

/**
 * What the central keeps for sync, behind one asynchronous interface implemented on SQLite (the
 * default) and on PostgreSQL (multi-site). The ingest guarantee lives here: `ingestBatch` compares the
 * batch with the device's head and stores the new events and the new head in ONE transaction, so
 * "stored" and "acknowledged" can never disagree, whatever crashes when (the Replicache pattern).
 *
 * Signatures and hashes are checked before a batch reaches the store (pure CPU work, see
 * shared/src/sync/event-chain.node.ts); the store checks what needs the stored state: sequence and
 * chain link against the head, and that a re-sent event is identical to the one stored.
 */
export interface SyncStore {
  /** The device's last stored seq and hash; { 0, genesisHash(deviceId) } before its first event. */
  getDeviceHead(deviceId: string): Promise<DeviceHead>;

  /**
   * All or nothing, in one transaction. `events` are consecutive and chained among themselves and each
   * correctly sealed by `deviceId`. Events with seq ≤ head are duplicates: acknowledged if their hash
   * equals the stored one, else the whole batch is a 'conflict'. The first new event must be
   * head.seq + 1 ('gap' otherwise) and link to head.hash ('chain-broken' otherwise).
   */
  ingestBatch(input: IngestBatch): Promise<IngestOutcome>;

  /** A device's stored events from `fromSeq` on, in order (for audits and for the tests' comparisons). */
  listEvents(deviceId: string, fromSeq: number, limit: number): Promise<StoredEvent[]>;
  /** Number of stored events per device. */
  countEvents(deviceId: string): Promise<number>;

  raiseAlert(alert: NewAlert): Promise<Alert>;
  listAlerts(options?: { deviceId?: string; limit?: number }): Promise<Alert[]>;

  /** Stores a downstream message (already signed) and gives it the next cursor. */
  appendMessage(message: MessageBody & { signature: string }): Promise<DownstreamMessage>;
  /** Messages for this device (or for every device) with cursor > `afterCursor`, in cursor order. */
  messagesAfter(deviceId: string, afterCursor: number, limit: number): Promise<DownstreamMessage[]>;
}

export interface DeviceHead {
  seq: number;
  hash: string;
}

export interface IngestBatch {
  deviceId: string;
  events: readonly SyncEvent[];
  /** Central clock when the batch arrived (epoch ms). */
  receivedAt: number;
  /** receivedAt − the device's sentAt: how far the device clock is behind (+) or ahead (−). */
  clockSkewMs: number;
}

export type IngestOutcome =
  | { kind: 'stored'; head: DeviceHead; stored: number; duplicates: number }
  | { kind: 'gap'; head: DeviceHead; expectedSeq: number }
  | { kind: 'chain-broken'; head: DeviceHead; seq: number }
  | { kind: 'conflict'; head: DeviceHead; seq: number };

export interface StoredEvent extends SyncEvent {
  receivedAt: number;
  clockSkewMs: number;
}

export const ALERT_KINDS = ['sync.chain_broken', 'sync.event_forged', 'sync.seq_conflict', 'security.throttled'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface NewAlert {
  deviceId: string | null;
  kind: AlertKind;
  detail: Record<string, unknown>;
  createdAt: number;
}
export interface Alert extends NewAlert {
  id: number;
}

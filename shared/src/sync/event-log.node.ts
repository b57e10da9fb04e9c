import { randomUUID, type KeyObject } from 'node:crypto';
import type { DeviceStore, InboxMessage, LogHead, SyncState } from '../device/device-store.node.ts';
import type { JsonValue } from './canonical-json.ts';
import { genesisHash, sealEvent } from './event-chain.node.ts';
import { eventTypeSchema, SYNC_EVENT_VERSION, type SyncEvent } from './sync-event.ts';

export type EventPayload = Record<string, JsonValue>;

/**
 * A device's side of upstream sync: its append-only, hash-chained, signed log of facts for the
 * central. `append` returns only after the event is durable (SQLite, WAL, synchronous=FULL), so
 * anything the app has told a user is saved survives a crash or a power cut, and the sender will
 * deliver it. The SQL lives in DeviceStore; this class holds the rules.
 */
export class EventLog {
  readonly genesis: string;

  private constructor(
    private readonly store: DeviceStore,
    readonly deviceId: string,
    private readonly privateKey: KeyObject,
    private readonly now: () => number,
  ) {
    this.genesis = genesisHash(deviceId);
  }

  static open(store: DeviceStore, deviceId: string, privateKey: KeyObject, now: () => number = Date.now): EventLog {
    return new EventLog(store, deviceId, privateKey, now);
  }

  append(type: string, payload: EventPayload): SyncEvent {
    const checkedType = eventTypeSchema.parse(type);
    return this.store.appendEvent(this.genesis, (head) => this.seal(head, checkedType, payload));
  }

  /** Many events in one transaction: one fsync instead of one per event. */
  appendMany(items: readonly { type: string; payload: EventPayload }[]): SyncEvent[] {
    const checked = items.map((i) => ({ type: eventTypeSchema.parse(i.type), payload: i.payload }));
    return this.store.appendEvents(this.genesis, checked.length, (head, index) =>
      this.seal(head, checked[index]!.type, checked[index]!.payload),
    );
  }

  head(): LogHead {
    return this.store.logHead(this.genesis);
  }

  /** What the central has acknowledged: everything up to ackedSeq is stored there. */
  acked(): { seq: number; hash: string } {
    const state = this.store.syncState(this.genesis);
    return { seq: state.ackedSeq, hash: state.ackedHash };
  }

  setAcked(seq: number, hash: string): void {
    this.store.setAcked(this.genesis, seq, hash);
  }

  eventAt(seq: number): SyncEvent | null {
    return this.store.eventAt(seq);
  }

  /** The hash at `seq` in this log (the genesis for 0), or null past the end. */
  hashAt(seq: number): string | null {
    if (seq === 0) return this.genesis;
    return this.store.eventAt(seq)?.hash ?? null;
  }

  eventsAfter(seq: number, limit: number): SyncEvent[] {
    return this.store.eventsAfter(seq, limit);
  }

  allEvents(): SyncEvent[] {
    return this.store.eventsAfter(0, Number.MAX_SAFE_INTEGER);
  }

  pending(): number {
    return this.head().seq - this.acked().seq;
  }

  syncState(): SyncState {
    return this.store.syncState(this.genesis);
  }

  receiveMessage(message: InboxMessage): boolean {
    return this.store.receiveMessage(this.genesis, message, this.now());
  }

  private seal(head: LogHead, type: string, payload: EventPayload): SyncEvent {
    return sealEvent(
      {
        v: SYNC_EVENT_VERSION,
        id: randomUUID(),
        deviceId: this.deviceId,
        seq: head.seq + 1,
        type,
        payload,
        deviceTime: this.now(),
        prevHash: head.hash,
      },
      this.privateKey,
    );
  }
}

import { randomUUID, type KeyObject } from 'node:crypto';
import { eventHash, genesisHash, sealEvent } from '@kawei/shared/sync/event-chain.node.ts';
import { signText } from '@kawei/shared/crypto/ed25519.node.ts';
import { hashedPart, SYNC_EVENT_VERSION, type SyncEvent, type UnsignedEvent } from '@kawei/shared/sync/sync-event.ts';
import type { PushRequest } from '@kawei/shared/sync/sync-http.ts';

/** What one built event carries; everything else (id, seq, prevHash, hash, signature) is derived. */
export interface EventContent {
  type?: string;
  payload?: SyncEvent['payload'];
  deviceTime?: number;
}

/**
 * Test-only builder of a device's event log: events sealed with the device key exactly as a device
 * seals them (shared/src/sync/event-chain.node.ts), consecutive and chained from the genesis hash.
 * Backend-agnostic, for the SQLite and PostgreSQL suites alike.
 *
 *   const chain = new EventChain(deviceId, deviceKey);
 *   chain.append(3);            // seq 1..3
 *   chain.range(2, 3);          // events 2 and 3
 *   chain.fork(2).append(2);    // a different, validly sealed history: 1, 2, 3', 4'
 */
export class EventChain {
  readonly events: SyncEvent[] = [];

  constructor(
    readonly deviceId: string,
    readonly key: KeyObject,
  ) {}

  /** The last event's seq and hash; { 0, genesisHash } before the first. */
  get head(): { seq: number; hash: string } {
    const last = this.events.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: genesisHash(this.deviceId) };
  }

  /** Appends `count` events (content from `make(seq)`, defaults otherwise) and returns them. */
  append(count: number, make: (seq: number) => EventContent = () => ({})): SyncEvent[] {
    const added: SyncEvent[] = [];
    for (let i = 0; i < count; i++) {
      const { seq, hash } = this.head;
      const content = make(seq + 1);
      const event = sealEvent(
        {
          v: SYNC_EVENT_VERSION,
          id: randomUUID(),
          deviceId: this.deviceId,
          seq: seq + 1,
          type: content.type ?? 'test.happened',
          payload: content.payload ?? { n: seq + 1, note: `event ${seq + 1}`, nested: { ok: true, list: [1, 'two', null] } },
          deviceTime: content.deviceTime ?? 1_780_000_000_000 + seq + 1,
          prevHash: hash,
        },
        this.key,
      );
      this.events.push(event);
      added.push(event);
    }
    return added;
  }

  /** Events fromSeq..toSeq inclusive. */
  range(fromSeq: number, toSeq: number): SyncEvent[] {
    return this.events.slice(fromSeq - 1, toSeq);
  }

  /** A copy of this log up to and including `atSeq`, to grow a different history from there. */
  fork(atSeq: number): EventChain {
    const copy = new EventChain(this.deviceId, this.key);
    copy.events.push(...this.events.slice(0, atSeq));
    return copy;
  }
}

/** The event with `changes` applied, re-hashed and re-signed by `key`: a well-formed event with any content. */
export function resealed(event: SyncEvent, changes: Partial<UnsignedEvent>, key: KeyObject): SyncEvent {
  const unsigned = { ...hashedPart(event), ...changes };
  const hash = eventHash(unsigned);
  return { ...unsigned, hash, signature: signText(key, hash) };
}

/** The event with `changes` applied but its old hash and signature kept: tampered in transit. */
export function tampered(event: SyncEvent, changes: Partial<UnsignedEvent>): SyncEvent {
  return { ...event, ...changes };
}

export function pushRequest(events: readonly SyncEvent[], sentAt = Date.now()): PushRequest {
  return { sentAt, events: [...events] };
}

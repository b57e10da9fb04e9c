import type { KeyObject } from 'node:crypto';
import { sha256Hex } from '../crypto/hash.node.ts';
import { signText, verifyText } from '../crypto/ed25519.node.ts';
import { canonicalJson } from './canonical-json.ts';
import { hashedPart, MAX_EVENT_PAYLOAD_BYTES, type SyncEvent, type UnsignedEvent } from './sync-event.ts';

/** The prevHash of a device's first event: ties the chain to that device from its first link. */
export function genesisHash(deviceId: string): string {
  return sha256Hex(`KAWEI-EVENT-GENESIS-V1\n${deviceId}`);
}

export function eventHash(event: UnsignedEvent | SyncEvent): string {
  return sha256Hex(canonicalJson(hashedPart(event)));
}

export function payloadBytes(payload: SyncEvent['payload']): number {
  return Buffer.byteLength(canonicalJson(payload), 'utf8');
}

export function sealEvent(unsigned: UnsignedEvent, deviceKey: KeyObject): SyncEvent {
  if (payloadBytes(unsigned.payload) > MAX_EVENT_PAYLOAD_BYTES) {
    throw new RangeError(`event payload over ${MAX_EVENT_PAYLOAD_BYTES} bytes`);
  }
  const hash = eventHash(unsigned);
  return { ...hashedPart(unsigned), hash, signature: signText(deviceKey, hash) };
}

export type EventFault =
  | { kind: 'hash-mismatch'; seq: number }
  | { kind: 'bad-signature'; seq: number }
  | { kind: 'wrong-device'; seq: number }
  | { kind: 'payload-too-large'; seq: number }
  | { kind: 'not-consecutive'; seq: number; expectedSeq: number }
  | { kind: 'chain-broken'; seq: number };

/** Checks one event on its own: its hash is its content's, its signature the device's. */
export function checkEventSeal(event: SyncEvent, deviceId: string, deviceKey: KeyObject): EventFault | null {
  if (event.deviceId !== deviceId) return { kind: 'wrong-device', seq: event.seq };
  if (payloadBytes(event.payload) > MAX_EVENT_PAYLOAD_BYTES) return { kind: 'payload-too-large', seq: event.seq };
  if (eventHash(event) !== event.hash) return { kind: 'hash-mismatch', seq: event.seq };
  if (!verifyText(deviceKey, event.hash, event.signature)) return { kind: 'bad-signature', seq: event.seq };
  return null;
}

/**
 * Checks a run of events as a chain: each sealed by the device, consecutive sequence numbers, each
 * linked to the one before. Returns the first fault, or null. `after` is what precedes the run
 * (the genesis for seq 1), when known.
 */
export function checkChain(
  events: readonly SyncEvent[],
  deviceId: string,
  deviceKey: KeyObject,
  after?: { seq: number; hash: string },
): EventFault | null {
  let previous = after;
  for (const event of events) {
    const sealFault = checkEventSeal(event, deviceId, deviceKey);
    if (sealFault) return sealFault;
    if (previous) {
      if (event.seq !== previous.seq + 1) return { kind: 'not-consecutive', seq: event.seq, expectedSeq: previous.seq + 1 };
      if (event.prevHash !== previous.hash) return { kind: 'chain-broken', seq: event.seq };
    } else if (event.seq === 1 && event.prevHash !== genesisHash(deviceId)) {
      return { kind: 'chain-broken', seq: 1 };
    }
    previous = { seq: event.seq, hash: event.hash };
  }
  return null;
}

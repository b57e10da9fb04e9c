import { z } from 'zod';
import { idSchema } from '../domain/topology.ts';

/**
 * The unit of upstream sync: one fact a device must get to the central (a check-in, a score, a
 * signature, an alert, a health report). Each device keeps one append-only log of them:
 *
 *   seq       1, 2, 3, … without gaps, per device
 *   prevHash  the previous event's hash (genesisHash(deviceId) for seq 1)
 *   hash      sha256 of canonicalJson(the event without hash and signature)
 *   signature Ed25519 over the hash's hex, by the device key
 *
 * The hash covers the device id, the sequence number and the previous hash, so removing, reordering,
 * editing or transplanting an event breaks the chain at that point, and only the device key can
 * mend it.
 */
export const SYNC_EVENT_VERSION = 1;
export const MAX_EVENT_PAYLOAD_BYTES = 64 * 1024;
export const MAX_BATCH_EVENTS = 500;
/** Request bodies of a push may be this large; the central's global 64 KiB limit does not apply. */
export const MAX_PUSH_BODY_BYTES = 8 * 1024 * 1024;

export const HASH_HEX_PATTERN = /^[0-9a-f]{64}$/;

/** "checkin.passed", "score.saved", "device.health": lower-case dotted names. */
export const eventTypeSchema = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'event types are dotted lower-case names like "device.health"');

/**
 * The payload is any JSON object. The central validates the envelope, the chain and the signature,
 * and stores payloads it does not (yet) understand rather than refusing them: a refusal would stop
 * the device's whole log behind that one event, since delivery is strictly in order.
 */
export const eventPayloadSchema = z.record(z.string(), z.json());

export const syncEventSchema = z
  .object({
    v: z.literal(SYNC_EVENT_VERSION),
    id: z.uuid(),
    deviceId: idSchema,
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    type: eventTypeSchema,
    payload: eventPayloadSchema,
    /** The device's clock when the fact happened (epoch ms). The central records its skew. */
    deviceTime: z.number().int().min(0),
    prevHash: z.string().regex(HASH_HEX_PATTERN),
    hash: z.string().regex(HASH_HEX_PATTERN),
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature in base64'),
  })
  .strict();
export type SyncEvent = z.infer<typeof syncEventSchema>;

/** The part of an event its hash covers. */
export type UnsignedEvent = Omit<SyncEvent, 'hash' | 'signature'>;

export function hashedPart(event: UnsignedEvent | SyncEvent): UnsignedEvent {
  return {
    v: event.v,
    id: event.id,
    deviceId: event.deviceId,
    seq: event.seq,
    type: event.type,
    payload: event.payload,
    deviceTime: event.deviceTime,
    prevHash: event.prevHash,
  };
}

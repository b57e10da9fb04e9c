import { z } from 'zod';
import { idSchema } from '../domain/topology.ts';
import { eventPayloadSchema, eventTypeSchema, HASH_HEX_PATTERN, MAX_BATCH_EVENTS, syncEventSchema } from './sync-event.ts';

/**
 * The sync protocol on the wire. All routes are device-authenticated (shared/src/api/device-auth.ts)
 * and every answer is signed by the central.
 *
 * Upstream — push (device → central), exactly-once and in order per device:
 *   POST SYNC_PATHS.push  { sentAt, events: [seq k … k+n] }  (consecutive, chained)
 *   200 { ackedSeq, ackedHash, stored, duplicates }  everything up to ackedSeq is durably stored
 *   409 SYNC_GAP            details { expectedSeq, ackedSeq }: resend from expectedSeq
 *   422 SYNC_EVENT_FORGED / SYNC_CHAIN_BROKEN / SYNC_SEQ_CONFLICT: refused, alert raised
 * A batch is all or nothing: on any refusal nothing of it is stored. Events the central already has
 * (seq ≤ its last) are acknowledged and dropped if identical, refused as SYNC_SEQ_CONFLICT if not.
 *
 * Downstream — pull (central → device), in order, from a durable cursor kept by the device:
 *   GET SYNC_PATHS.pull?cursor=N&waitMs=M   long poll: messages after N, waiting up to M for one
 *   GET SYNC_PATHS.stream?cursor=N          WebSocket: the backlog after N, then live messages
 * Each message is signed by the central when it is created, so the device verifies it with the
 * key it pinned at enrolment whichever transport carried it.
 */
export const SYNC_PATHS = {
  push: '/api/sync/push',
  pull: '/api/sync/pull',
  stream: '/api/sync/stream',
  head: '/api/sync/head',
} as const;

export const pushRequestSchema = z
  .object({
    /** The device's clock when it sent the batch: the central measures clock skew against it. */
    sentAt: z.number().int().min(0),
    events: z.array(syncEventSchema).min(1).max(MAX_BATCH_EVENTS),
  })
  .strict();
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const pushResponseSchema = z.object({
  ackedSeq: z.number().int().min(0),
  ackedHash: z.string().regex(HASH_HEX_PATTERN),
  stored: z.number().int().min(0),
  duplicates: z.number().int().min(0),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

/** What the central holds of a device's log: the sender asks after a crash to resume from there. */
export const headResponseSchema = z.object({
  ackedSeq: z.number().int().min(0),
  ackedHash: z.string().regex(HASH_HEX_PATTERN),
});
export type HeadResponse = z.infer<typeof headResponseSchema>;

export const syncGapDetailsSchema = z.object({
  expectedSeq: z.number().int().min(1),
  ackedSeq: z.number().int().min(0),
});

/** The part of a downstream message the central signs (its canonical JSON). */
export const messageBodySchema = z
  .object({
    id: z.uuid(),
    /** The device it is for, or null for every device. */
    deviceId: idSchema.nullable(),
    type: eventTypeSchema,
    payload: eventPayloadSchema,
    createdAt: z.number().int().min(0),
  })
  .strict();
export type MessageBody = z.infer<typeof messageBodySchema>;

export const downstreamMessageSchema = messageBodySchema
  .extend({
    /** Position in the central's message stream; strictly increasing, not necessarily consecutive. */
    cursor: z.number().int().min(1),
    /** Ed25519 by the central key over canonicalJson(message body). */
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
  })
  .strict();
export type DownstreamMessage = z.infer<typeof downstreamMessageSchema>;

export const MAX_PULL_MESSAGES = 500;
export const MAX_PULL_WAIT_MS = 30_000;

export const pullQuerySchema = z.object({
  cursor: z.coerce.number().int().min(0).default(0),
  waitMs: z.coerce.number().int().min(0).max(MAX_PULL_WAIT_MS).default(0),
});

export const pullResponseSchema = z.object({
  messages: z.array(downstreamMessageSchema).max(MAX_PULL_MESSAGES),
  /** The cursor to ask from next time (the last message's, or the request's if none). */
  cursor: z.number().int().min(0),
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

/** Frames the central sends on the stream WebSocket (the device sends none). */
export const streamFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('message'), message: downstreamMessageSchema }),
  /** The backlog has been sent; what follows is live. */
  z.object({ t: z.literal('live'), cursor: z.number().int().min(0) }),
]);
export type StreamFrame = z.infer<typeof streamFrameSchema>;

/** Operator API: queue a message for one device or all (e.g. a supervisor's notice). */
export const SYNC_ADMIN_PATHS = { messages: '/api/admin/messages', alerts: '/api/admin/alerts' } as const;
export const createMessageRequestSchema = z
  .object({ deviceId: idSchema.nullable(), type: eventTypeSchema, payload: eventPayloadSchema })
  .strict();

import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '@kawei/shared/errors.ts';
import { publicKeyFromBase64 } from '@kawei/shared/crypto/ed25519.node.ts';
import { checkChain, type EventFault } from '@kawei/shared/sync/event-chain.node.ts';
import { MAX_PUSH_BODY_BYTES } from '@kawei/shared/sync/sync-event.ts';
import {
  MAX_PULL_MESSAGES,
  pullQuerySchema,
  pushRequestSchema,
  SYNC_PATHS,
  type DownstreamMessage,
  type HeadResponse,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '@kawei/shared/sync/sync-http.ts';
import type { DeviceRecord } from '@kawei/shared/api/central-http.ts';
import { deviceOf, installDeviceAuth, type DeviceAuthDeps } from '../device-auth.node.ts';
import { sendJson } from '../json-reply.node.ts';
import { parseInput } from '../validate.ts';
import type { CentralStore } from '../../storage/central-store.ts';
import type { AlertKind, SyncStore } from '../../storage/sync-store.ts';
import type { MessageHub } from '../../sync/message-hub.node.ts';
import { WAITERS_FULL_RETRY_MS, type WaiterLimits } from '../../sync/waiter-limits.ts';
import { rateLimited } from '../http-errors.ts';
import type { CommitteeService } from '../../committee/committee-service.node.ts';

export interface SyncRouteDeps extends DeviceAuthDeps {
  store: CentralStore & SyncStore;
  hub: MessageHub;
  /** Caps streams and long polls per device and in all (central/src/sync/waiter-limits.ts). */
  waiters: WaiterLimits;
  /** The committee (issue #13), once the server is ready: told of every batch stored. */
  committee?: () => CommitteeService | null;
}

/**
 * The device side of sync (shared/src/sync/sync-http.ts): push, head and the long poll, all behind
 * device authentication and answered with the central's signature. The WebSocket stream is in
 * sync-stream.node.ts (it is an HTTP upgrade, outside Fastify's routing).
 */
export async function syncRoutes(scope: FastifyInstance, deps: SyncRouteDeps): Promise<void> {
  const { store } = deps;
  installDeviceAuth(scope, deps);

  // A push carries up to MAX_BATCH_EVENTS events; the server's 64 KiB limit stays for every other route.
  scope.post(SYNC_PATHS.push, { bodyLimit: MAX_PUSH_BODY_BYTES }, async (request, reply) => {
    const device = deviceOf(request);
    const push = parseInput(pushRequestSchema, request.body, 'sync push');
    const deviceKey = publicKeyFromBase64(device.publicKey);
    if (!deviceKey) throw new ApiError('INTERNAL', `device "${device.id}" has an unusable public key`);

    // Pure checks first (seal of every event, consecutive, chained among themselves): a forged or
    // broken batch never reaches the store's write lock.
    const fault = checkChain(push.events, device.id, deviceKey);
    if (fault) await refuseFault(request, deps, device, push, fault);

    const now = deps.now();
    const outcome = await store.ingestBatch({
      deviceId: device.id,
      events: push.events,
      receivedAt: now,
      clockSkewMs: now - push.sentAt,
    });
    switch (outcome.kind) {
      case 'stored': {
        // The committee judges the new review events after the answer: the booth's push is not held
        // by it, and an event it misses (a crash) is judged by its catch-up.
        const committee = deps.committee?.() ?? null;
        if (committee && outcome.stored > 0) {
          const fresh = push.events.slice(push.events.length - outcome.stored);
          committee.onBoothEvents(device.id, fresh).catch((error: unknown) => request.log.error({ err: error, deviceId: device.id }, 'committee: judging pushed events failed'));
        }
        const body: PushResponse = {
          ackedSeq: outcome.head.seq,
          ackedHash: outcome.head.hash,
          stored: outcome.stored,
          duplicates: outcome.duplicates,
        };
        return sendJson(reply, 200, body);
      }
      case 'gap':
        throw new ApiError(
          'SYNC_GAP',
          `the central holds this device's events up to seq ${outcome.head.seq}; resend from seq ${outcome.expectedSeq}`,
          { expectedSeq: outcome.expectedSeq, ackedSeq: outcome.head.seq },
        );
      case 'chain-broken':
        return refuse(request, deps, device, push, {
          code: 'SYNC_CHAIN_BROKEN',
          alert: 'sync.chain_broken',
          seq: outcome.seq,
          reason: 'prev-hash-differs-from-stored-head',
          message: `event ${outcome.seq} does not link to the stored event ${outcome.head.seq} (its prevHash differs from the stored hash)`,
          ackedSeq: outcome.head.seq,
        });
      case 'conflict':
        return refuse(request, deps, device, push, {
          code: 'SYNC_SEQ_CONFLICT',
          alert: 'sync.seq_conflict',
          seq: outcome.seq,
          reason: 'differs-from-stored-event',
          message: `event ${outcome.seq} differs from the event the central already stored with that seq`,
          ackedSeq: outcome.head.seq,
        });
    }
  });

  scope.get(SYNC_PATHS.head, async (request, reply) => {
    const head = await store.getDeviceHead(deviceOf(request).id);
    const body: HeadResponse = { ackedSeq: head.seq, ackedHash: head.hash };
    return sendJson(reply, 200, body);
  });

  scope.get(SYNC_PATHS.pull, async (request, reply) => {
    const device = deviceOf(request);
    const query = parseInput(pullQuerySchema, request.query, 'sync pull');
    let messages = await store.messagesAfter(device.id, query.cursor, MAX_PULL_MESSAGES);
    if (messages.length === 0 && query.waitMs > 0) {
      messages = await waitForMessages(deps, device.id, query.cursor, query.waitMs, reply.raw);
    }
    const body: PullResponse = { messages, cursor: messages.at(-1)?.cursor ?? query.cursor };
    return sendJson(reply, 200, body);
  });
}

interface Refusal {
  code: 'SYNC_EVENT_FORGED' | 'SYNC_CHAIN_BROKEN' | 'SYNC_SEQ_CONFLICT';
  alert: AlertKind;
  seq: number;
  reason: string;
  message: string;
  ackedSeq?: number;
}

/** Maps a fault found by checkChain: a malformed batch is BAD_INPUT; anything else is a 422 with an alert. */
async function refuseFault(
  request: FastifyRequest,
  deps: SyncRouteDeps,
  device: DeviceRecord,
  push: PushRequest,
  fault: EventFault,
): Promise<never> {
  switch (fault.kind) {
    case 'not-consecutive':
      throw new ApiError('BAD_INPUT', `sync push: events must have consecutive seqs; got ${fault.seq} where ${fault.expectedSeq} belongs`, {
        seq: fault.seq,
        expectedSeq: fault.expectedSeq,
      });
    case 'chain-broken':
      return refuse(request, deps, device, push, {
        code: 'SYNC_CHAIN_BROKEN',
        alert: 'sync.chain_broken',
        seq: fault.seq,
        reason: fault.seq === 1 ? 'first-event-not-linked-to-genesis' : 'prev-hash-differs-within-batch',
        message:
          fault.seq === 1
            ? 'event 1 does not link to the genesis hash of this device'
            : `event ${fault.seq} does not link to event ${fault.seq - 1} of the same batch`,
      });
    case 'wrong-device':
      return refuse(request, deps, device, push, forged(fault.seq, fault.kind, `event ${fault.seq} names another device`));
    case 'payload-too-large':
      return refuse(request, deps, device, push, forged(fault.seq, fault.kind, `event ${fault.seq} has a payload over the limit`));
    case 'hash-mismatch':
      return refuse(request, deps, device, push, forged(fault.seq, fault.kind, `event ${fault.seq} does not hash to its stated hash`));
    case 'bad-signature':
      return refuse(
        request,
        deps,
        device,
        push,
        forged(fault.seq, fault.kind, `event ${fault.seq} is not signed by this device's enrolled key`),
      );
  }
}

function forged(seq: number, reason: string, message: string): Refusal {
  return { code: 'SYNC_EVENT_FORGED', alert: 'sync.event_forged', seq, reason, message };
}

/** Raises the alert, then refuses with 422. The batch has changed nothing: it was never stored. */
async function refuse(
  request: FastifyRequest,
  deps: SyncRouteDeps,
  device: DeviceRecord,
  push: PushRequest,
  refusal: Refusal,
): Promise<never> {
  const event = push.events.find((e) => e.seq === refusal.seq);
  const detail: Record<string, unknown> = {
    seq: refusal.seq,
    reason: refusal.reason,
    eventId: event?.id ?? null,
    batch: { firstSeq: push.events[0]!.seq, lastSeq: push.events.at(-1)!.seq, count: push.events.length },
  };
  if (refusal.ackedSeq !== undefined) detail['ackedSeq'] = refusal.ackedSeq;
  const alert = await deps.store.raiseAlert({ deviceId: device.id, kind: refusal.alert, detail, createdAt: deps.now() });
  request.log.warn({ deviceId: device.id, alertId: alert.id, ...detail }, `sync push refused: ${refusal.code}`);
  throw new ApiError(refusal.code, refusal.message, { seq: refusal.seq, reason: refusal.reason });
}

/**
 * The long poll's wait: resolves with the first messages after `cursor`, or [] when `waitMs` has
 * passed, the client has gone away, the server is closing or the same device started a newer poll
 * beyond its allowance (WaiterLimits). Whatever ends it removes the waiter, its slot and its timer,
 * so an abandoned poll leaves nothing behind. Refused with RATE_LIMITED when the server is full.
 */
function waitForMessages(
  deps: SyncRouteDeps,
  deviceId: string,
  cursor: number,
  waitMs: number,
  response: ServerResponse,
): Promise<DownstreamMessage[]> {
  return new Promise((resolve, reject) => {
    // The slot comes first: evicting this device's oldest poll answers it before this one waits.
    const admitted = deps.waiters.admit('poll', deviceId, () => finish(null, []));
    if (admitted === null) {
      reject(rateLimited('too many streams and long polls are open at this central', WAITERS_FULL_RETRY_MS, { scope: 'server' }));
      return;
    }
    const release = admitted;
    let done = false;
    let querying = false;
    let again = false;
    const finish = (error: unknown, messages: DownstreamMessage[]) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      release();
      unsubscribe();
      response.off('close', onClientGone);
      if (error) reject(error);
      else resolve(messages);
    };
    const check = async () => {
      if (querying) {
        again = true;
        return;
      }
      querying = true;
      try {
        do {
          again = false;
          const messages = await deps.store.messagesAfter(deviceId, cursor, MAX_PULL_MESSAGES);
          if (messages.length > 0) return finish(null, messages);
        } while (again && !done);
      } catch (error) {
        finish(error, []);
      } finally {
        querying = false;
      }
    };
    const onClientGone = () => finish(null, []);
    const timer = setTimeout(() => finish(null, []), waitMs);
    const unsubscribe = deps.hub.subscribe({ deviceId, wake: () => void check(), close: () => finish(null, []) });
    response.once('close', onClientGone);
    // A message appended between the first query and subscribe() would otherwise wait for the next poll.
    void check();
  });
}

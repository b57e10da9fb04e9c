import { randomUUID, type KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { ApiError } from '@kawei/shared/errors.ts';
import { signText } from '@kawei/shared/crypto/ed25519.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import type { createMessageRequestSchema, DownstreamMessage, MessageBody } from '@kawei/shared/sync/sync-http.ts';
import type { CentralStore } from '../storage/central-store.ts';
import type { SyncStore } from '../storage/sync-store.ts';

export type CreateMessageRequest = z.infer<typeof createMessageRequestSchema>;

export interface CreateMessageDeps {
  store: CentralStore & SyncStore;
  /** The central's private key: devices verify every message with the key they pinned at enrolment. */
  privateKey: KeyObject;
  now: () => number;
  /**
   * Wakes this process's live streams and long polls (MessageHub.publish). The CLI, a separate
   * process, has none to wake: the server's streams find its messages by polling the store.
   */
  notify?: (message: DownstreamMessage) => void;
}

/**
 * Creates one downstream message — for the admin API and the operator CLI alike: checks the device
 * exists (NOT_FOUND), signs canonicalJson(body) with the central key, appends it (the store gives it
 * the next cursor) and wakes the waiting streams.
 */
export async function createDownstreamMessage(deps: CreateMessageDeps, request: CreateMessageRequest): Promise<DownstreamMessage> {
  if (request.deviceId !== null && !(await deps.store.getDevice(request.deviceId))) {
    throw new ApiError('NOT_FOUND', `device "${request.deviceId}" does not exist`);
  }
  const body: MessageBody = {
    id: randomUUID(),
    deviceId: request.deviceId,
    type: request.type,
    payload: request.payload,
    createdAt: deps.now(),
  };
  const message = await deps.store.appendMessage({ ...body, signature: signText(deps.privateKey, canonicalJson(body)) });
  deps.notify?.(message);
  return message;
}

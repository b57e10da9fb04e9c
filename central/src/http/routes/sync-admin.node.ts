import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idSchema } from '@kawei/shared/domain/topology.ts';
import { createMessageRequestSchema, SYNC_ADMIN_PATHS } from '@kawei/shared/sync/sync-http.ts';
import { requireOperator } from '../admin-auth.node.ts';
import type { CentralKeys } from '../central-keys.node.ts';
import { sendJson } from '../json-reply.node.ts';
import { parseInput } from '../validate.ts';
import { createDownstreamMessage } from '../../sync/downstream-messages.node.ts';
import type { MessageHub } from '../../sync/message-hub.node.ts';
import type { CentralStore } from '../../storage/central-store.ts';
import type { SyncStore } from '../../storage/sync-store.ts';

const alertsQuerySchema = z
  .object({
    deviceId: idSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** The operator's side of sync (Authorization: Bearer <operator token>): downstream messages, alerts. */
export async function syncAdminRoutes(
  scope: FastifyInstance,
  deps: { store: CentralStore & SyncStore; now: () => number; centralKeys: () => Promise<CentralKeys>; hub: MessageHub },
): Promise<void> {
  const { store, hub } = deps;
  scope.addHook('onRequest', requireOperator(store));

  scope.post(SYNC_ADMIN_PATHS.messages, async (request, reply) => {
    const input = parseInput(createMessageRequestSchema, request.body, 'create message');
    const { privateKey } = await deps.centralKeys();
    const message = await createDownstreamMessage(
      { store, privateKey, now: deps.now, notify: (m) => hub.publish(m) },
      input,
    );
    request.log.info({ messageId: message.id, cursor: message.cursor, deviceId: message.deviceId }, 'downstream message queued');
    return sendJson(reply, 201, message);
  });

  /** Newest first; ?deviceId=… narrows to one device, ?limit=… (1–1000, default 100). */
  scope.get(SYNC_ADMIN_PATHS.alerts, async (request, reply) => {
    const query = parseInput(alertsQuerySchema, request.query, 'list alerts');
    const alerts = await store.listAlerts(
      query.deviceId === undefined ? { limit: query.limit } : { deviceId: query.deviceId, limit: query.limit },
    );
    return sendJson(reply, 200, { alerts });
  });
}

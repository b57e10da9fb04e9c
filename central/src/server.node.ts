import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { centralKeysLoader } from './http/central-keys.node.ts';
import { sendJson } from './http/json-reply.node.ts';
import { acceptRawJsonBodies } from './http/raw-json-body.node.ts';
import { registerHealthRoute } from './http/routes/health.node.ts';
import { registerEnrolRoute } from './http/routes/enrol.node.ts';
import { deviceRoutes } from './http/routes/device.node.ts';
import { deviceFileRoutes } from './http/routes/device-files.node.ts';
import { adminRoutes } from './http/routes/admin.node.ts';
import { syncRoutes } from './http/routes/sync.node.ts';
import { syncAdminRoutes } from './http/routes/sync-admin.node.ts';
import { attachSyncStream } from './http/routes/sync-stream.node.ts';
import type { CentralStore } from './storage/central-store.ts';
import type { SyncStore } from './storage/sync-store.ts';
import { MessageHub } from './sync/message-hub.node.ts';
import { httpErrorAnswer } from './http/http-errors.ts';

/** Requests carry small JSON documents; anything bigger is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface CentralServerOptions {
  store: CentralStore & SyncStore;
  /** Epoch milliseconds; tests inject a clock to reach expiry and staleness. */
  now?: () => number;
  /** Fastify's logger option; off by default. */
  logger?: FastifyServerOptions['logger'];
  /**
   * Wakes live streams and long polls when a downstream message is appended. Defaults to one that
   * also polls the store every second (for messages other processes append); tests pass their own
   * to poll faster and to count waiters. The server closes it when it closes.
   */
  messageHub?: MessageHub;
  /** How often sync streams are pinged (dead peers are dropped after one unanswered ping). */
  streamPingMs?: number;
  /** The data directory: tender files and their grants (central/src/projects/). Without it no file is served. */
  dataDir?: string;
}

/** The central's HTTP API (shared/src/api/central-http.ts). Call `listen` or `inject` on the result. */
export function buildCentralServer(options: CentralServerOptions): FastifyInstance {
  const { store } = options;
  const now = options.now ?? Date.now;
  const centralKeys = centralKeysLoader(store);
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: BODY_LIMIT_BYTES });

  app.setErrorHandler((error, request, reply) => {
    const answer = httpErrorAnswer(error);
    if (answer.internal) request.log.error({ err: error }, 'request failed');
    return sendJson(reply, answer.status, answer.body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendJson(reply, 404, { error: { code: 'UNKNOWN_CALL', message: `no route ${request.method} ${request.url}` } }),
  );
  acceptRawJsonBodies(app);
  // Load the identity before the first request, so a broken database fails `ready`, not a device.
  app.addHook('onReady', async () => {
    await centralKeys();
  });

  registerHealthRoute(app, { now, centralKeys });
  registerEnrolRoute(app, { store, now, centralKeys });
  app.register(deviceRoutes, { store, now, centralKeys });
  app.register(deviceFileRoutes, { store, now, centralKeys, dataDir: options.dataDir ?? null });
  app.register(adminRoutes, { store, now });

  const hub = options.messageHub ?? new MessageHub();
  // Long polls answer and streams close now, rather than holding the server's close for up to 30 s.
  app.addHook('preClose', async () => hub.close());
  app.register(syncRoutes, { store, now, centralKeys, hub });
  app.register(syncAdminRoutes, { store, now, centralKeys, hub });
  attachSyncStream(app, { store, now, centralKeys, hub, pingMs: options.streamPingMs });
  return app;
}

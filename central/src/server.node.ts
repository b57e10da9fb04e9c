import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { centralKeysLoader } from '@kawei/central/http/central-keys.node';
import { sendJson } from '@kawei/central/http/json-reply.node';
import { acceptRawJsonBodies } from '@kawei/central/http/raw-json-body.node';
import { registerHealthRoute } from '@kawei/central/http/routes/health.node';
import { registerEnrolRoute } from '@kawei/central/http/routes/enrol.node';
import { deviceRoutes } from '@kawei/central/http/routes/device.node';
import { adminRoutes } from '@kawei/central/http/routes/admin.node';
import type { CentralStore } from './storage/central-store';
import { httpErrorAnswer } from './http/http-errors';

/** Requests carry small JSON documents; anything bigger is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface CentralServerOptions {
  store: CentralStore;
  /** Epoch milliseconds; tests inject a clock to reach expiry and staleness. */
  now?: () => number;
  /** Fastify's logger option; off by default. */
  logger?: FastifyServerOptions['logger'];
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
  app.register(adminRoutes, { store, now });
  return app;
}

import type { FastifyInstance } from 'fastify';
import { CENTRAL_PATHS, type healthResponseSchema } from '@kawei/shared/api/central-http.ts';
import type { z } from 'zod';
import type { CentralKeys } from '../central-keys.node.ts';
import { sendJson } from '../json-reply.node.ts';

export function registerHealthRoute(
  app: FastifyInstance,
  deps: { now: () => number; centralKeys: () => Promise<CentralKeys> },
): void {
  app.get(CENTRAL_PATHS.health, async (_request, reply) => {
    const { centralId } = await deps.centralKeys();
    const body: z.infer<typeof healthResponseSchema> = { ok: true, centralId, time: deps.now() };
    return sendJson(reply, 200, body);
  });
}

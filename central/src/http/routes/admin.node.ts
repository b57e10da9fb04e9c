import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idSchema } from '@kawei/shared/domain/topology.ts';
import {
  CENTRAL_PATHS,
  createEnrolCodeRequestSchema,
  createGateRequestSchema,
  createRoomRequestSchema,
  createSiteRequestSchema,
  type DeviceRecord,
  type SiteTree,
} from '@kawei/shared/api/central-http.ts';
import { issueEnrolCode } from '../../enrolment/enrol-codes.node.ts';
import { requireOperator } from '../admin-auth.node.ts';
import { sendJson } from '../json-reply.node.ts';
import type { CentralStore } from '../../storage/central-store.ts';
import { parseInput } from '../validate.ts';

const deviceIdParamsSchema = z.object({ id: idSchema });

/** The operator's API (Authorization: Bearer <operator token>): topology, enrolment codes, devices. */
export async function adminRoutes(
  scope: FastifyInstance,
  deps: { store: CentralStore; now: () => number; tlsFingerprint?: string | null },
): Promise<void> {
  const { store } = deps;
  scope.addHook('onRequest', requireOperator(store));

  scope.get(CENTRAL_PATHS.adminSites, async (_request, reply) => {
    const sites: SiteTree[] = await store.listSiteTrees();
    return sendJson(reply, 200, { sites });
  });

  scope.post(CENTRAL_PATHS.adminSites, async (request, reply) => {
    const input = parseInput(createSiteRequestSchema, request.body, 'create site');
    return sendJson(reply, 201, await store.createSite(input));
  });

  scope.post(CENTRAL_PATHS.adminRooms, async (request, reply) => {
    const input = parseInput(createRoomRequestSchema, request.body, 'create room');
    return sendJson(reply, 201, await store.createRoom(input));
  });

  scope.post(CENTRAL_PATHS.adminGates, async (request, reply) => {
    const input = parseInput(createGateRequestSchema, request.body, 'create gate');
    return sendJson(reply, 201, await store.createGate(input));
  });

  scope.post(CENTRAL_PATHS.adminEnrolmentCodes, async (request, reply) => {
    const input = parseInput(createEnrolCodeRequestSchema, request.body, 'create enrolment code');
    const issued = await issueEnrolCode(store, {
      target: input.target,
      ttlMinutes: input.ttlMinutes,
      now: deps.now(),
      centralFingerprint: deps.tlsFingerprint ?? null, // the central's TLS key, typed with the code
    });
    return sendJson(reply, 201, issued);
  });

  scope.get(CENTRAL_PATHS.adminDevices, async (_request, reply) => {
    const devices: DeviceRecord[] = await store.listDevices();
    return sendJson(reply, 200, { devices });
  });

  scope.post(CENTRAL_PATHS.adminRevokeDevice, async (request, reply) => {
    const { id } = parseInput(deviceIdParamsSchema, request.params, 'revoke device');
    const device = await store.revokeDevice(id, deps.now());
    request.log.info({ deviceId: device.id }, 'device revoked');
    return sendJson(reply, 200, { device });
  });
}

import type { FastifyInstance } from 'fastify';
import { ApiError } from '@kawei/shared/errors.ts';
import { CENTRAL_PATHS, type DeviceMeResponse } from '@kawei/shared/api/central-http.ts';
import { deviceOf, installDeviceAuth, type DeviceAuthDeps } from '../device-auth.node.ts';
import { sendJson } from '../json-reply.node.ts';
import type { CentralStore } from '../../storage/central-store.ts';

/** Routes a device calls with its own key; all of them sit behind installDeviceAuth. */
export async function deviceRoutes(scope: FastifyInstance, deps: DeviceAuthDeps & { store: CentralStore }): Promise<void> {
  installDeviceAuth(scope, deps);

  scope.get(CENTRAL_PATHS.deviceMe, async (request, reply) => {
    const device = deviceOf(request);
    const position = await deps.store.getPosition(device.target);
    if (!position) throw new ApiError('INTERNAL', `position of device "${device.id}" no longer exists`);
    const body: DeviceMeResponse = { deviceId: device.id, position, time: deps.now() };
    return sendJson(reply, 200, body);
  });
}

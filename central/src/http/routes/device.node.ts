import type { FastifyInstance } from 'fastify';
import { ApiError } from '@kawei/shared/errors';
import { CENTRAL_PATHS, type DeviceMeResponse } from '@kawei/shared/api/central-http';
import { deviceOf, installDeviceAuth, type DeviceAuthDeps } from '@kawei/central/http/device-auth.node';
import { sendJson } from '@kawei/central/http/json-reply.node';
import type { CentralStore } from '../../storage/central-store';

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

import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError } from '@kawei/shared/errors.ts';
import { REPORT_FILE_PATH } from '@kawei/shared/report/report-view.ts';
import { deviceOf, installDeviceAuth, type DeviceAuthDeps } from '../device-auth.node.ts';
import { parseInput } from '../validate.ts';

/**
 * What the route needs of the report service (central/src/report/, ReportService.fileForDevice):
 * the bytes of report file `sha256` when device `deviceId` may read it — a draft, final or signed
 * PDF of a project on whose committee the device is an active member's booth — else null (no such
 * file, another kind of file, or not this device's). The service decides; the route only answers.
 */
export interface ReportFileSource {
  fileForDevice(deviceId: string, sha256: string): Promise<Uint8Array | null>;
}

export interface DeviceReportRouteDeps extends DeviceAuthDeps {
  /** The report service once the server has one (null: before it is ready, or a central without a ledger). */
  report: () => ReportFileSource | null;
}

const paramsSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a report file is named by its SHA-256 in lower-case hex') });

/**
 * `GET REPORT_FILE_PATH` (shared/src/report/report-view.ts): one report PDF, by its hash, to a booth
 * of the project's committee — the draft in the dissent window, the final PDF and each signed head
 * while members sign (issue #14). Device-authenticated like every device route.
 *
 * As for tender files (device-files.node.ts): an unknown hash, a file of another kind (an annex, a
 * CMS), and a device that is not an active member's booth of that project all get the very same 404
 * NOT_FOUND "no report file … for this device", so no device can probe which hashes exist.
 *
 * A report PDF is a few MB at most, held in memory by the service: it is sent as a Buffer, so the
 * answer's signature (device-auth's onSend) covers the SHA-256 of the bytes actually sent — which
 * the route first checks is the hash asked for. A file altered in the database is never served
 * under its name (500), and the booth checks the hash again before it shows or signs anything.
 */
export async function deviceReportRoutes(scope: FastifyInstance, deps: DeviceReportRouteDeps): Promise<void> {
  installDeviceAuth(scope, deps);

  scope.get(REPORT_FILE_PATH, { exposeHeadRoute: false }, async (request, reply) => {
    const device = deviceOf(request);
    const { sha256 } = parseInput(paramsSchema, request.params, 'report file');
    const notForYou = () => new ApiError('NOT_FOUND', `no report file ${sha256} for this device`);
    const service = deps.report();
    if (service === null) throw notForYou();
    const bytes = await service.fileForDevice(device.id, sha256);
    if (bytes === null) throw notForYou();
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (createHash('sha256').update(body).digest('hex') !== sha256) {
      throw new ApiError('INTERNAL', `report file ${sha256} in the central's store does not hash to its name`);
    }
    return reply
      .code(200)
      .header('content-type', 'application/pdf')
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  });
}

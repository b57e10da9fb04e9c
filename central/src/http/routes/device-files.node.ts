import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError } from '@kawei/shared/errors.ts';
import { BOOTH_FILE_PATH } from '@kawei/shared/api/booth-roster.ts';
import { deviceOf, installDeviceAuth, type DeviceAuthDeps } from '../device-auth.node.ts';
import { parseInput } from '../validate.ts';
import { checkFileAccess, openStoredFile } from '../../projects/project-files.node.ts';

export interface DeviceFileRouteDeps extends DeviceAuthDeps {
  /** The central's data directory (DATA/files, DATA/projects); null: no files are served. */
  dataDir: string | null;
}

const paramsSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a file is named by its SHA-256 in lower-case hex') });

/**
 * `GET BOOTH_FILE_PATH` (shared/src/api/booth-roster.ts): one tender file, streamed, to a booth
 * seated on a project that lists it (central/src/projects/project-files.node.ts, the grants
 * publish-project writes). Device-authenticated like every device route. An unknown hash, a device
 * that is no booth, or a booth not seated on a project listing it (on its latest day) all get the
 * same 404 NOT_FOUND "no file … for this device": telling "not yours" from "does not exist" would
 * let any device learn which hashes are tender files.
 *
 * Integrity. The other device routes sign their JSON answers over the body's SHA-256. A file of up
 * to 200 MB is streamed, not held, so its answer is signed over the hash the grant names — which is
 * the file's name in the content-addressed store and the hash the booth got in the signed
 * `project.booth` message. The booth hashes what it receives and keeps it only if it equals the
 * hash it asked for (CentralClient.fetchFile); a file altered in the central's store therefore
 * fails at the booth (its bytes match neither the hash nor the signature) and is never shown.
 */
export async function deviceFileRoutes(scope: FastifyInstance, deps: DeviceFileRouteDeps): Promise<void> {
  installDeviceAuth(scope, deps);

  scope.get(BOOTH_FILE_PATH, { exposeHeadRoute: false }, async (request, reply) => {
    const device = deviceOf(request);
    const { sha256 } = parseInput(paramsSchema, request.params, 'file');
    // "No such file" and "not yours" get the very same answer (status, code, text), so a device
    // cannot probe which hashes are tender files. Both cases read the same grants first, so the
    // time taken differs only by an in-memory filter.
    const notForYou = () => new ApiError('NOT_FOUND', `no file ${sha256} for this device`);
    if (deps.dataDir === null) throw notForYou();
    const boothId = device.target.kind === 'booth' ? device.target.boothId : null;
    const access = await checkFileAccess(deps.dataDir, sha256, boothId);
    if (access.kind !== 'granted') throw notForYou();
    const opened = await openStoredFile(deps.dataDir, sha256);
    if (!opened) throw new ApiError('NOT_FOUND', `file ${sha256} of project ${access.project} is missing from the central's file store`);
    request.streamedBodySha256 = sha256;
    return reply
      .code(200)
      .header('content-type', 'application/pdf')
      .header('content-length', String(opened.bytes))
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(opened.handle.createReadStream({ autoClose: true }));
  });
}

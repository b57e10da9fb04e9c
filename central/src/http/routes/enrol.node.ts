import type { FastifyInstance } from 'fastify';
import { ApiError } from '@kawei/shared/errors.ts';
import {
  CENTRAL_PATHS,
  enrolProofMessage,
  enrolRequestSchema,
  type EnrolResponse,
} from '@kawei/shared/api/central-http.ts';
import { publicKeyFromBase64, verifyText } from '@kawei/shared/crypto/ed25519.node.ts';
import { hashEnrolCode } from '../../enrolment/enrol-codes.node.ts';
import type { CentralKeys } from '../central-keys.node.ts';
import { sendJson } from '../json-reply.node.ts';
import type { CentralStore } from '../../storage/central-store.ts';
import { parseInput } from '../validate.ts';

/**
 * POST /api/enrol: a device proves it holds the key it enrols (signature over code and key) and
 * spends a one-time code; it gets its device id, its position and the central's key to pin.
 */
export function registerEnrolRoute(
  app: FastifyInstance,
  deps: { store: CentralStore; now: () => number; centralKeys: () => Promise<CentralKeys> },
): void {
  app.post(CENTRAL_PATHS.enrol, async (request, reply) => {
    const input = parseInput(enrolRequestSchema, request.body, 'enrol request');
    const devicePublicKey = publicKeyFromBase64(input.publicKey);
    if (!devicePublicKey) throw new ApiError('BAD_INPUT', 'enrol request: publicKey is not an Ed25519 SPKI key');
    if (!verifyText(devicePublicKey, enrolProofMessage(input.code, input.publicKey), input.proof)) {
      throw new ApiError('ENROL_PROOF_INVALID', 'proof is not a signature of this code by this key');
    }
    const { device, position } = await deps.store.consumeEnrolmentCode({
      codeSha256Hex: hashEnrolCode(input.code),
      kind: input.kind,
      publicKey: input.publicKey,
      hostname: input.hostname,
      appVersion: input.appVersion,
      now: deps.now(),
    });
    const central = await deps.centralKeys();
    const body: EnrolResponse = {
      deviceId: device.id,
      centralId: central.centralId,
      centralPublicKey: central.publicKey,
      position,
      enrolledAt: device.enrolledAt,
    };
    request.log.info({ deviceId: device.id, target: device.target, hostname: device.hostname }, 'device enrolled');
    return sendJson(reply, 201, body);
  });
}

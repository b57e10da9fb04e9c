import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
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
import type { ThrottleGuard } from '../throttle-guard.node.ts';
import { httpErrorAnswer } from '../http-errors.ts';
import { CONTROL_CHARACTERS } from '../../cli/terminal-safe.ts';

function isServerFault(error: unknown): boolean {
  return httpErrorAnswer(error).status >= 500;
}

/**
 * What a device reports about itself is printed in the operator's terminal and logs: printable text
 * only (no control characters: no terminal escape sequences, no fake log lines), bounded.
 */
const printableText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !CONTROL_CHARACTERS.test(text), 'must not contain control characters');
const enrolDeviceTextSchema = z.object({ hostname: printableText(100), appVersion: printableText(40) });

/**
 * POST /api/enrol: a device proves it holds the key it enrols (signature over code and key) and
 * spends a one-time code; it gets its device id, its position and the central's key to pin.
 *
 * Unauthenticated, so: its body is small (`bodyLimit`), and failed attempts are throttled per peer
 * address and globally (`throttle`: RATE_LIMITED 429 with Retry-After, and an alert when a lockout
 * starts) — every refusal counts, whether the code was wrong, used, expired or the proof bad.
 */
export function registerEnrolRoute(
  app: FastifyInstance,
  deps: { store: CentralStore; now: () => number; centralKeys: () => Promise<CentralKeys>; throttle?: ThrottleGuard; bodyLimit?: number },
): void {
  const routeOptions = deps.bodyLimit === undefined ? {} : { bodyLimit: deps.bodyLimit };
  app.post(CENTRAL_PATHS.enrol, {
    ...routeOptions,
    // Before the body is read: a locked-out peer does not even get its body parsed.
    onRequest: async (request) => deps.throttle?.assertAllowed(request.ip),
    onError: async (request, _reply, error) => {
      if (deps.throttle && !(error instanceof ApiError && error.code === 'RATE_LIMITED') && !isServerFault(error)) {
        await deps.throttle.failed(request.ip);
      }
    },
  }, async (request, reply) => {
    const input = parseInput(enrolRequestSchema, request.body, 'enrol request');
    parseInput(enrolDeviceTextSchema, { hostname: input.hostname, appVersion: input.appVersion }, 'enrol request');
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

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { ApiError } from '@kawei/shared/errors.ts';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import type { CentralStore } from '../storage/central-store.ts';
import type { ThrottleGuard } from './throttle-guard.node.ts';

/** Every operator route lives under this prefix (CENTRAL_PATHS.admin*, SYNC_ADMIN_PATHS). */
const ADMIN_PREFIX = '/api/admin/';

/**
 * Requires `Authorization: Bearer <operator token>`. Only the token's sha256 is stored; comparing
 * the hashes in constant time leaks neither the token nor how much of a guess was right. Install it
 * as an onRequest hook, so a stranger's body is never read.
 */
export function requireOperator(store: CentralStore): onRequestAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const token = bearerToken(request.headers.authorization);
    const storedHash = await store.getOperatorTokenHash();
    if (token === null || storedHash === null || !sameSha256(sha256Hex(token), storedHash)) {
      throw new ApiError('UNAUTHORIZED', 'operator token missing or wrong (Authorization: Bearer <token>)');
    }
  };
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

function sameSha256(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

/**
 * Throttles wrong operator tokens per peer address and globally (RATE_LIMITED 429, an alert when a
 * lockout starts): the admin routes' requireOperator refusals are counted here, app-wide, so the
 * routes themselves need not know about the throttle.
 */
export function installOperatorThrottle(app: FastifyInstance, guard: ThrottleGuard): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith(ADMIN_PREFIX)) guard.assertAllowed(request.ip);
  });
  app.addHook('onError', async (request, _reply, error) => {
    if (request.url.startsWith(ADMIN_PREFIX) && error instanceof ApiError && error.code === 'UNAUTHORIZED') await guard.failed(request.ip);
  });
}

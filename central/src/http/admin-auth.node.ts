import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { ApiError } from '@kawei/shared/errors.ts';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import type { CentralStore } from '../storage/central-store.ts';

/**
 * Requires `Authorization: Bearer <operator token>`. Only the token's sha256 is stored; comparing
 * the hashes in constant time leaks neither the token nor how much of a guess was right.
 */
export function requireOperator(store: CentralStore): preHandlerAsyncHookHandler {
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

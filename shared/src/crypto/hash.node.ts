import { createHash, randomBytes } from 'node:crypto';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** URL-safe random token, e.g. for nonces and launch secrets. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

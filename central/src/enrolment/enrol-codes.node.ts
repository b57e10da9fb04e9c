import { randomInt } from 'node:crypto';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import {
  ENROL_CODE_ALPHABET,
  ENROL_CODE_LENGTH,
  formatEnrolCode,
  normaliseEnrolCode,
  type EnrolTarget,
} from '@kawei/shared/api/central-http.ts';
import { ApiError } from '@kawei/shared/errors.ts';
import type { CentralStore } from '../storage/central-store.ts';

/** A fresh code, uniformly drawn from the alphabet (31^8 ≈ 8.5·10^11 codes). */
export function generateEnrolCode(): string {
  let code = '';
  for (let i = 0; i < ENROL_CODE_LENGTH; i++) code += ENROL_CODE_ALPHABET[randomInt(ENROL_CODE_ALPHABET.length)];
  return code;
}

/** The store keeps only this hash, so a copy of the database does not hand out usable codes. */
export function hashEnrolCode(code: string): string {
  return sha256Hex(normaliseEnrolCode(code));
}

export interface IssuedEnrolCode {
  /** As a technician types it: XXXX-XXXX. */
  code: string;
  target: EnrolTarget;
  expiresAt: number;
  /**
   * SHA-256 (hex) of the central's TLS key, which the technician types with the code so the device
   * sends it only to this central (null: the caller serves no TLS, as in-process tests).
   */
  centralFingerprint: string | null;
}

const MAX_DRAWS = 5;

/** Issues a code for a booth or gate; shared by the admin API and the CLI. */
export async function issueEnrolCode(
  store: CentralStore,
  request: { target: EnrolTarget; ttlMinutes: number; now: number; centralFingerprint?: string | null },
): Promise<IssuedEnrolCode> {
  const expiresAt = request.now + request.ttlMinutes * 60_000;
  // A collision with an existing (even long-used) code is astronomically rare; drawing again is
  // cheaper than reasoning about which of two identical codes a device meant.
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const code = generateEnrolCode();
    const created = await store.createEnrolmentCode({
      codeSha256Hex: hashEnrolCode(code),
      target: request.target,
      createdAt: request.now,
      expiresAt,
    });
    if (created) return { code: formatEnrolCode(code), target: request.target, expiresAt, centralFingerprint: request.centralFingerprint ?? null };
  }
  throw new ApiError('INTERNAL', `could not draw an unused enrolment code in ${MAX_DRAWS} attempts`);
}

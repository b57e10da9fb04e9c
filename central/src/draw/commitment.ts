import { createHash } from 'node:crypto';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import type { DayInput } from './day-schema.ts';

/**
 * Verifiable randomness, commit-then-reveal (as the NIST beacon and DB35/T 2223—2024 describe):
 *
 *   inputHash  = SHA-256(canonical JSON of the validated day input, defaults filled in)
 *   commitment = SHA-256("KAWEI-DRAW-COMMIT-V1\n" + procedure + "\n" + inputHash + "\n" + secret)
 *     published BEFORE the draw; binds the input, the procedure and a secret nobody else knows
 *   seed       = SHA-256("KAWEI-DRAW-SEED-V1\n" + commitment + "\n" + procedure + "\n" + inputHash
 *                        + "\n" + secret + "\n" + publicValue)
 *     publicValue is entered at draw time by someone else (e.g. a lottery number), so the operator who
 *     chose the secret could not have predicted the seed either.
 *
 * After the draw the secret is revealed; anyone re-computes commitment, seed and the whole result.
 */
export const PROCEDURE_VERSION = 'kawei-draw/1';

export const SECRET_PATTERN = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function inputHashOf(input: DayInput): string {
  return sha256Hex(canonicalJson(input));
}

export function commitmentOf(inputHash: string, secret: string, procedure = PROCEDURE_VERSION): string {
  assertSecret(secret);
  return sha256Hex(`KAWEI-DRAW-COMMIT-V1\n${procedure}\n${inputHash}\n${secret}`);
}

export function seedOf(
  commitment: string,
  inputHash: string,
  secret: string,
  publicValue: string,
  procedure = PROCEDURE_VERSION,
): string {
  return sha256Hex(`KAWEI-DRAW-SEED-V1\n${commitment}\n${procedure}\n${inputHash}\n${secret}\n${publicValue}`);
}

export function assertSecret(secret: string): void {
  if (!SECRET_PATTERN.test(secret)) throw new RangeError('the secret is 64 lower-case hex characters (32 random bytes)');
}

import { z } from 'zod';

/*
 * The central's TLS key fingerprint, as both ends see it. The fingerprint is the SHA-256 of the
 * certificate's SubjectPublicKeyInfo (DER), not of the certificate: the central can re-issue its
 * certificate (new host names, renewal) with the same key and every enrolled device keeps working.
 *
 * A technician types it at enrolment, next to the code, from what `kawei-central enrol-code` prints.
 * The first 32 hex digits (128 bits; eight groups of four) are enough: finding another key whose
 * SPKI hash starts with them is a 2^128 second-preimage search. The device then pins the whole hash
 * of the key it actually met, for every later request, stream and file download.
 */

/** Hex digits a technician must type at least (128 bits). */
export const FINGERPRINT_MIN_HEX = 32;
export const FINGERPRINT_FULL_HEX = 64;

/** What a technician typed or pasted: any case, spaces, colons or dashes between digits. */
export function normaliseFingerprint(input: string): string {
  return input.toLowerCase().replace(/[\s:-]+/g, '');
}

/** Groups of four upper-case hex digits: "3F2A 9C01 …". */
export function formatFingerprint(hex: string, groups = FINGERPRINT_FULL_HEX / 4): string {
  const clean = normaliseFingerprint(hex).toUpperCase().slice(0, groups * 4);
  return clean.match(/.{1,4}/g)?.join(' ') ?? '';
}

/** The short form shown with an enrolment code: the 32 digits a technician types. */
export function shortFingerprint(hex: string): string {
  return formatFingerprint(hex, FINGERPRINT_MIN_HEX / 4);
}

/** A fingerprint as typed: 32 to 64 hex digits after normalising. Output: lower-case hex. */
export const fingerprintInputSchema = z
  .string()
  .max(200)
  .transform(normaliseFingerprint)
  .pipe(
    z
      .string()
      .regex(/^[0-9a-f]*$/, 'the fingerprint has only digits 0-9 and letters A-F')
      .min(FINGERPRINT_MIN_HEX, `type at least the first ${FINGERPRINT_MIN_HEX} hex digits of the fingerprint`)
      .max(FINGERPRINT_FULL_HEX, `a fingerprint has ${FINGERPRINT_FULL_HEX} hex digits`),
  );

/** A full pin as stored: 64 lower-case hex digits. */
export const spkiSha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** Whether the key met (full SHA-256 hex of its SPKI) is the one the technician confirmed (a prefix). */
export function fingerprintMatches(expected: string, actualSpkiSha256: string): boolean {
  const want = normaliseFingerprint(expected);
  return want.length >= FINGERPRINT_MIN_HEX && actualSpkiSha256.startsWith(want);
}

import { centralUrlSchema } from '../contract/device-status.ts';
import { ENROL_CODE_LENGTH, enrolCodeSchema, normaliseEnrolCode } from '../api/central-http.ts';
import { FINGERPRINT_FULL_HEX, fingerprintInputSchema, normaliseFingerprint } from '../api/central-tls.ts';
import type { Translate } from '../i18n/messages.ts';

/*
 * The technician form's pure half: how the code field reformats what is typed, and the checks made
 * before anything is sent. Same schemas as the services, but messages in the technician's language.
 */

/**
 * What the code field shows for what was typed: upper case, separators dropped, at most 8 characters,
 * a dash after the fourth ("abcd efg" → "ABCD-EFG"). Characters outside the code alphabet (0, O, 1, I,
 * L) are kept so validation can say what is wrong instead of them silently vanishing.
 */
export function formatCodeInput(typed: string): string {
  const chars = normaliseEnrolCode(typed)
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, ENROL_CODE_LENGTH);
  return chars.length > 4 ? `${chars.slice(0, 4)}-${chars.slice(4)}` : chars;
}

/**
 * What the fingerprint field shows for what was typed: upper-case hex in groups of four, other
 * characters kept (so validation can name them), at most the full 64 digits.
 */
export function formatFingerprintInput(typed: string): string {
  const chars = normaliseFingerprint(typed).toUpperCase().slice(0, FINGERPRINT_FULL_HEX);
  return chars.match(/.{1,4}/g)?.join(' ') ?? '';
}

export interface EnrolFormValues {
  centralUrl: string;
  code: string;
  /** The central's TLS key fingerprint printed with the code (at least its first 32 hex digits). */
  centralFingerprint: string;
}

export interface EnrolFormCheck {
  /** Translated problems per field; empty when the form may be sent. */
  errors: Partial<Record<keyof EnrolFormValues, string>>;
  /** What to send: the address as typed (the services normalise it), the code without the dash, the fingerprint as bare hex. */
  input: EnrolFormValues | null;
}

export function checkEnrolForm(values: EnrolFormValues, t: Translate): EnrolFormCheck {
  const errors: EnrolFormCheck['errors'] = {};
  const centralUrl = values.centralUrl.trim();
  if (!centralUrl) errors.centralUrl = t('enrol.validation.centralUrl.empty');
  else if (!centralUrlSchema.safeParse(centralUrl).success) errors.centralUrl = t('enrol.validation.centralUrl.invalid');

  const code = normaliseEnrolCode(values.code);
  if (!code) errors.code = t('enrol.validation.code.empty');
  else if (code.length !== ENROL_CODE_LENGTH) errors.code = t('enrol.validation.code.length', { count: code.length });
  else if (!enrolCodeSchema.safeParse(code).success) errors.code = t('enrol.validation.code.chars');

  const fingerprint = normaliseFingerprint(values.centralFingerprint);
  if (!fingerprint) errors.centralFingerprint = t('enrol.validation.fingerprint.empty');
  else if (!/^[0-9a-f]+$/.test(fingerprint)) errors.centralFingerprint = t('enrol.validation.fingerprint.chars');
  else if (!fingerprintInputSchema.safeParse(fingerprint).success) {
    errors.centralFingerprint = t('enrol.validation.fingerprint.length', { count: fingerprint.length });
  }

  const ok = errors.centralUrl === undefined && errors.code === undefined && errors.centralFingerprint === undefined;
  return { errors, input: ok ? { centralUrl, code, centralFingerprint: fingerprint } : null };
}
